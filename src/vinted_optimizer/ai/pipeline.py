"""The AI service: photos → cached or fresh analysis; texts → embeddings; and its own health.

Photos arrive already processed by the image pipeline (EXIF-free JPEGs, ≤ 1024 px), so they are hashed
as they are. The first ``ai_max_images`` photos are analysed, one request each and one after the other:
Ollama on a home machine usually runs one request at a time, so parallel requests would only queue and
make the later ones hit the timeout. If the first photo fails, Ollama is down or overloaded and the
error is raised at once; if a later one fails, the photos already analysed still give a result, which is
returned but not cached (a complete analysis should replace it on the next try).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from vinted_optimizer.ai.cache import AnalysisCache, image_hash
from vinted_optimizer.ai.embeddings import LOCAL_MODEL_NAME, FallbackEmbedder, create_embedder
from vinted_optimizer.ai.errors import AIInvalidInput, AIModelMissing, AIUnavailable
from vinted_optimizer.ai.merge import merge_analyses
from vinted_optimizer.ai.ollama import OllamaClient
from vinted_optimizer.ai.parsing import parse_analysis
from vinted_optimizer.ai.prompts import PROMPT_VERSION, VISION_OPTIONS, VISION_PROMPT, VISION_SCHEMA
from vinted_optimizer.ai.schemas import (
    MAX_EMBED_TEXT_CHARS,
    MAX_EMBED_TEXTS,
    Analysis,
    AnalyzeResult,
    EmbedKind,
    EmbedResult,
)
from vinted_optimizer.config import Settings

log = structlog.get_logger(__name__)

JPEG_MAGIC = b"\xff\xd8\xff"


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
    ) -> None:
        self.settings = settings
        self.vision_model = settings.ollama_vision_model
        self.ollama = ollama
        if self.ollama is None and settings.ollama_url:
            self.ollama = OllamaClient(settings.ollama_url, settings.ollama_timeout_seconds)
        self.cache = AnalysisCache(
            settings.data_dir / "ai" / "cache.duckdb", settings.ai_cache_ttl_hours * 3600, clock=clock
        )
        self.embedder = create_embedder(settings.ollama_embed_model, self.ollama)

    @property
    def cache_variant(self) -> str:
        return f"{self.vision_model}|prompt-{PROMPT_VERSION}"

    async def analyze(self, images: Sequence[bytes]) -> AnalyzeResult:
        if not images:
            raise AIInvalidInput("Nessuna foto da analizzare.")
        if any(not isinstance(image, bytes) or not image.startswith(JPEG_MAGIC) for image in images):
            raise AIInvalidInput("Le foto da analizzare devono essere JPEG.")
        selected = list(images[: self.settings.ai_max_images])
        key = image_hash(selected)
        cached = await self.cache.get(key, self.cache_variant)
        if cached is not None:
            log.info("ai.analyze.cache_hit", image_hash=key[:16], images=len(selected))
            return cached.model_copy(update={"cached": True})
        if self.ollama is None:
            raise AIUnavailable("Ollama non è configurato (VO_OLLAMA_URL): l'analisi resta in attesa.")

        started = time.perf_counter()
        analyses, complete = await self._analyse_each(selected)
        merged = merge_analyses(analyses)
        result = AnalyzeResult(
            **merged.model_dump(), cached=False, image_hash=key, images_analysed=len(analyses)
        )
        # A partial or empty (unparseable) answer is not worth keeping for a day.
        if complete and result.confidence > 0:
            await self.cache.put(key, self.cache_variant, result)
        log.info(
            "ai.analyze.done",
            image_hash=key[:16],
            images=len(selected),
            analysed=len(analyses),
            category_id=result.category_id,
            confidence=result.confidence,
            duration_ms=round((time.perf_counter() - started) * 1000),
        )
        return result

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
            "cache": {"enabled": self.cache.enabled, "ttl_hours": self.settings.ai_cache_ttl_hours},
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
        uses_ollama = isinstance(self.embedder, FallbackEmbedder) and embed_model is not None
        if uses_ollama and model_present(embed_model or "", available):
            report["embedder"]["in_use"] = embed_model
        report["status"] = "ok" if vision_present else "degraded"
        return report

    async def aclose(self) -> None:
        await self.cache.aclose()
        if self.ollama is not None:
            await self.ollama.aclose()
