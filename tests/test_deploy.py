"""The deployment dry run (deploy/): the Docker build context, fly.toml, the secrets, the Cloudflare Tunnel,
the launchd jobs and the Pages settings read and checked against the code they run — the CLI's parser and
defaults, the app's route table, the Settings fields, the web's build — with no Docker and no network."""

from __future__ import annotations

import argparse
import functools
import json
import plistlib
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr
from starlette.routing import Route

from vinted_optimizer.app import create_app
from vinted_optimizer.cli import build_parser
from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.kit.webapp import page_csp

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
(CONSOLE_SCRIPT,) = PYPROJECT["project"]["scripts"]
FLY = tomllib.loads((DEPLOY / "fly.toml").read_text())
TUNNEL = yaml.safe_load((DEPLOY / "cloudflared" / "config.yml").read_text())
PAGES = tomllib.loads((DEPLOY / "pages" / "pages.toml").read_text())
BUILD_TOOLS = ("build-essential", "gcc", "g++", "make", "clang", "cmake")


# --- helpers -----------------------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == keyword]


def dockerfile_stages(text: str) -> list[Stage]:
    """The Dockerfile's stages, each with its instructions (continuation lines joined, comments dropped)."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = arguments.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base=parts[0], name=name))
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1].instructions.append((keyword, arguments.strip()))
    return stages


STAGES = dockerfile_stages((DEPLOY / "Dockerfile").read_text())
FINAL = STAGES[-1]


def copy_arguments(arguments: str) -> tuple[list[str], list[str], str]:
    """A COPY's --flags, sources and destination (the JSON form too)."""
    if arguments.lstrip().startswith("["):
        *sources, destination = json.loads(arguments)
        return [], sources, destination
    words = shlex.split(arguments)
    flags = [word for word in words if word.startswith("--")]
    *sources, destination = [word for word in words if not word.startswith("--")]
    return flags, sources, destination


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regular expression (Go's filepath.Match, plus ``**`` for any depth)."""
    out = ""
    index = 0
    body = pattern.strip("/")
    while index < len(body):
        if body.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif body.startswith("**", index):
            out, index = out + ".*", index + 2
        elif body[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif body[index] == "?":
            out, index = out + "[^/]", index + 1
        else:
            out, index = out + re.escape(body[index]), index + 1
    return re.compile(out + "$")


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: a path is out of the context when it, or a folder above it, matches a pattern (the
    last matching pattern wins; ``!`` brings a path back)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    result = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        compiled = _pattern(pattern.removeprefix("!"))
        if any(compiled.match(prefix) for prefix in prefixes):
            result = not negated
    return result


def cli(command: str | list[str]) -> argparse.Namespace:
    """Parse a command line with the real parser: an unknown subcommand or option fails the test."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    program = Path(words[0]).name
    assert program == CONSOLE_SCRIPT, f"{words[0]} is not the console script {CONSOLE_SCRIPT}"
    try:
        return build_parser().parse_args(words[1:])
    except SystemExit as error:  # argparse's way of refusing
        raise AssertionError(f"not a command of the CLI: {words}") from error


def cli_default(subcommand: str, option: str) -> object:
    return getattr(build_parser().parse_args([subcommand]), option)


def setting_field(variable: str) -> str:
    """VO_S3_ENDPOINT → s3_endpoint, failing when no Settings field reads that variable."""
    assert variable.startswith("VO_"), variable
    name = variable.removeprefix("VO_").lower()
    assert name in Settings.model_fields, f"{variable} is not a setting of config.Settings"
    return name


def secrets_file() -> list[str]:
    text = (DEPLOY / "fly-secrets.env.example").read_text()
    return [line.split("=", 1)[0].strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@functools.cache
def get_routes() -> frozenset[str]:
    """The GET paths of create_app's route table (every domain's router, as the OpenAPI document has them)."""
    app = create_app(Settings(_env_file=None, environment=Environment.development))
    return frozenset(path for path, operations in app.openapi()["paths"].items() if "get" in operations)


def registrable_domain(host: str) -> str:
    """The site of a host under a one-label public suffix (.it, .com): its last two labels."""
    return ".".join(host.split(".")[-2:])


# --- the image ---------------------------------------------------------------------------------------


def test_the_image_is_built_in_stages_and_the_last_runs_as_a_non_root_user():
    assert len(STAGES) >= 2, "a build stage and a runtime stage"
    users = FINAL.all("USER")
    assert users, "the final stage sets USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "slim" in FINAL.base or "distroless" in FINAL.base


def test_the_final_stage_has_no_build_tools_and_no_package_manager_runs():
    for command in FINAL.all("RUN"):
        for tool in BUILD_TOOLS:
            assert not re.search(rf"(^|\s){re.escape(tool)}(\s|$)", command), f"{tool} in the final stage"
        assert "apt-get install" not in command and "pip install" not in command and "uv " not in command
    # The final stage copies only the virtual environment built before it.
    copies = [copy_arguments(arguments) for arguments in FINAL.all("COPY")]
    assert copies and all(any(flag.startswith("--from=") for flag in flags) for flags, _, _ in copies)


def test_the_environment_comes_from_the_committed_lock_file_with_uv():
    build = STAGES[0]
    syncs = [command for command in build.all("RUN") if "uv sync" in command]
    assert syncs and all("--frozen" in command and "--no-dev" in command for command in syncs)
    sources = {source for _, sources, _ in map(copy_arguments, build.all("COPY")) for source in sources}
    assert {"uv.lock", "pyproject.toml"} <= sources
    # The final install is a regular one: the migrations travel inside the package (force-include).
    assert any("--no-editable" in command for command in syncs)
    force = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force.get("migrations") == "vinted_optimizer/_migrations"
    assert "migrations" in sources


def test_every_copy_source_is_in_the_build_context_and_not_ignored():
    patterns = dockerignore_patterns()
    names = [stage.name for stage in STAGES]
    for index, stage in enumerate(STAGES):
        for flags, sources, _ in map(copy_arguments, stage.all("COPY")):
            from_stage = next((flag.split("=", 1)[1] for flag in flags if flag.startswith("--from=")), None)
            if from_stage is not None:
                assert from_stage in names[:index], f"COPY --from={from_stage}: no earlier stage of that name"
                continue
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the build context"
                assert not ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
    assert not any(
        source.startswith("web")
        for stage in STAGES
        for _, ss, _ in map(copy_arguments, stage.all("COPY"))
        for source in ss
    ), "the dashboard is not in the image"


@pytest.mark.parametrize(
    "path",
    [
        "web/node_modules/next/package.json",
        "web/src/app/page.tsx",
        ".venv/bin/python",
        "data/secrets.env",
        ".git/HEAD",
        "tests/conftest.py",
        "src/vinted_optimizer/__pycache__/cli.cpython-311.pyc",
    ],
)
def test_the_dockerignore_keeps_out_what_the_image_must_not_hold(path):
    assert ignored(path, dockerignore_patterns())


def test_the_dockerignore_rule_itself_can_say_no():
    assert not ignored("src/vinted_optimizer/cli.py", dockerignore_patterns())
    assert not ignored("uv.lock", dockerignore_patterns())


def test_the_image_command_is_the_api_on_the_port_fly_sends_traffic_to():
    (command,) = FINAL.all("CMD")
    words = json.loads(command)
    args = cli(words)
    assert args.command == "api"
    assert args.host == "0.0.0.0"  # noqa: S104 - a container's listening address
    assert args.port == FLY["http_service"]["internal_port"]
    assert f"{args.port}" in FINAL.all("EXPOSE")
    assert not FINAL.all("ENTRYPOINT"), "fly.toml's process commands replace CMD: no entrypoint before them"


# --- fly.toml ----------------------------------------------------------------------------------------


def test_fly_runs_the_api_and_the_worker_in_frankfurt():
    assert FLY["primary_region"] == "fra"
    processes = FLY["processes"]
    assert set(processes) == {"app", "worker"}
    app, worker = cli(processes["app"]), cli(processes["worker"])
    assert (app.command, worker.command) == ("api", "worker")
    assert app.port == FLY["http_service"]["internal_port"]
    assert worker.burst is False
    assert FLY["http_service"]["processes"] == ["app"]
    assert {vm["processes"][0] for vm in FLY["vm"]} == {"app", "worker"}
    assert FLY["build"]["dockerfile"] == "Dockerfile" and (DEPLOY / FLY["build"]["dockerfile"]).is_file()


def test_the_release_command_migrates():
    args = cli(FLY["deploy"]["release_command"])
    assert args.command == "migrate"
    assert args.revision == "head"


def test_the_health_checks_are_routes_of_the_app():
    routes = get_routes()
    readiness = [check["path"] for check in FLY["http_service"]["checks"]]
    liveness = [check["path"] for check in FLY["checks"].values() if check["type"] == "http"]
    assert readiness == ["/api/health/ready"]
    assert liveness == ["/api/health"]
    for path in [*readiness, *liveness]:
        assert path in routes, f"{path}: no GET route of create_app answers it"
    for check in FLY["checks"].values():
        assert check["port"] == FLY["http_service"]["internal_port"]
        assert check["processes"] == ["app"]


def test_the_route_table_check_can_fail():
    assert "/api/health/nowhere" not in get_routes()


def test_every_variable_and_secret_is_a_setting_and_the_required_ones_are_listed():
    for variable in FLY["env"]:
        setting_field(variable)
    secrets = secrets_file()
    for variable in secrets:
        setting_field(variable)
    assert {"VO_DATABASE_URL", "VO_REDIS_URL", "VO_JWT_SECRET", "VO_FERNET_KEYS", "VO_SERVICE_TOKEN"} <= set(
        secrets
    )
    assert not set(secrets) & set(FLY["env"]), "a secret in [env] would be committed"
    with pytest.raises(AssertionError):
        setting_field("VO_NOT_A_SETTING")


def _fly_settings(**secrets: str) -> Settings:
    values = {setting_field(name): value for name, value in FLY["env"].items()}
    values.update({setting_field(name): value for name, value in secrets.items()})
    return Settings(_env_file=None, **values)


FILLED_SECRETS = {
    "VO_DATABASE_URL": "postgresql://vo:pw@ep-quiet-1-pooler.eu-central-1.aws.neon.tech/vo?sslmode=require",
    "VO_REDIS_URL": "rediss://default:pw@eu1-able-1.upstash.io:6379",
    "VO_JWT_SECRET": "q8Zr1vT0pXw3Ls6Nd9Hb2Ky5Mf4Gc7JaQ8Zr1vT0pXw3",
    "VO_FERNET_KEYS": "k" * 43 + "=",
    "VO_SERVICE_TOKEN": "s" * 40,
    "VO_CF_ACCESS_CLIENT_ID": "0123456789abcdef.access",
    "VO_CF_ACCESS_CLIENT_SECRET": "f" * 64,
    "VO_S3_ACCESS_KEY_ID": "a" * 32,
    "VO_S3_SECRET_ACCESS_KEY": "b" * 64,
}


def test_fly_environment_with_its_secrets_is_a_valid_production_configuration():
    settings = _fly_settings(**FILLED_SECRETS)
    assert settings.environment is Environment.production
    assert settings.home_service_headers == {
        "CF-Access-Client-Id": "0123456789abcdef.access",
        "CF-Access-Client-Secret": "f" * 64,
    }
    # Without the R2 keys the start is refused, naming them.
    missing = {k: v for k, v in FILLED_SECRETS.items() if not k.startswith("VO_S3_")}
    with pytest.raises(ValueError, match="VO_S3_ACCESS_KEY_ID"):
        _fly_settings(**missing)


# --- the Cloudflare Tunnel ---------------------------------------------------------------------------


def test_the_tunnel_publishes_the_home_services_on_the_cli_default_ports():
    rules = TUNNEL["ingress"]
    by_host = {rule["hostname"]: rule for rule in rules if "hostname" in rule}
    expected = {
        urlsplit(FLY["env"]["VO_AI_SERVICE_URL"]).hostname: "ai-service",
        urlsplit(FLY["env"]["VO_SCRAPER_SERVICE_URL"]).hostname: "scraper-service",
    }
    assert set(by_host) == set(expected), "the API's home-service URLs are the tunnel's hostnames"
    for host, subcommand in expected.items():
        service = urlsplit(by_host[host]["service"])
        assert service.scheme == "http"
        assert service.hostname == cli_default(subcommand, "host")
        assert service.port == cli_default(subcommand, "port")
    assert all(
        urlsplit(FLY["env"][v]).scheme == "https" for v in ("VO_AI_SERVICE_URL", "VO_SCRAPER_SERVICE_URL")
    )


def test_the_tunnel_ends_with_a_catch_all_404_and_every_hostname_requires_access():
    *named, last = TUNNEL["ingress"]
    assert last == {"service": "http_status:404"}
    assert all("hostname" in rule for rule in named)
    for rule in named:
        access = rule["originRequest"]["access"]
        assert access["required"] is True
        assert access["teamName"] and access["audTag"]
    assert TUNNEL["tunnel"] and TUNNEL["credentials-file"].endswith(".json")


def test_the_home_services_answer_health_for_the_tunnel():
    from vinted_optimizer.ai.app import create_ai_app
    from vinted_optimizer.scraper.app import create_scraper_app

    development = Settings(
        _env_file=None, environment=Environment.development, redis_url=SecretStr("redis://x")
    )
    for app in (create_ai_app(development), create_scraper_app(development)):
        assert "/health" in {route.path for route in app.routes if isinstance(route, Route)}


# --- launchd on the home machine ---------------------------------------------------------------------

PLISTS = sorted((DEPLOY / "launchd").glob("*.plist"))


def _plist(name: str) -> dict[str, object]:
    path = DEPLOY / "launchd" / f"it.vinted-optimizer.{name}.plist"
    loaded: dict[str, object] = plistlib.loads(path.read_bytes())
    return loaded


def test_every_plist_starts_at_boot_and_is_kept_alive():
    assert {path.name for path in PLISTS} >= {
        "it.vinted-optimizer.ai-service.plist",
        "it.vinted-optimizer.scraper-service.plist",
        "it.vinted-optimizer.cloudflared.plist",
    }
    for path in PLISTS:
        job = plistlib.loads(path.read_bytes())
        assert job["Label"] == path.name.removesuffix(".plist")
        assert job["RunAtLoad"] is True and job["KeepAlive"] is True
        assert job["UserName"] != "root"
        assert Path(job["ProgramArguments"][0]).is_absolute()


@pytest.mark.parametrize("subcommand", ["ai-service", "scraper-service"])
def test_the_home_service_plists_run_real_commands_where_the_tunnel_points(subcommand):
    job = _plist(subcommand)
    args = cli(job["ProgramArguments"])  # type: ignore[arg-type]
    assert args.command == subcommand
    services = {urlsplit(rule["service"]).port: rule for rule in TUNNEL["ingress"] if "hostname" in rule}
    assert args.port in services and args.host == "127.0.0.1"
    environment: dict[str, str] = job["EnvironmentVariables"]  # type: ignore[assignment]
    values = {setting_field(k): v for k, v in environment.items() if k.startswith("VO_")}
    settings = Settings(
        _env_file=None, process=subcommand, **{**values, "service_token": SecretStr("t" * 40)}
    )
    assert settings.environment is Environment.production


def test_the_cloudflared_plist_runs_the_shipped_config():
    arguments: list[str] = _plist("cloudflared")["ProgramArguments"]  # type: ignore[assignment]
    assert Path(arguments[0]).name == "cloudflared"
    assert arguments[1] == "tunnel" and arguments[-1] == "run"
    config = arguments[arguments.index("--config") + 1]
    assert config.endswith("/deploy/cloudflared/config.yml")


# --- Cloudflare Pages --------------------------------------------------------------------------------


def test_the_pages_build_is_the_web_build():
    web = ROOT / PAGES["root_directory"]
    package = json.loads((web / "package.json").read_text())
    assert package["scripts"]["build"] == "next build"
    first, _, rest = PAGES["build_command"].partition(" && ")
    assert first == "npx next build"
    assert "cd $(WEB) && npx next build" in (ROOT / "Makefile").read_text(), (
        "the same build as make web-build"
    )
    script, folder = shlex.split(rest)[1:]
    assert (web / script).resolve() == DEPLOY / "pages" / "headers.py"
    config = (web / "next.config.ts").read_text()
    assert re.search(r'output:\s*"export"', config) and "distDir" not in config
    assert PAGES["build_output_directory"] == folder == "out"  # next's export folder


def test_the_dashboard_reaches_the_api_on_the_same_site():
    api_ts = (ROOT / "web" / "src" / "lib" / "api.ts").read_text()
    (variable,) = re.findall(r"API_BASE = process\.env\.(\w+)", api_ts)
    api_url = PAGES["build_environment"][variable]
    api = urlsplit(api_url)
    dashboard = f"https://{PAGES['custom_domain']}"
    assert api.scheme == "https" and api.path in ("", "/")
    assert registrable_domain(api.hostname or "") == registrable_domain(PAGES["custom_domain"])
    assert api.hostname != PAGES["custom_domain"]
    # The API knows the dashboard: its links, and the one origin CORS lets read the answers.
    assert FLY["env"]["VO_PUBLIC_URL"] == dashboard
    assert _fly_settings(**FILLED_SECRETS).cors_origins == [dashboard]
    assert registrable_domain("app.example.it") != registrable_domain("api.example.com")


def _headers_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pages_headers", DEPLOY / "pages" / "headers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGE = b'<html><script src="/_next/a.js"></script><script>self.__next_f.push([1,"x"])</script></html>'


def test_the_pages_headers_carry_the_policy_serve_sends(tmp_path):
    headers = _headers_module()
    assert headers.page_csp(PAGE) == page_csp(PAGE)
    (tmp_path / "index.html").write_bytes(PAGE)
    (tmp_path / "annunci.html").write_bytes(PAGE.replace(b'"x"', b'"y"'))
    (tmp_path / "404.html").write_bytes(PAGE)
    text = headers.headers_file(tmp_path, headers.api_origin("https://api.example.it"))
    rules = dict(re.findall(r"^(/\S*)\n  Content-Security-Policy: (.+)$", text, re.M))
    assert set(rules) == {"/", "/annunci"}
    assert rules["/"] != rules["/annunci"]  # each page its own inline scripts
    assert "connect-src 'self' https://api.example.it wss://api.example.it;" in rules["/"]
    assert "img-src 'self' data: blob: https://api.example.it;" in rules["/"]
    with pytest.raises(SystemExit):
        headers.api_origin("https://api.example.it/api/v1")


# --- Cloudflare Access in front of the home services --------------------------------------------------


def _access_edge(expected_id: str, expected_secret: str, seen: list[dict[str, str]]):
    """A stand-in for Cloudflare's edge with the Access policy "Service Auth": 403 without the service
    token's two headers; behind it, a home service's /health and /status."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route as StarletteRoute

    async def answer(request: Request) -> JSONResponse:
        seen.append(dict(request.headers))
        if (
            request.headers.get("cf-access-client-id") != expected_id
            or request.headers.get("cf-access-client-secret") != expected_secret
        ):
            return JSONResponse({"error": "Forbidden"}, status_code=403)
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[StarletteRoute("/health", answer), StarletteRoute("/status", answer)])


