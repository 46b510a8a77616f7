"""ChromaDB for real (embedded, in the test's data folder), with the project's own encoder: the guides
indexed once, a family's documents found only for that family, deletion."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from tests.ai.chat_helpers import HOSTILE_TEXT, fact, listing, request
from tests.fakes.server import free_port
from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.ai.errors import AIInvalidInput
from vinted_optimizer.ai.knowledge import guide_passages
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.ai.retrieval import (
    GUIDES_COLLECTION,
    ProjectEmbeddingFunction,
    RetrievalUnavailable,
    Retriever,
)
from vinted_optimizer.config import Settings


@pytest.fixture
async def retriever(ai_settings: Settings) -> AsyncIterator[Retriever]:
    yield Retriever(ai_settings)


def test_the_guides_are_sections_with_stable_ids() -> None:
    passages = guide_passages()
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids)) >= 25
    assert {i.split("#")[0] for i in ids} >= {
        "guide:commissioni", "guide:dac7", "guide:spedizioni", "guide:cosa-vende", "guide:foto",
        "guide:prezzi", "guide:ripubblicare", "guide:sicurezza",
    }  # fmt: skip
    dac7 = next(p for p in passages if p.id == "guide:dac7#2")
    assert "30 vendite" in dac7.text and "2.000 euro" in dac7.text
    assert dac7.title.startswith("Guida: DAC7")
    assert all(p.kind == "guide" and p.text and p.title for p in passages)


async def test_guides_are_indexed_once_and_found(retriever: Retriever, ai_settings: Settings) -> None:
    assert await retriever.index_guides() == len(guide_passages())
    assert await retriever.index_guides() == 0  # same content hash: nothing embedded again
    again = Retriever(ai_settings)  # a restart, on the same folder
    assert await again.index_guides() == 0

    found = await retriever.search(uuid.uuid4(), "Vinted comunica le mie vendite al fisco? DAC7", 4)
    assert found[0].id.startswith("guide:dac7#")
    assert all(p.score is not None for p in found)
    assert [p.score for p in found] == sorted((p.score or 0 for p in found), reverse=True)


async def test_the_embedding_function_is_the_projects_own() -> None:
    function = ProjectEmbeddingFunction()
    vectors = function(["Giacca di jeans", "Scarpe da ginnastica"])
    assert len(vectors) == 2 and all(len(v) == 512 for v in vectors)
    assert ProjectEmbeddingFunction.name().startswith("vinted-optimizer-")
    assert "guides" in GUIDES_COLLECTION


async def test_a_familys_documents_are_found_only_for_that_family(retriever: Retriever) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    jacket = listing("Giacca di jeans Levi's", "Giacca di jeans Levi's blu, taglia M, ottime condizioni.")
    hostile = listing("Giacca di jeans Levi's", f"Giacca di jeans Levi's blu taglia M. {HOSTILE_TEXT}")
    assert await retriever.index_documents(mine, [jacket]) == 1
    await retriever.index_documents(theirs, [hostile])

    # The same words as the other family's hostile text: still never returned to this family.
    for question in ("Giacca di jeans Levi's blu taglia M", HOSTILE_TEXT):
        found = await retriever.search(mine, question, 50)
        assert jacket.id in [p.id for p in found]
        assert hostile.id not in [p.id for p in found]
        assert all(HOSTILE_TEXT not in p.text for p in found)
    found = await retriever.search(theirs, "Giacca di jeans Levi's", 50)
    assert hostile.id in [p.id for p in found] and jacket.id not in [p.id for p in found]
    got = next(p for p in found if p.id == hostile.id)
    assert got.kind == "listing" and got.link == hostile.link and got.title == hostile.title


async def test_upsert_and_delete(retriever: Retriever) -> None:
    family, other = uuid.uuid4(), uuid.uuid4()
    item = listing("Borsa", "Borsa di pelle nera.")
    await retriever.index_documents(family, [item])
    await retriever.index_documents(family, [item.model_copy(update={"text": "Borsa di pelle marrone."})])
    assert await retriever.count_documents(family) == 1  # upserted by id, not duplicated
    found = await retriever.search(family, "borsa marrone", 5)
    assert "marrone" in next(p.text for p in found if p.id == item.id)

    await retriever.index_documents(other, [item])  # the same id in another family is its own row
    await retriever.delete_documents(other, [item.id])
    assert await retriever.count_documents(other) == 0
    assert await retriever.count_documents(family) == 1  # another family's delete never reaches it
    await retriever.delete_documents(family, [item.id])
    assert item.id not in [p.id for p in await retriever.search(family, "borsa", 10)]


async def test_only_family_kinds_are_indexed(ai_settings: Settings) -> None:
    service = AIService(ai_settings)
    try:
        with pytest.raises(AIInvalidInput):
            await service.index_documents(
                uuid.uuid4(), [Passage(id="guide:falsa#1", kind="guide", title="x", text="y")]
            )
    finally:
        await service.aclose()


@pytest.mark.parametrize("url", ["ftp://chroma:8000", "chroma:8000", "http://", "http://chroma:porta"])
def test_chroma_url_is_validated(url: str, make_ai_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ValidationError, match="VO_CHROMA_URL"):
        make_ai_settings(chroma_url=url)


def test_chroma_url_is_normalised(make_ai_settings: Callable[..., Settings]) -> None:
    assert make_ai_settings(chroma_url=" https://chroma.home:8443/ ").chroma_url == "https://chroma.home:8443"
    assert make_ai_settings(chroma_url="").chroma_url is None


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real Chroma server (``chroma run``, the binary in the chromadb wheel) on a loopback port."""
    port = free_port()
    binary = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(  # noqa: S603 - our own venv's binary, fixed arguments
        [str(binary), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("chroma run did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
async def test_a_chroma_server_through_http_client(
    chroma_server: str, make_ai_settings: Callable[..., Settings]
) -> None:
    settings = make_ai_settings(chroma_url=chroma_server)
    retriever = Retriever(settings)
    assert await retriever.index_guides() == len(guide_passages())
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    jacket = listing("Giacca", "Giacca di jeans blu.")
    hostile = listing("Giacca", f"Giacca di jeans blu. {HOSTILE_TEXT}")
    await retriever.index_documents(mine, [jacket])
    await retriever.index_documents(theirs, [hostile])
    found = [p.id for p in await retriever.search(mine, "giacca di jeans blu", 20)]
    assert jacket.id in found and hostile.id not in found
    assert not (settings.data_dir / "chroma").exists()  # nothing embedded on this side


HOLD_LOCK = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def folder_held(ai_settings: Settings) -> Iterator[None]:
    """Another process holds the embedded folder's lock until the test ends."""
    folder = ai_settings.data_dir / "chroma"
    folder.mkdir(parents=True)
    holder = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", HOLD_LOCK, str(folder / ".owner.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


async def test_another_process_owning_the_folder_means_no_retrieval(
    folder_held: None, ai_settings: Settings
) -> None:
    retriever = Retriever(ai_settings)
    with pytest.raises(RetrievalUnavailable):
        await retriever.search(uuid.uuid4(), "spedizione", 3)
    with pytest.raises(RetrievalUnavailable):
        await retriever.index_documents(uuid.uuid4(), [listing("Borsa", "Borsa nera.")])
    # The chat still answers, from the facts alone.
    service = AIService(ai_settings.model_copy(update={"ollama_url": None, "chat_embedded_model": False}))
    try:
        chunks = [c async for c in service.chat(request(facts=[fact("n", "Vendite", "17 vendite")]))]
    finally:
        await service.aclose()
    assert [p.id for p in chunks[0].sources or []] == ["fact:n"]
    assert "17 vendite" in (chunks[1].text or "")
