"""The draft's fields through the real pipeline and the fake Ollama: size, colours (the model's before the
pixels'), at most two colours, where each field came from, and the cache's variant."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import pytest

from tests.ai.factories import answer, jpeg
from tests.fakes.ollama import ANSWER_FENCED, FakeOllama
from vinted_optimizer.ai import pipeline
from vinted_optimizer.ai.cache import image_hash
from vinted_optimizer.ai.ocr import LabelReader
from vinted_optimizer.ai.parsing import parse_analysis
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.ai.prompts import PROMPT_VERSION, VISION_PROMPT, VISION_SCHEMA
from vinted_optimizer.ai.schemas import Analysis, CachedAnalysis
from vinted_optimizer.config import Settings

GENERATE = "/api/generate"
NAVY = (53, 53, 141)  # Vinted's "Blu navy" reference


def test_the_schema_and_the_prompt_ask_for_the_size_and_the_material() -> None:
    assert VISION_SCHEMA["properties"]["size"] == {"type": ["string", "null"]}
    assert "size" in VISION_SCHEMA["required"] and "material" in VISION_SCHEMA["required"]
    assert VISION_SCHEMA["properties"]["colors"]["maxItems"] == 2
    assert '"size"' in VISION_PROMPT and "taglia" in VISION_PROMPT
    assert PROMPT_VERSION == "4"


def test_a_size_only_in_the_models_title_is_picked_up() -> None:
    text = json.dumps({"title": "Giacca Levi's taglia M", "category": "giacca di jeans donna", "size": None})
    analysis = parse_analysis(text, model="moondream")
    assert analysis.size == "M" and analysis.sources["size"] == "model"
    assert parse_analysis(ANSWER_FENCED, model="moondream").size == "M"  # "Taglia M" in its description


async def test_the_size_the_model_read_reaches_the_result(
    service: AIService, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(GENERATE, answer(size="EU 38", material="cotone"))
    result = await service.analyze([jpeg()])
    assert result.size == "38" and result.material == "Cotone"
    assert result.sources["size"] == "model" and result.sources["material"] == "model"


async def test_the_models_colours_beat_the_pixels(service: AIService, fake_ollama: FakeOllama) -> None:
    # A navy photo: the pixels say "Blu navy", the model says "blu" and "bianco".
    fake_ollama.script(GENERATE, answer(colors=["blu", "bianco"]))
    result = await service.analyze([jpeg(NAVY, (256, 192))])
    assert result.colors == ["Blu", "Bianco"]
    assert result.sources["colors"] == "model"


async def test_the_pixels_only_when_the_model_named_no_valid_colour(
    service: AIService, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(GENERATE, answer(colors=["trasparente", "jeans lavato"]))
    result = await service.analyze([jpeg(NAVY, (256, 192))])
    assert result.colors == ["Blu navy"]
    assert result.sources["colors"] == "pixels"


async def test_never_more_than_two_colours(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(
        GENERATE,
        answer(colors="rosso, verde, giallo, blu"),
        answer(colors=["nero", "bianco"]),
        answer(colors=["oro", "argento"]),
    )
    result = await service.analyze([jpeg((1, 1, 1)), jpeg((2, 2, 2)), jpeg((3, 3, 3))])
    assert len(result.colors) == 2


async def test_sources_name_each_filled_field_and_survive_the_merge(
    service: AIService, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(
        GENERATE,
        answer(colors=["nuvola"], brand=None, size=None),
        answer(brand="Levi's", size="M", colors=["perla"], price_min=0, price_max=0),  # 0: no price
    )
    result = await service.analyze([jpeg(NAVY, (256, 192)), jpeg((250, 250, 250))])
    assert result.brand == "Levi's" and result.size == "M"
    assert result.sources == {
        "title": "model",
        "description": "model",
        "category": "model",
        "brand": "model",
        "condition": "model",
        "size": "model",
        "colors": "pixels",  # neither answer named a Vinted colour: the first photo's pixels
        "price": "model",
    }


async def test_a_new_prompt_version_does_not_serve_old_answers(
    service: AIService, ai_settings: Settings, fake_ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = jpeg((10, 20, 30))
    # An answer cached by the previous prompt (version 2, no size, three colours) is ignored.
    old_variant = service.cache_variant.replace(f"prompt-{PROMPT_VERSION}", "prompt-2")
    other = await service.analyze([jpeg((99, 99, 99))])
    entry = CachedAnalysis(
        merged=Analysis.model_validate(other.model_dump(include=set(Analysis.model_fields))),
        model_brands=[other.brand],
        label_lines=[[]],
        images_analysed=1,
    )
    await service.cache.put(image_hash([photo]), old_variant, entry)
    calls = fake_ollama.calls[GENERATE]
    assert (await service.analyze([photo])).cached is False
    assert fake_ollama.calls[GENERATE] == calls + 1
    assert (await service.analyze([photo])).cached is True
    # The next bump does the same.
    monkeypatch.setattr(pipeline, "PROMPT_VERSION", str(int(PROMPT_VERSION) + 1))
    assert (await service.analyze([photo])).cached is False
    assert fake_ollama.calls[GENERATE] == calls + 2


async def test_another_ocr_engine_does_not_reuse_the_cache_but_other_known_brands_do(
    make_ai_settings: Callable[..., Settings], fake_ollama: FakeOllama
) -> None:
    settings = make_ai_settings()
    photo = jpeg((5, 50, 5))
    first = AIService(settings, labels=LabelReader(version=lambda: "1.4.4"))
    try:
        assert (await first.analyze([photo])).cached is False
        assert (await first.analyze([photo])).cached is True
        # The family's brands are matched on the cached label text: a longer list is no reason to miss.
        assert (await first.analyze([photo], ["Sartoria Rossi"])).cached is True
        assert (await first.analyze([photo], ["sartoria rossi", "Bottega Bianchi"])).cached is True
    finally:
        await first.aclose()
    other = AIService(settings, labels=LabelReader(version=lambda: "2.0.0"))
    try:
        assert (await other.analyze([photo])).cached is False
    finally:
        await other.aclose()
    with duckdb.connect(str(settings.data_dir / "ai" / "cache.duckdb"), read_only=True) as db:
        variants = {row[0] for row in db.execute("SELECT variant FROM analysis_cache").fetchall()}
    assert {v.split("|")[2] for v in variants} == {"ocr-1.4.4", "ocr-2.0.0"}
