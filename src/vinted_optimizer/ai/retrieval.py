"""Retrieval for the assistant: ChromaDB over the shipped guides and each family's own documents.

- Embedded ``chromadb.PersistentClient`` in ``<data_dir>/chroma`` by default; ``chromadb.HttpClient``
  when ``VO_CHROMA_URL`` names a Chroma server.
- Always the project's own embedding function (the multilingual encoder shipped in a package, 512
  values): Chroma's default one would download a model at run time. The collections carry that model's
  name, so vectors of another model never land in them.
- One process owns an embedded folder (a lock file): under ``serve --workers N`` the other processes
  answer without retrieval (logged) instead of corrupting the index; a Chroma server has no such limit.
- Two collections: the guides (shared by everyone) and the families' documents, each with its
  ``family_id`` in the metadata. Every read and delete of family documents filters on that id: the scope
  comes from the request's ``family_id``, never from anything the model or a prompt says.

Chroma's client is synchronous: every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import chromadb
import structlog
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.ai.embeddings import DIMENSIONS, LOCAL_MODEL_NAME, LocalEmbedder
from vinted_optimizer.ai.errors import AIUnavailable
from vinted_optimizer.ai.knowledge import guide_passages, passage_hash
from vinted_optimizer.config import Settings

log = structlog.get_logger(__name__)

GUIDES_COLLECTION = "vo-guides-use512"
FAMILY_COLLECTION = "vo-family-docs-use512"
FAMILY_KINDS = frozenset({"listing", "sale", "shipment", "trend"})
MAX_DOCUMENT_CHARS = 4000
MAX_DOCUMENTS_PER_CALL = 500
_BATCH = 256


class ProjectEmbeddingFunction(EmbeddingFunction[Documents]):
    """The project's encoder (ai/embeddings.py ``LocalEmbedder``) as a Chroma embedding function."""

    def __init__(self) -> None:
        self._embedder = LocalEmbedder()

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's own parameter name
        return cast(Embeddings, self._embedder.embed_sync(list(input)))

    @staticmethod
    def name() -> str:
        return "vinted-optimizer-" + LOCAL_MODEL_NAME

    def get_config(self) -> dict[str, Any]:
        return {"model": LOCAL_MODEL_NAME, "dimensions": DIMENSIONS}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ProjectEmbeddingFunction:
        return ProjectEmbeddingFunction()


class RetrievalUnavailable(AIUnavailable):
    """The embedded index belongs to another process (``serve --workers N``): set VO_CHROMA_URL or
    VO_AI_SERVICE_URL so one process owns it."""


_owned_folders: dict[str, int] = {}  # folder → the descriptor holding its lock, for this process's life
_owned_lock = threading.Lock()


