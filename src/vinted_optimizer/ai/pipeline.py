"""The AI service: photos → cached or fresh analysis; texts → embeddings; and its own health.

Photos arrive already processed by the image pipeline (EXIF-free JPEGs, ≤ 1024 px), so they are hashed
as they are. The first ``ai_max_images`` photos are analysed, one request each and one after the other:
Ollama on a home machine usually runs one request at a time, so parallel requests would only queue and
make the later ones hit the timeout. If the first photo fails, Ollama is down or overloaded and the
error is raised at once; if a later one fails, the photos already analysed still give a result, which is
returned but not cached (a complete analysis should replace it on the next try).

Then the labels: the text of every photo is read (``ocr.py``) and what a care label or a brand tag states
corrects the model's brand, size and material (``labels.py``). Colours the model named win; only when it
named none that Vinted knows do the pixels of the first photo give them (``pixels.py``). Each filled field
says where its value came from (``Analysis.sources``).

The cache keeps the slow parts, the model's merged answer and the labels' text (``CachedAnalysis``), by
photos, model, prompt version and OCR engine; the brands a caller knows are matched against that text on
every hit, so a family adding brands does not make the same photos miss.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

import structlog

from vinted_optimizer.ai.cache import AnalysisCache, image_hash
from vinted_optimizer.ai.chat import ChatService
from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, Passage
from vinted_optimizer.ai.embeddings import LOCAL_MODEL_NAME, FallbackEmbedder, create_embedder
from vinted_optimizer.ai.errors import AIInvalidInput, AIModelMissing, AIUnavailable
from vinted_optimizer.ai.labels import apply_label, brand_candidates, read_labels
from vinted_optimizer.ai.merge import merge_analyses
from vinted_optimizer.ai.ocr import LabelReader, shared_reader
from vinted_optimizer.ai.ollama import OllamaClient
from vinted_optimizer.ai.parsing import parse_analysis
from vinted_optimizer.ai.pixels import pixel_colors
from vinted_optimizer.ai.prompts import PROMPT_VERSION, VISION_OPTIONS, VISION_PROMPT, VISION_SCHEMA
from vinted_optimizer.ai.retrieval import FAMILY_KINDS, Retriever
from vinted_optimizer.ai.schemas import (
    MAX_EMBED_TEXT_CHARS,
    MAX_EMBED_TEXTS,
    Analysis,
    AnalyzeResult,
    CachedAnalysis,
    EmbedKind,
    EmbedResult,
)
from vinted_optimizer.config import Settings

log = structlog.get_logger(__name__)

JPEG_MAGIC = b"\xff\xd8\xff"
MAX_KNOWN_BRANDS = 2000
MAX_BRAND_CHARS = 60


def clean_brands(brands: Sequence[str] | None) -> list[str]:
    """The caller's known brands, trimmed, without repeats, bounded."""
    out: dict[str, str] = {}
    for brand in brands or ():
        name = " ".join(str(brand).split())
        if 0 < len(name) <= MAX_BRAND_CHARS:
            out.setdefault(name.casefold(), name)
    return list(out.values())[:MAX_KNOWN_BRANDS]


def model_present(name: str, available: Sequence[str]) -> bool:
    """Ollama resolves a name without a tag to ":latest"."""
    wanted = name if ":" in name else f"{name}:latest"
    return wanted in available or name in available