@pytest.mark.parametrize("with_access", [True, False])
async def test_the_api_passes_cloudflare_access_with_its_service_token(with_access):
    from tests.fakes.server import serve_in_thread
    from vinted_optimizer.ai.client import create_ai_client
    from vinted_optimizer.scraper.client import create_scraper_client

    seen: list[dict[str, str]] = []
    with serve_in_thread(_access_edge("id.access", "f" * 64, seen)) as edge:
        access = {"cf_access_client_id": "id.access", "cf_access_client_secret": SecretStr("f" * 64)}
        settings = Settings(
            _env_file=None,
            environment=Environment.development,
            ai_service_url=edge,
            scraper_service_url=edge,
            service_token=SecretStr("s" * 40),
            **(access if with_access else {}),
        )
        ai = create_ai_client(settings)
        scraper = create_scraper_client(settings, None)  # type: ignore[arg-type] - no Redis over HTTP
        try:
            health, status = await ai.health(), await scraper.status()
        finally:
            await ai.aclose()
            await scraper.aclose()
    assert len(seen) == 2 and all(headers["x-service-token"] == "s" * 40 for headers in seen)
    if with_access:
        assert health == {"status": "ok"} and status.status == "ok"
    else:
        assert health["status"] == "unavailable" and status.status == "unavailable"
