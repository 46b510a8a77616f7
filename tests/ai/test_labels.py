"""Care labels and brand tags read for real (rapidocr-onnxruntime on photos made with Pillow), and how
what they say fills, confirms or corrects the vision model's draft; OCR failing changes nothing else."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.ai.factories import answer, jpeg
from tests.ai.label_photos import BRAND_TAG, CAMERA, CARE_LABEL, LabelSpec, label_photo
from tests.fakes.ollama import FakeOllama
from vinted_optimizer.ai.ocr import LabelReader, shared_reader
from vinted_optimizer.ai.pipeline import AIService
from vinted_optimizer.config import Settings

GENERATE = "/api/generate"


async def test_the_engine_reads_a_care_label_and_a_brand_tag() -> None:
    reader = shared_reader()
    texts = await reader.read([label_photo(CARE_LABEL), label_photo(BRAND_TAG), jpeg()])
    assert texts.complete
    care, tag, plain = ([line.replace(" ", "").upper() for line in lines] for lines in texts.lines)
    assert "TAGLIAM" in care and "80%COTONE" in care and "20%POLIESTERE" in care
    assert "LEVI'S" in tag
    assert plain == []  # a photo without text has no lines
    assert reader.variant == "ocr-1.4.4"


async def test_a_full_size_camera_photo_of_a_label_is_read_too() -> None:
    texts = await shared_reader().read([label_photo(CARE_LABEL, CAMERA, seed=3)])
    assert "80%COTONE" in [line.replace(" ", "").upper() for line in texts.lines[0]]


async def test_the_label_fills_what_the_model_left_empty(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, answer(), answer(brand=None, title="Etichetta"))
    result = await service.analyze([jpeg((40, 70, 160), (256, 192)), label_photo(CARE_LABEL)])
    assert result.size == "M" and result.material == "Cotone"
    assert result.sources["size"] == "label" and result.sources["material"] == "label"
    assert result.brand is None and "brand" not in result.sources  # the care label names no brand
    assert result.sources["category"] == "model"


async def test_the_label_confirms_the_model(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(GENERATE, answer(brand="Levi's", size="M", material="cotone"))
    result = await service.analyze([label_photo(BRAND_TAG)])
    assert result.brand == "Levi's" and result.sources["brand"] == "label"  # read on the tag as well
    assert result.size == "M" and result.sources["size"] == "model"  # the tag states no size


async def test_a_printed_label_beats_the_models_guess(service: AIService, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(
        GENERATE, answer(brand="Zara", size="L", material="lana"), answer(brand="Zara", size="L")
    )
    result = await service.analyze([label_photo(BRAND_TAG), label_photo(CARE_LABEL, seed=1)])
    assert result.brand == "Levi's"  # a known brand on the tag wins over the model's
    assert result.size == "M" and result.material == "Cotone"
    assert {result.sources[f] for f in ("brand", "size", "material")} == {"label"}


async def test_a_brand_only_the_caller_knows(service: AIService, fake_ollama: FakeOllama) -> None:
    tag = label_photo(LabelSpec(("SARTORIA ROSSI", "TAGLIA 46")), seed=2)
    fake_ollama.script(GENERATE, answer())
    unknown = await service.analyze([tag])
    assert unknown.brand is None and unknown.size == "46"  # not a known brand: not taken from the label
    known = await service.analyze([tag], ["Sartoria Rossi", "Bottega Bianchi"])
    # The same photo again, from the cache: its label text is matched with the caller's brands anew.
    assert known.cached is True
    assert known.brand == "Sartoria Rossi" and known.sources["brand"] == "label"


class BrokenEngine:
    def __call__(self, image: bytes) -> object:
        raise RuntimeError("onnxruntime: invalid model")


def missing_package() -> BrokenEngine:
    raise ModuleNotFoundError("No module named 'rapidocr_onnxruntime'")


@pytest.mark.parametrize(
    ("reader", "cached_again"),
    [
        (lambda: LabelReader(missing_package, version=lambda: None), True),  # not installed: a steady state
        (lambda: LabelReader(missing_package, version=lambda: "1.4.4"), False),  # installed but not loading
        (lambda: LabelReader(BrokenEngine, version=lambda: "1.4.4"), False),  # loads, fails on the photo
    ],
)
async def test_without_working_ocr_the_model_still_drafts(
    make_ai_settings: Callable[..., Settings],
    fake_ollama: FakeOllama,
    reader: Callable[[], LabelReader],
    cached_again: bool,
) -> None:
    fake_ollama.script(GENERATE, answer(brand="Levi's", size="L"), answer(brand="Levi's", size="L"))
    service = AIService(make_ai_settings(), labels=reader())
    try:
        result = await service.analyze([label_photo(CARE_LABEL)])
        again = await service.analyze([label_photo(CARE_LABEL)])
    finally:
        await service.aclose()
    assert result.brand == "Levi's" and result.size == "L" and result.material is None
    assert "label" not in result.sources.values()
    # A result whose labels could not be read is not kept: the next try reads them.
    assert again.cached is cached_again


async def test_the_engine_is_loaded_once_and_only_when_a_photo_is_read() -> None:
    loads: list[int] = []

    def load() -> Callable[[bytes], object]:
        loads.append(1)
        return lambda image: (None, 0.0)  # what RapidOCR answers for a photo without text

    reader = LabelReader(load, version=lambda: "1.4.4")
    assert loads == []  # building the service loads nothing
    first = await reader.read([jpeg()])
    second = await reader.read([jpeg(), jpeg((9, 9, 9))])
    assert loads == [1]
    assert first.lines == [[]] and second.lines == [[], []] and second.complete
