"""Photo pipeline speed on 12-megapixel JPEGs, against a naive Pillow open/resize/save, and the cache-hit
latency of the AI service's /analyze.

    .venv/bin/python bench/images.py [--photos 12] [--analyze-requests 200]

The project's path: validate by content, draft-mode decode, EXIF orientation, resize to ≤ 1024 px, JPEG
q85 without metadata, thumbnail, SHA-256, perceptual hash, colours and quality hints. The naive path: open,
full decode, resize to 1024 px (Lanczos), save q85. The /analyze figure runs the real AI service over HTTP
on loopback, in front of a local stand-in for Ollama, after one call has filled the cache.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vinted_optimizer.images.processing import process_image  # noqa: E402
from vinted_optimizer.kit.logging import configure_logging  # noqa: E402

WIDTH, HEIGHT = 4000, 3000
TOKEN = "bench-token-0123456789abcdef0123456789"  # 12 megapixels, a phone camera's 4:3


def camera_photo(seed: int) -> bytes:
    """Smooth light, an object, texture and noise: compresses like a real photo (3–5 MB at q92)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    light = 150 + 60 * np.sin(x / 900 + seed) * np.cos(y / 700)
    pixels = np.stack([light, light * 0.95, light * 0.9], axis=2)
    cy, cx = HEIGHT // 2, WIDTH // 2
    item = ((x - cx) / 1300) ** 2 + ((y - cy) / 1000) ** 2 < 1
    pixels[item] = rng.integers(40, 200, size=3)
    pixels += rng.normal(0, 9, size=pixels.shape)
    pixels[::7, :, :] += 12  # fabric-like texture
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def naive(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image = image.resize((1024, 768), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_processing(count: int) -> tuple[float, float]:
    photos = [camera_photo(seed) for seed in range(count)]
    sizes = [len(p) / 1e6 for p in photos]
    megapixels = WIDTH * HEIGHT / 1e6
    spread = f"{min(sizes):.1f}–{max(sizes):.1f} MB"
    print(f"{count} JPEG photos of {WIDTH}×{HEIGHT} ({megapixels:.0f} MP), {spread} each")
    process_image(photos[0], max_bytes=20_000_000, max_pixels=40_000_000)  # warm imports and caches
    naive(photos[0])
    ours, baseline = [], []
    for data in photos:
        started = time.perf_counter()
        process_image(data, max_bytes=20_000_000, max_pixels=40_000_000)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        naive(data)
        baseline.append((time.perf_counter() - started) * 1000)
    print()
    print(f"{'path':<44}{'median ms':>11}{'p95 ms':>10}")
    print("-" * 65)
    for label, values in (
        ("project (validate+process+thumbnail+hashes)", ours),
        ("naive Pillow open/resize/save", baseline),
    ):
        print(f"{label:<44}{statistics.median(values):>11.1f}{percentile(values, 0.95):>10.1f}")
    ratio = statistics.median(baseline) / statistics.median(ours)
    print(f"speed-up (median): {ratio:.1f}×  (target ≥ 3×)")
    return statistics.median(ours), ratio


async def bench_analyze_cache_hit(requests: int) -> None:
    import httpx
    from tests.fakes.ollama import FakeOllama
    from tests.fakes.server import serve_in_thread

    from vinted_optimizer.ai.app import create_ai_app
    from vinted_optimizer.config import Settings

    photo = process_image(camera_photo(99), max_bytes=20_000_000, max_pixels=40_000_000).jpeg
    fake = FakeOllama()
    with tempfile.TemporaryDirectory(prefix="vo-bench-") as folder, serve_in_thread(fake.app) as ollama_url:
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            ollama_url=ollama_url,
            service_token=TOKEN,
            process="ai-service",
        )
        with serve_in_thread(create_ai_app(settings), lifespan=True) as ai_url:
            headers = {"X-Service-Token": TOKEN}
            files = {"files": ("foto.jpg", photo, "image/jpeg")}
            async with httpx.AsyncClient(base_url=ai_url, headers=headers, timeout=60) as client:
                first = await client.post("/analyze", files=files)
                first.raise_for_status()
                calls_after_first = fake.calls.get("/api/generate", 0)
                latencies = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await client.post("/analyze", files=files)
                    latencies.append((time.perf_counter() - started) * 1000)
                    assert response.json()["cached"] is True
            assert fake.calls.get("/api/generate", 0) == calls_after_first, "a cache hit called the model"
    print()
    print(f"/analyze cache hit over HTTP (1 photo, {len(photo) / 1024:.0f} KB), {requests} requests:")
    median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    print(f"  median {median:.2f} ms, p95 {p95:.2f} ms; model calls during hits: 0")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--analyze-requests", type=int, default=200)
    args = parser.parse_args()
    configure_logging("WARNING")
    bench_processing(args.photos)
    asyncio.run(bench_analyze_cache_hit(args.analyze_requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
