"""A stand-in for Ollama speaking its wire format (shared/contracts/ollama.md), scriptable per test.

It checks requests the way Ollama does (model required, images as plain base64, ``format`` either
"json" or a schema object, unknown model → 404 with Ollama's message), records every request body and
counts calls per endpoint, so tests can assert what was sent and that no second model call happened.
Replies are scripted per endpoint with ``script(path, Reply(...), ...)``; when the script is empty the
default answer is a realistic moondream reply (JSON in a ```json fence, a sentence before and after,
a trailing comma).

Streams (``/api/chat``, ``/api/generate``) can be shaped per reply: ``tokens`` (the exact pieces),
``token_delay`` (seconds between two pieces: a fixed token rate), ``stream_error`` (HTTP 200, then an
error line halfway), ``stall_after`` (send that many pieces, then nothing, keeping the connection open).
``stream_events`` records how each stream ended: "finished", "error", "stalled" or "closed" (the client
went away before the end) — what cancellation tests assert on.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import threading
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

CREATED_AT = "2026-11-27T10:00:00.000000Z"
VERSION = "0.12.3"
NATIVE_EMBED_DIMENSIONS = 768

ANSWER_FENCED = (
    "Ecco l'analisi della foto in formato JSON:\n```json\n"
    '{"title": "Giacca di jeans Levi\'s donna", "category": "giacca di jeans donna", "brand": "Levi\'s", '
    '"condition": "Ottime condizioni", "description": "Giacca di jeans blu chiaro con bottoni in metallo. '
    'Taglia M, vestibilità regolare. Nessun difetto visibile.", "price_min": 25, "price_max": 35, '
    '"colors": ["Blu", "azzurro"], "tags": ["jeans", "levis", "giacca", "denim", "Jeans",],}\n'
    "```\nSpero che questa analisi ti sia utile!"
)
ANSWER_SINGLE_QUOTES = (
    "{'title': 'Maglione grigio di lana', 'category': 'maglione uomo', 'brand': 'sconosciuto', "
    "'condition': 'usato in buone condizioni', 'description': 'Maglione caldo di lana grigia.', "
    "'price': '15€', 'colors': 'grigio e bianco', 'tags': 'lana, inverno, maglione',}"
)
ANSWER_TRUNCATED = (
    '{"title": "Sneakers Nike Air Max", "category": "scarpe da ginnastica uomo", "brand": "Nike", '
    '"condition": "Buone condizioni", "price_min": 30, "price_max": 45, "colors": ["bianco"], '
    '"description": "Sneakers Nike bianche, taglia 42. Suola leggermente consumata ma anc'
)
ANSWER_GARBAGE = "%%% ]]] lorem 12 ### ~~~ {{{ ;;; ??? !!"
ANSWER_CLEAN = json.dumps(
    {
        "title": "Set di 6 piatti in ceramica",
        "category": "piatti",
        "brand": None,
        "condition": "Nuovo senza cartellino",
        "description": "Sei piatti piani in ceramica bianca, mai usati.",
        "price_min": 12,
        "price_max": 18,
        "colors": ["Bianco"],
        "tags": ["piatti", "ceramica", "cucina"],
    },
    ensure_ascii=False,
)


@dataclass
class Reply:
    text: str = ANSWER_FENCED
    done_reason: str = "stop"
    status: int = 200
    error: str | None = None  # body {"error": ...} when status >= 400
    stream_error: str | None = None  # HTTP 200, then this error as a line halfway through the stream
    delay: float = 0.0  # seconds before answering (longer than the client timeout: a slow model)
    headers: dict[str, str] = field(default_factory=dict)
    tokens: list[str] | None = None  # the stream's pieces; default: ``text`` cut every 7 characters
    token_delay: float = 0.0  # seconds between two pieces of a stream
    stall_after: int | None = None  # pieces sent before the stream goes silent (connection kept open)


def fake_vector(text: str, dimensions: int | None = None) -> list[float]:
    """Deterministic and L2-normalised; ``dimensions`` keeps the first N values and re-normalises."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(NATIVE_EMBED_DIMENSIONS)
    if dimensions:
        vector = vector[:dimensions]
    return (vector / np.linalg.norm(vector)).tolist()


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class FakeOllama:
    def __init__(
        self, models: tuple[str, ...] = ("moondream:latest", "nomic-embed-text:v1.5", "phi3:mini")
    ) -> None:
        self._initial_models = models
        self._lock = threading.Lock()
        self.reset()
        self.app = Starlette(
            routes=[
                Route("/api/generate", self._generate, methods=["POST"]),
                Route("/api/chat", self._chat, methods=["POST"]),
                Route("/api/embed", self._embed, methods=["POST"]),
                Route("/api/tags", self._tags, methods=["GET"]),
                Route("/api/version", self._version, methods=["GET"]),
            ]
        )

    # --- scripting and assertions ---------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.models: set[str] = set(self._initial_models)
            self.calls: Counter[str] = Counter()
            self.requests: dict[str, list[dict[str, Any]]] = defaultdict(list)
            self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
            self.default_reply = Reply()
            self.stream_events: list[str] = []
            self.pieces_sent = 0
        self.stream_ended = threading.Event()

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[path].extend(replies)

    def last(self, path: str) -> dict[str, Any]:
        return self.requests[path][-1]

    def _next(self, path: str) -> Reply:
        with self._lock:
            return self._scripts[path].popleft() if self._scripts[path] else self.default_reply

    def _has_model(self, name: str) -> bool:
        return name in self.models or f"{name}:latest" in self.models

    # --- request checks shared by the endpoints ---------------------------------------------------

    async def _read(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        path = request.url.path
        with self._lock:
            self.calls[path] += 1
        try:
            body = json.loads(await request.body())
        except ValueError:
            return None, _error(400, "invalid character looking for beginning of value")
        if not isinstance(body, dict):
            return None, _error(400, "json: cannot unmarshal array into Go value")
        with self._lock:
            self.requests[path].append(body)
        model = body.get("model")
        if not model:
            return None, _error(400, "model is required")
        if "options" in body and not isinstance(body["options"], dict):
            return None, _error(400, "json: cannot unmarshal options")
        fmt = body.get("format")
        if fmt is not None and fmt != "json" and fmt != "" and not isinstance(fmt, dict):
            return None, _error(400, f"invalid format: {json.dumps(fmt)}")
        if not self._has_model(model):
            return None, _error(404, f'model "{model}" not found, try pulling it first')
        return body, None

    @staticmethod
    def _check_images(images: object) -> Response | None:
        if images is None:
            return None
        if not isinstance(images, list):
            return _error(400, "images must be a list")
        for image in images:
            if not isinstance(image, str) or image.startswith("data:"):
                return _error(400, "illegal base64 data at input byte 4")
            try:
                base64.b64decode(image, validate=True)
            except (binascii.Error, ValueError):
                return _error(400, "illegal base64 data at input byte 0")
        return None

    # --- endpoints --------------------------------------------------------------------------------

    async def _generate(self, request: Request) -> Response:
        body, problem = await self._read(request)
        if problem is not None:
            return problem
        assert body is not None
        problem = self._check_images(body.get("images"))
        if problem is not None:
            return problem

        def piece_of(text: str) -> dict[str, Any]:
            return {"response": text}

        return await self._answer(self._next("/api/generate"), body, piece_of, piece_of)

    async def _chat(self, request: Request) -> Response:
        body, problem = await self._read(request)
        if problem is not None:
            return problem
        assert body is not None
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _error(400, "messages are required")
        for message in messages:
            problem = self._check_images(message.get("images") if isinstance(message, dict) else None)
            if problem is not None:
                return problem

        def piece_of(text: str) -> dict[str, Any]:
            return {"message": {"role": "assistant", "content": text}}

        return await self._answer(self._next("/api/chat"), body, piece_of, piece_of)

    async def _answer(self, reply: Reply, body: dict[str, Any], piece_of: Any, whole_of: Any) -> Response:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status >= 400:
            return _error(reply.status, reply.error or "internal error", reply.headers)
        model = body["model"]
        final = {
            "model": model,
            "created_at": CREATED_AT,
            "done": True,
            "done_reason": reply.done_reason,
            "total_duration": 1_234_000_000,
            "prompt_eval_count": 760,
            "eval_count": max(1, len(reply.text) // 4),
        }
        if body.get("stream", True) is False:
            if reply.stream_error:
                return JSONResponse({"error": reply.stream_error}, status_code=500)
            return JSONResponse({**final, **whole_of(reply.text)})

        if reply.tokens is not None:
            pieces = list(reply.tokens)
            final["eval_count"] = len(pieces)
        else:
            pieces = [reply.text[i : i + 7] for i in range(0, len(reply.text), 7)] or [""]

        def ended(how: str) -> None:
            with self._lock:
                self.stream_events.append(how)
            self.stream_ended.set()

        async def lines() -> AsyncIterator[bytes]:
            how = "closed"  # unless the loop below reaches an end of its own
            try:
                for index, piece in enumerate(pieces):
                    if reply.stream_error and index == len(pieces) // 2:
                        yield json.dumps({"error": reply.stream_error}).encode() + b"\n"
                        how = "error"
                        return
                    if reply.stall_after is not None and index == reply.stall_after:
                        how = "stalled"
                        await asyncio.sleep(3600)  # silent, connection open, until the client leaves
                    chunk = {"model": model, "created_at": CREATED_AT, **piece_of(piece), "done": False}
                    yield json.dumps(chunk).encode() + b"\n"
                    with self._lock:
                        self.pieces_sent += 1
                    await asyncio.sleep(reply.token_delay)
                yield json.dumps({**final, **piece_of("")}).encode() + b"\n"
                how = "finished"
            finally:
                ended(how)

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    async def _embed(self, request: Request) -> Response:
        body, problem = await self._read(request)
        if problem is not None:
            return problem
        assert body is not None
        inputs = body.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(text, str) for text in inputs):
            return _error(400, "invalid input type")
        dimensions = body.get("dimensions")
        if dimensions is not None and (not isinstance(dimensions, int) or dimensions < 1):
            return _error(400, "dimensions must be a positive integer")
        if body.get("truncate") is False and any(len(text) > 8192 for text in inputs):
            return _error(400, "input length exceeds the context length")
        reply = self._next("/api/embed")
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status >= 400:
            return _error(reply.status, reply.error or "internal error", reply.headers)
        return JSONResponse(
            {
                "model": body["model"],
                "embeddings": [fake_vector(text, dimensions) for text in inputs],
                "total_duration": 14_000_000,
                "prompt_eval_count": sum(len(text.split()) for text in inputs),
            }
        )

    async def _tags(self, request: Request) -> Response:
        with self._lock:
            self.calls[request.url.path] += 1
            names = sorted(self.models)
        models = [
            {
                "name": name,
                "model": name,
                "size": 1_738_451_197,
                "digest": hashlib.sha256(name.encode()).hexdigest(),
                "details": {"format": "gguf", "family": name.split(":")[0]},
            }
            for name in names
        ]
        return JSONResponse({"models": models})

    async def _version(self, request: Request) -> Response:
        with self._lock:
            self.calls[request.url.path] += 1
        return JSONResponse({"version": VERSION})
