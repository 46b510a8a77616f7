"""Reading the text of care labels and brand tags in the photos (RapidOCR: PP-OCRv4 models in ONNX, shipped
inside the ``rapidocr-onnxruntime`` wheel; nothing is downloaded).

Home side only. The engine is loaded once per process, lazily (about 0.3 s and 60 MB of memory), the
first time a photo is read, and every call runs in a worker thread, one at a time: the home machine has
few cores and the vision model needs them too. OCR is an extra: if the package is missing (it declares
Python < 3.13), the engine does not load, or a photo cannot be read, the photo simply has no label text
and the analysis goes on from the vision model alone.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger(__name__)

PACKAGE = "rapidocr-onnxruntime"
# Lines read with less confidence than this are noise more often than text.
MIN_LINE_SCORE = 0.6

Engine = Callable[[bytes], Any]


def package_version() -> str | None:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def load_rapidocr() -> Engine:
    from rapidocr_onnxruntime import RapidOCR

    engine: Engine = RapidOCR()
    return engine


@dataclass(frozen=True)
class LabelTexts:
    lines: list[list[str]]  # per photo, the lines read, in reading order
    complete: bool  # False when the engine or a photo failed (the answer is then not worth caching)


class LabelReader:
    def __init__(
        self,
        load: Callable[[], Engine] = load_rapidocr,
        *,
        version: Callable[[], str | None] = package_version,
    ) -> None:
        self._load = load
        self._engine: Engine | None = None
        self._failed = False
        self._lock = threading.Lock()
        self.version = version()  # None: the package is not installed

    @property
    def variant(self) -> str:
        """Part of the analysis cache key: another engine (or none) reads other text."""
        return f"ocr-{self.version}" if self.version else "ocr-none"

    def _engine_or_none(self) -> Engine | None:
        if self._engine is None and not self._failed:
            try:
                self._engine = self._load()
            except Exception as error:  # noqa: BLE001 - a missing or broken OCR never breaks an analysis
                log.warning("ai.ocr.unavailable", error=type(error).__name__)
                self._failed = True
        return self._engine

    def _read_all(self, images: Sequence[bytes]) -> LabelTexts:
        with self._lock:
            engine = self._engine_or_none()
            if engine is None:
                # Not installed is a steady state (cacheable); installed but failing is not.
                return LabelTexts([[] for _ in images], complete=self.version is None)
            lines: list[list[str]] = []
            complete = True
            for index, image in enumerate(images):
                try:
                    found, _elapsed = engine(image)
                except Exception as error:  # noqa: BLE001
                    log.warning("ai.ocr.photo_failed", photo=index, error=type(error).__name__)
                    lines.append([])
                    complete = False
                    continue
                lines.append(
                    [str(text) for _box, text, score in found or () if float(score) >= MIN_LINE_SCORE]
                )
            return LabelTexts(lines, complete)

    async def read(self, images: Sequence[bytes]) -> LabelTexts:
        """The text of each photo, off the event loop; never raises."""
        return await asyncio.to_thread(self._read_all, list(images))


_shared: LabelReader | None = None
_shared_lock = threading.Lock()


def shared_reader() -> LabelReader:
    """One engine per process, however many AI services it builds."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LabelReader()
        return _shared
