"""Embeddings: Ollama with prefix and 512 dimensions, the 404 fallback, and the local encoder for real."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.ai.factories import closed_url
from tests.fakes.ollama import FakeOllama
from vinted_optimizer.ai.embeddings import LOCAL_MODEL_NAME, LocalEmbedder
from vinted_optimizer.ai.errors import AIInvalidInput, AIUnavailable
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.ai.schemas import EmbedKind, EmbedResult
from vinted_optimizer.config import Settings

EMBED = "/api/embed"


def _unit(vectors: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float64)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    return matrix


async def _embed(settings: Settings, texts: list[str], kind: EmbedKind = "document") -> EmbedResult:
    service = AIService(settings)
    try:
        return await service.embed(texts, kind)
    finally:
        await service.aclose()


@pytest.mark.parametrize(("kind", "prefix"), [("document", "search_document: "), ("query", "search_query: ")])
async def test_ollama_path_prefix_and_dimensions(
    ai_settings: Settings, fake_ollama: FakeOllama, kind: EmbedKind, prefix: str
) -> None:
    result = await _embed(ai_settings, ["Giacca di jeans", "Piatti"], kind)
    assert result.model == "nomic-embed-text:v1.5"
    assert result.dimensions == 512
    assert _unit(result.vectors).shape == (2, 512)
    sent = fake_ollama.last(EMBED)
    assert sent["model"] == "nomic-embed-text:v1.5"
    assert sent["input"] == [prefix + "Giacca di jeans", prefix + "Piatti"]
    assert sent["dimensions"] == 512


async def test_missing_ollama_model_falls_back_to_local_for_that_call(
    ai_settings: Settings, fake_ollama: FakeOllama
) -> None:
    fake_ollama.models.discard("nomic-embed-text:v1.5")
    result = await _embed(ai_settings, ["Giacca di jeans"])
    assert result.model == LOCAL_MODEL_NAME
    assert _unit(result.vectors).shape == (1, 512)
    assert fake_ollama.calls[EMBED] == 1


async def test_ollama_down_is_not_silently_replaced(make_ai_settings: Callable[..., Settings]) -> None:
    with pytest.raises(AIUnavailable):
        await _embed(make_ai_settings(ollama_url=closed_url()), ["Giacca"])


async def test_empty_model_name_means_local_only(
    make_ai_settings: Callable[..., Settings], fake_ollama: FakeOllama
) -> None:
    result = await _embed(make_ai_settings(ollama_embed_model=""), ["Giacca"])
    assert result.model == LOCAL_MODEL_NAME
    assert fake_ollama.calls[EMBED] == 0


async def test_invalid_requests(ai_settings: Settings) -> None:
    with pytest.raises(AIInvalidInput):
        await _embed(ai_settings, [])
    with pytest.raises(AIInvalidInput):
        await _embed(ai_settings, ["x"] * 65)
    with pytest.raises(AIInvalidInput):
        await _embed(ai_settings, ["x" * 8001])


async def test_local_encoder_runs_and_understands_italian_and_english() -> None:
    result = await LocalEmbedder().embed(
        [
            "Giacca di jeans blu da donna, taglia M",
            "Blue denim jacket for women, size M",
            "Set di sei piatti in ceramica bianca",
            "",
        ]
    )
    assert result.model == LOCAL_MODEL_NAME and result.dimensions == 512
    vectors = _unit(result.vectors[:3])
    assert len(result.vectors[3]) == 512  # an empty text still gets a vector
    paraphrase = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ vectors[2])
    assert paraphrase > 0.6
    assert paraphrase > unrelated + 0.3


async def test_local_encoder_is_deterministic() -> None:
    first = await LocalEmbedder().embed(["Scarpe da ginnastica Nike"])
    second = await LocalEmbedder().embed(["Scarpe da ginnastica Nike"], "query")
    assert np.allclose(first.vectors, second.vectors)
