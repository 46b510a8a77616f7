"""Browser tests: Debian's Chromium driven by Playwright against a real `vinted-optimizer serve`.

Never downloads a browser. Without /usr/bin/chromium the tests are skipped with a loud banner at the end
of the run, except in CI (env CI set), where a missing browser is a failure. A missing dashboard build
(web/out) is always a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.e2e.browser import Browsing
from tests.fakes.ollama import FakeOllama
from tests.fakes.sendcloud import FakeSendcloud
from tests.fakes.server import serve_in_thread
from tests.support.serve import Serve, running_serve

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WEB_INDEX = REPO / "web" / "out" / "index.html"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Access tokens of the second server last 0.05 minutes = 3 s, to see the silent refresh at work.
SHORT_TOKEN_MINUTES = "0.05"

SKIP_BANNER = f"BROWSER TESTS SKIPPED: {CHROMIUM} not found — install Debian's chromium package (see .ci/run)"
_browser_missing = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def browser_prerequisites(request: pytest.FixtureRequest) -> None:
    if not WEB_INDEX.is_file():
        pytest.fail(f"{WEB_INDEX.relative_to(REPO)} is missing: run make web-build", pytrace=False)
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not found (CI is set): install Debian's chromium package (see .ci/run)")
        request.config.stash[_browser_missing] = True
        pytest.skip(SKIP_BANNER)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> Generator[None]:
    """The outermost wrapper: the banner comes after pytest's short summary, just above the totals."""
    try:
        return (yield)
    finally:
        if config.stash.get(_browser_missing, False):
            terminalreporter.write_sep("!", red=True, bold=True)
            terminalreporter.write_sep("!", SKIP_BANNER, red=True, bold=True)
            terminalreporter.write_sep("!", red=True, bold=True)


@pytest.fixture(scope="session")
async def browser(browser_prerequisites: None) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        await browser.close()


@pytest.fixture(scope="session")
def e2e_sendcloud() -> Iterator[tuple[FakeSendcloud, str]]:
    """The Sendcloud stand-in of the shared `serve` instances: no browser test may reach the real one
    (saving keys checks them with Sendcloud)."""
    fake = FakeSendcloud()
    with serve_in_thread(fake.app) as url:
        yield fake, url


def _shared_env(sendcloud_url: str, **extra: str) -> dict[str, str]:
    # Many families share a server across the run: sign-ups are open (development, no SMTP: at once), and
    # the per-IP limits are raised (every browser is 127.0.0.1; one module's failed sign-ins must not lock
    # the next module out). The per-account lockout keeps its defaults (test_dashboard checks it).
    return {
        "VO_REGISTRATION": "open",
        "VO_RATE_LIMIT_REGISTER": "10000/hour",
        "VO_RATE_LIMIT_IP": "5000/minute",
        "VO_RATE_LIMIT_LOGIN_FAILURES": "1000/minute",
        "VO_SENDCLOUD_BASE_URL": sendcloud_url,
        **extra,
    }


@pytest.fixture(scope="session")
def server(
    browser_prerequisites: None,
    e2e_sendcloud: tuple[FakeSendcloud, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Serve]:
    """One `serve` for the whole run, with the defaults; each test makes its own family. Started once:
    a `serve` costs seconds to start and to stop, and most modules need nothing of their own."""
    log = tmp_path_factory.mktemp("serve-logs") / "main.log"
    with running_serve(log, **_shared_env(e2e_sendcloud[1])) as started:
        yield started


@pytest.fixture(scope="session")
def short_token_server(
    browser_prerequisites: None,
    e2e_sendcloud: tuple[FakeSendcloud, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Serve]:
    """A `serve` whose access tokens last 3 seconds, to see the silent refresh at work (started only by
    the tests that ask for it)."""
    log = tmp_path_factory.mktemp("serve-logs") / "short.log"
    env = _shared_env(e2e_sendcloud[1], VO_ACCESS_TOKEN_MINUTES=SHORT_TOKEN_MINUTES)
    with running_serve(log, **env) as started:
        yield started


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
async def browsing(browser: Browser, server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, server.url)
    yield session
    await session.close()


@pytest.fixture
async def short_browsing(browser: Browser, short_token_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, short_token_server.url)
    yield session
    await session.close()


@pytest.fixture(scope="session")
def _ai_serve(
    browser_prerequisites: None,
    e2e_sendcloud: tuple[FakeSendcloud, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Serve, FakeOllama]]:
    """One `serve` for the whole run whose AI speaks to a local Ollama stand-in; anyone may register.
    Started once, like `server` (a start and stop cost 6-12 s): each module makes its own families and
    gets the stand-in back as new (`e2e_ollama`)."""
    ollama = FakeOllama()
    log = tmp_path_factory.mktemp("logs") / "serve-ai.log"
    with (
        serve_in_thread(ollama.app) as ollama_url,
        running_serve(log, VO_OLLAMA_URL=ollama_url, **_shared_env(e2e_sendcloud[1])) as server,
    ):
        yield server, ollama


@pytest.fixture(scope="module")
def e2e_ollama(_ai_serve: tuple[Serve, FakeOllama]) -> FakeOllama:
    """The Ollama stand-in of `ai_server`, reset for each test module: no script, no recorded request
    of an earlier module (a test may script its replies)."""
    ollama = _ai_serve[1]
    ollama.reset()
    return ollama


@pytest.fixture(scope="module")
def ai_server(_ai_serve: tuple[Serve, FakeOllama], e2e_ollama: FakeOllama) -> Serve:
    """The `serve` whose AI speaks to `e2e_ollama` (shared by the modules, the stand-in reset for each)."""
    return _ai_serve[0]


@pytest.fixture
async def ai_browsing(browser: Browser, ai_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, ai_server.url)
    yield session
    await session.close()
