"""Small JPEGs, a vision model's answer, an address where nothing listens, and the service token of the AI
tests."""

from __future__ import annotations

import io
import json

from PIL import Image

from tests.fakes.ollama import Reply
from tests.fakes.server import free_port

SERVICE_TOKEN = "service-token-for-tests-0123456789abcdef"


def jpeg(color: tuple[int, int, int] = (40, 70, 160), size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def closed_url() -> str:
    """A loopback port nobody listens on: connection refused, like Ollama switched off."""
    return f"http://127.0.0.1:{free_port()}"


def answer(**fields: object) -> Reply:
    """What the vision model says about a denim jacket (no brand, size or material), ``fields`` changed."""
    base: dict[str, object] = {
        "title": "Giacca di jeans donna",
        "category": "giacca di jeans donna",
        "brand": None,
        "condition": "Ottime condizioni",
        "description": "Giacca di jeans blu con bottoni in metallo.",
        "price_min": 20,
        "price_max": 30,
        "size": None,
        "material": None,
        "colors": ["Blu"],
        "tags": ["jeans"],
    }
    return Reply(text=json.dumps({**base, **fields}, ensure_ascii=False))