def _own_folder(path: Path) -> None:
    """One process at a time uses an embedded Chroma folder (its index files take no second writer);
    the lock is kept until the process exits, and other clients in this process share it."""
    key = str(path.resolve())
    with _owned_lock:
        if key in _owned_folders:
            return
        descriptor = os.open(path / ".owner.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            log.warning("ai.retrieval.folder_taken", path=key)
            raise RetrievalUnavailable(
                "L'indice dell'assistente è già aperto da un altro processo: riprova più tardi."
            ) from error
        _owned_folders[key] = descriptor


def open_chroma(settings: Settings) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        parsed = urlsplit(settings.chroma_url)
        ssl = parsed.scheme == "https"
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    _own_folder(path)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _metadata(passage: Passage, family_id: str | None) -> dict[str, str | int | float | bool]:
    meta: dict[str, str | int | float | bool] = {
        "passage_id": passage.id,
        "kind": passage.kind,
        "title": passage.title,
        "hash": passage_hash(passage),
    }
    if passage.link:
        meta["link"] = passage.link
    if family_id is not None:
        meta["family_id"] = family_id
    return meta


def _family_key(family_id: str, passage_id: str) -> str:
    # Chroma ids are global to a collection: the family in the key keeps two families' ids apart.
    return f"{family_id}/{passage_id}"


def _passages_from(result: Any) -> list[Passage]:
    out = []
    ids = (result.get("ids") or [[]])[0]
    documents = (result.get("documents") or [[]])[0]
    metadatas = (result.get("metadatas") or [[]])[0]
    distances = (result.get("distances") or [[]])[0]
    for _key, text, meta, distance in zip(ids, documents, metadatas, distances, strict=False):
        meta = meta or {}
        link = meta.get("link")
        out.append(
            Passage(
                id=str(meta.get("passage_id")),
                kind=cast(Any, meta.get("kind", "guide")),
                title=str(meta.get("title", "")),
                text=text or "",
                link=str(link) if link else None,
                score=round(1.0 - float(distance), 4),  # cosine similarity
            )
        )
    return out


class Retriever:
    def __init__(self, settings: Settings, *, client: ClientAPI | None = None) -> None:
        self.settings = settings
        self._client = client
        self._embedding = ProjectEmbeddingFunction()
        self._open_lock = threading.Lock()
        self._guides: Collection | None = None
        self._family: Collection | None = None
        self._guides_ready = asyncio.Event()
        self._index_lock = asyncio.Lock()

    def _collections(self) -> tuple[Collection, Collection]:
        with self._open_lock:
            if self._guides is None or self._family is None:
                client = self._client or open_chroma(self.settings)
                self._client = client
                space = {"hnsw:space": "cosine"}
                embedding = cast(Any, self._embedding)
                self._guides = client.get_or_create_collection(
                    GUIDES_COLLECTION, embedding_function=embedding, metadata=space
                )
                self._family = client.get_or_create_collection(
                    FAMILY_COLLECTION, embedding_function=embedding, metadata=space
                )
            return self._guides, self._family

    # --- the guides ------------------------------------------------------------------------------

    async def index_guides(self) -> int:
        """Bring the guides collection up to date with the shipped files; returns the passages written.

        Idempotent: a passage whose content hash is already stored is not embedded again, and sections
        that no longer exist are removed. Run at service start and, lazily, before the first search."""
        async with self._index_lock:
            written = await asyncio.to_thread(self._index_guides_sync)
            self._guides_ready.set()
            return written

    def _index_guides_sync(self) -> int:
        guides, _ = self._collections()
        passages = guide_passages()
        stored = guides.get(include=cast(Any, ["metadatas"]))
        stored_hash = {
            key: (meta or {}).get("hash")
            for key, meta in zip(stored["ids"], stored["metadatas"] or [], strict=False)
        }
        changed = [p for p in passages if stored_hash.get(p.id) != passage_hash(p)]
        gone = sorted(set(stored_hash) - {p.id for p in passages})
        if gone:
            guides.delete(ids=gone)
        for start in range(0, len(changed), _BATCH):
            batch = changed[start : start + _BATCH]
            guides.upsert(
                ids=[p.id for p in batch],
                documents=[p.text for p in batch],
                metadatas=cast(Any, [_metadata(p, None) for p in batch]),
            )
        log.info("ai.retrieval.guides_indexed", total=len(passages), written=len(changed), removed=len(gone))
        return len(changed)

    # --- a family's documents --------------------------------------------------------------------

    async def index_documents(self, family_id: uuid.UUID, passages: Sequence[Passage]) -> int:
        docs = [p for p in passages if p.kind in FAMILY_KINDS]
        if not docs:
            return 0
        return await asyncio.to_thread(self._index_documents_sync, str(family_id), docs)

    def _index_documents_sync(self, family_id: str, docs: list[Passage]) -> int:
        _, family = self._collections()
        for start in range(0, len(docs), _BATCH):
            batch = docs[start : start + _BATCH]
            family.upsert(
                ids=[_family_key(family_id, p.id) for p in batch],
                documents=[f"{p.title}\n{p.text[:MAX_DOCUMENT_CHARS]}" for p in batch],
                metadatas=cast(Any, [_metadata(p, family_id) for p in batch]),
            )
        return len(docs)

    async def delete_documents(self, family_id: uuid.UUID, ids: Sequence[str]) -> None:
        if ids:
            await asyncio.to_thread(self._delete_sync, str(family_id), list(ids))

    def _delete_sync(self, family_id: str, ids: list[str]) -> None:
        _, family = self._collections()
        family.delete(ids=[_family_key(family_id, i) for i in ids], where={"family_id": family_id})

    async def count_documents(self, family_id: uuid.UUID) -> int:
        def count() -> int:
            _, family = self._collections()
            return len(family.get(where={"family_id": str(family_id)}, include=[])["ids"])

        return await asyncio.to_thread(count)

    # --- search ----------------------------------------------------------------------------------

    async def search(self, family_id: uuid.UUID, question: str, k: int) -> list[Passage]:
        """The ``k`` passages nearest to the question: guides and this family's documents, best first."""
        if not self._guides_ready.is_set():
            await self.index_guides()
        return await asyncio.to_thread(self._search_sync, str(family_id), question, k)

    def _search_sync(self, family_id: str, question: str, k: int) -> list[Passage]:
        guides, family = self._collections()
        query = self._embedding([question])
        found: list[Passage] = []
        if guides.count():
            found += _passages_from(guides.query(query_embeddings=query, n_results=k))
        # The family's scope is a filter of the query itself, so another family's rows never come back.
        found += _passages_from(
            family.query(query_embeddings=query, n_results=k, where={"family_id": family_id})
        )
        found.sort(key=lambda p: p.score or 0.0, reverse=True)
        return found[:k]
