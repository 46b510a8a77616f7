"""What reading labels costs on this machine, and how well the facts come out.

    .venv/bin/python bench/ocr.py [--rounds 3] [--skip-full-size]

Generated photos of care labels and brand tags (``tests/ai/label_photos.py``: twelve labels in Italian,
English and French, turned, soft, noisy, JPEG) are read through the AI service's own ``LabelReader``
(rapidocr-onnxruntime, off the event loop) and their facts extracted as the pipeline does. Printed: the
engine's cold start (loading the models, then the first photo) apart from the warm per-photo times,
median and p95, at the size the server sends (1024 px long side) and at a phone camera's full size
(4000 × 3000); the installed size the OCR packages add; and the share of brand, size and material read
right, also on harder photos of the same labels (the extraction rules were tuned on the normal ones).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ai.label_photos import CAMERA, LABEL_SET, SERVED, LabelSpec, label_photo  # noqa: E402

from vinted_optimizer.ai.labels import brand_candidates, read_labels  # noqa: E402
from vinted_optimizer.ai.ocr import LabelReader  # noqa: E402
from vinted_optimizer.kit.logging import configure_logging  # noqa: E402

# What `uv lock` added with rapidocr-onnxruntime (onnxruntime, numpy and Pillow were already there).
ADDED_PACKAGES = ("rapidocr-onnxruntime", "opencv-python-headless", "shapely", "pyclipper")
FIELDS = ("brand", "size", "material")


def installed_mb(name: str) -> float:
    dist = importlib.metadata.distribution(name)
    total = 0
    for file in dist.files or ():
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total / 1_000_000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def read_one(reader: LabelReader, photo: bytes) -> tuple[float, list[str]]:
    started = time.perf_counter()
    texts = asyncio.run(reader.read([photo]))
    return time.perf_counter() - started, texts.lines[0]


def measure(
    reader: LabelReader, size: tuple[int, int], rounds: int, *, hard: bool = False
) -> tuple[list[float], dict[str, list[bool]]]:
    times: list[float] = []
    right: dict[str, list[bool]] = {field: [] for field in FIELDS}
    for round_ in range(rounds):
        for index, spec in enumerate(LABEL_SET):
            photo = label_photo(spec, size, seed=100 * round_ + index, hard=hard)
            elapsed, lines = read_one(reader, photo)
            times.append(elapsed)
            facts = read_labels([lines], brand_candidates([]))
            for field in FIELDS:
                right[field].append(getattr(facts, field) == getattr(spec, field))
    return times, right


def report(
    label: str, times: list[float], right: dict[str, list[bool]], specs: tuple[LabelSpec, ...]
) -> None:
    ms = [t * 1000 for t in times]
    print(
        f"{label}: {len(ms)} photos, median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms"
    )
    rounds = len(times) // len(specs)
    for field in FIELDS:
        stated = [getattr(spec, field) is not None for spec in specs] * rounds
        found = sum(1 for ok, s in zip(right[field], stated, strict=True) if ok and s)
        wrong = sum(1 for ok in right[field] if not ok)
        print(f"  {field:<8} {found}/{sum(stated)} stated values read right, {wrong} wrong or missed")
    exact = sum(all(right[f][i] for f in FIELDS) for i in range(len(times)))
    print(f"  every field right on {exact}/{len(times)} photos")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes over the twelve labels at 1024 px")
    parser.add_argument("--skip-full-size", action="store_true", help="skip the 4000 × 3000 photos")
    args = parser.parse_args()
    configure_logging("WARNING")

    reader = LabelReader()
    if reader.version is None:
        sys.exit("rapidocr-onnxruntime is not installed (it needs Python < 3.13): nothing to measure")
    print(f"rapidocr-onnxruntime {reader.version} on {len(LABEL_SET)} generated labels")
    load_1m = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load_1m:.1f} at the start (busy: slower)")

    started = time.perf_counter()
    asyncio.run(reader.read([]))  # nothing to read: only the engine's load
    load = time.perf_counter() - started
    first, _ = read_one(reader, label_photo(LABEL_SET[0], SERVED, seed=999))
    print(f"cold start: engine load {load * 1000:.0f} ms, then the first photo {first * 1000:.0f} ms")

    times, right = measure(reader, SERVED, args.rounds)
    report(f"warm, {SERVED[0]} × {SERVED[1]} (as the server sends)", times, right, LABEL_SET)
    times, right = measure(reader, SERVED, 1, hard=True)
    report("harder photos, 1024 × 768 (smaller, more turned, softer, noisier)", times, right, LABEL_SET)
    if not args.skip_full_size:
        times, right = measure(reader, CAMERA, 1)
        report(f"warm, {CAMERA[0]} × {CAMERA[1]} (a camera's full size)", times, right, LABEL_SET)

    sizes = {name: installed_mb(name) for name in ADDED_PACKAGES}
    listed = ", ".join(f"{name} {mb:.0f} MB" for name, mb in sizes.items())
    print(f"installed size added: {sum(sizes.values()):.0f} MB ({listed})")


if __name__ == "__main__":
    main()