class AIService:
    def __init__(
        self,
        settings: Settings,
        *,
        ollama: OllamaClient | None = None,
        clock: Callable[[], float] = time.time,
        labels: LabelReader | None = None,
    ) -> None:
        self.settings = settings
        self.labels = labels or shared_reader()
        self.vision_model = settings.ollama_vision_model
        self.ollama = ollama
        if self.ollama is None and settings.ollama_url:
            self.ollama = OllamaClient(settings.ollama_url, settings.ollama_timeout_seconds)
        self.cache = AnalysisCache(
            settings.data_dir / "ai" / "cache.duckdb", settings.ai_cache_ttl_hours * 3600, clock=clock
        )
        self.embedder = create_embedder(settings.ollama_embed_model, self.ollama)
        self.retriever = Retriever(settings)
        self.chat_service = ChatService(settings, self.retriever)

    async def start(self) -> None:
        """At service start: bring the guides' index up to date (idempotent; a failure is logged, and
        the first search tries again)."""
        try:
            await self.retriever.index_guides()
        except Exception as error:  # noqa: BLE001 - the service still analyses photos without it
            log.warning("ai.retrieval.index_failed", error=type(error).__name__, detail=str(error)[:200])

    @property
    def cache_variant(self) -> str:
        return f"{self.vision_model}|prompt-{PROMPT_VERSION}|{self.labels.variant}"

    async def _finish(
        self, entry: CachedAnalysis, brands: list[str], first_photo: bytes, key: str, *, cached: bool
    ) -> AnalyzeResult:
        """The labels' facts (matched with the caller's brands) over the model's answer; the pixels'
        colours only when the model named none."""
        facts = read_labels(entry.label_lines, brand_candidates(entry.model_brands, brands))
        merged = apply_label(entry.merged, facts)
        if not merged.colors:
            merged = await self._colours_from_pixels(merged, first_photo)
        return AnalyzeResult(
            **merged.model_dump(), cached=cached, image_hash=key, images_analysed=entry.images_analysed
        )

    async def analyze(
        self, images: Sequence[bytes], known_brands: Sequence[str] | None = None
    ) -> AnalyzeResult:
        """``known_brands``: brands the caller knows (the family's own), matched on labels too."""
        if not images:
            raise AIInvalidInput("Nessuna foto da analizzare.")
        if any(not isinstance(image, bytes) or not image.startswith(JPEG_MAGIC) for image in images):
            raise AIInvalidInput("Le foto da analizzare devono essere JPEG.")
        selected = list(images[: self.settings.ai_max_images])
        key = image_hash(selected)
        brands = clean_brands(known_brands)
        cached = await self.cache.get(key, self.cache_variant)
        if cached is not None:
            log.info("ai.analyze.cache_hit", image_hash=key[:16], images=len(selected))
            return await self._finish(cached, brands, selected[0], key, cached=True)
        if self.ollama is None:
            raise AIUnavailable("Ollama non è configurato (VO_OLLAMA_URL): l'analisi resta in attesa.")

        started = time.perf_counter()
        analyses, complete = await self._analyse_each(selected)
        texts = await self.labels.read(selected)
        entry = CachedAnalysis(
            merged=merge_analyses(analyses),
            model_brands=[analysis.brand for analysis in analyses],
            label_lines=texts.lines,
            images_analysed=len(analyses),
        )
        result = await self._finish(entry, brands, selected[0], key, cached=False)
        # A partial or empty (unparseable) answer, or one whose labels could not be read, is not worth
        # keeping for a day.
        if complete and texts.complete and result.confidence > 0:
            await self.cache.put(key, self.cache_variant, entry)
        log.info(
            "ai.analyze.done",
            image_hash=key[:16],
            images=len(selected),
            analysed=len(analyses),
            category_id=result.category_id,
            confidence=result.confidence,
            label_fields=sorted(field for field, source in result.sources.items() if source == "label"),
            duration_ms=round((time.perf_counter() - started) * 1000),
        )
        return result

    async def _colours_from_pixels(self, analysis: Analysis, photo: bytes) -> Analysis:
        try:
            colors = await asyncio.to_thread(pixel_colors, photo)
        except (OSError, ValueError) as error:  # an undecodable photo: no colours rather than no analysis
            log.warning("ai.analyze.pixels_failed", error=type(error).__name__)
            return analysis
        if not colors:
            return analysis
        return analysis.model_copy(
            update={"colors": colors, "sources": {**analysis.sources, "colors": "pixels"}}
        )

    async def _analyse_each(self, images: list[bytes]) -> tuple[list[Analysis], bool]:
        assert self.ollama is not None
        analyses: list[Analysis] = []
        for index, image in enumerate(images):
            try:
                answer = await self.ollama.generate(
                    self.vision_model,
                    VISION_PROMPT,
                    [image],
                    format=VISION_SCHEMA,
                    options=VISION_OPTIONS,
                    stream=True,  # bytes keep flowing: a stalled model is noticed, proxies stay patient
                )
            except AIModelMissing:
                raise
            except AIUnavailable:
                if not analyses:
                    raise
                log.warning("ai.analyze.partial", analysed=len(analyses), failed_at=index)
                return analyses, False
            analyses.append(parse_analysis(answer.text, model=self.vision_model, truncated=answer.truncated))
        return analyses, True

    async def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> EmbedResult:
        if not 1 <= len(texts) <= MAX_EMBED_TEXTS:
            raise AIInvalidInput(f"Da 1 a {MAX_EMBED_TEXTS} testi per richiesta.")
        if any(len(text) > MAX_EMBED_TEXT_CHARS for text in texts):
            raise AIInvalidInput(f"Ogni testo può avere al massimo {MAX_EMBED_TEXT_CHARS} caratteri.")
        return await self.embedder.embed(list(texts), kind)

    def chat(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        return self.chat_service.chat(request)

    async def index_documents(self, family_id: uuid.UUID, documents: Sequence[Passage]) -> int:
        wrong = sorted({d.kind for d in documents} - FAMILY_KINDS)
        if wrong:
            raise AIInvalidInput(f"Tipo di documento non indicizzabile: {', '.join(wrong)}.")
        return await self.retriever.index_documents(family_id, documents)

    async def delete_documents(self, family_id: uuid.UUID, ids: Sequence[str]) -> int:
        await self.retriever.delete_documents(family_id, ids)
        return len(ids)

    async def health(self) -> dict[str, Any]:
        """What works right now; never raises and never includes URLs or secrets."""
        embed_model = self.settings.ollama_embed_model.strip() or None
        report: dict[str, Any] = {
            "status": "degraded",
            "ollama": {"configured": self.ollama is not None, "reachable": False, "version": None},
            "vision_model": {"name": self.vision_model, "present": None},
            "embedder": {
                "configured": embed_model,
                "in_use": LOCAL_MODEL_NAME,
                "dimensions": self.embedder.dimensions,
            },
            "cache": {
                "enabled": self.cache.enabled,
                "ttl_hours": self.settings.ai_cache_ttl_hours,
                **self.cache.stats(),
            },
            "chat": {
                "model": self.settings.ollama_chat_model,
                "present": None,
                "embedded": self.chat_service.embedded.name if self.chat_service.embedded else None,
                "mode": "embedded" if self.chat_service.embedded else "retrieval_only",
            },
        }
        if self.ollama is None:
            return report
        timeout = self.settings.health_timeout_seconds
        version, available = await asyncio.gather(
            self.ollama.version(within_seconds=timeout),
            self.ollama.tags(within_seconds=timeout),
            return_exceptions=True,
        )
        failure = next((r for r in (version, available) if isinstance(r, BaseException)), None)
        if failure is not None or not isinstance(available, list):
            log.warning("ai.health.ollama_unavailable", error=type(failure).__name__)
            report["ollama"]["detail"] = failure.detail if isinstance(failure, AIUnavailable) else "errore"
            if isinstance(self.embedder, FallbackEmbedder):
                report["embedder"]["in_use"] = None  # unknown until Ollama answers
            return report
        vision_present = model_present(self.vision_model, available)
        report["ollama"].update(reachable=True, version=version)
        report["vision_model"]["present"] = vision_present
        chat_present = model_present(self.settings.ollama_chat_model, available)
        report["chat"]["present"] = chat_present
        if chat_present:
            report["chat"]["mode"] = "ollama"
        uses_ollama = isinstance(self.embedder, FallbackEmbedder) and embed_model is not None
        if uses_ollama and model_present(embed_model or "", available):
            report["embedder"]["in_use"] = embed_model
        report["status"] = "ok" if vision_present else "degraded"
        return report

    async def aclose(self) -> None:
        await self.cache.aclose()
        await self.chat_service.aclose()
        if self.ollama is not None:
            await self.ollama.aclose()
