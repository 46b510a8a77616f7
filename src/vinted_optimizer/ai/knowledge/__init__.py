"""The knowledge base the project writes and ships in Italian: one markdown file per topic.

Each ``## `` section of ``<file>.md`` becomes one passage ``guide:<file>#<n>`` (n from 1, in file order),
titled "Guida: <the file's # title> — <the section's heading>". The ids are stable while the sections
keep their order, so an answer that cited one keeps pointing at the same place.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from vinted_optimizer.ai.chat_schemas import Passage


def _passages_of(stem: str, markdown: str) -> list[Passage]:
    document_title = stem
    sections: list[tuple[str, list[str]]] = []
    for line in markdown.splitlines():
        if line.startswith("# "):
            document_title = line[2:].strip()
        elif line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    passages = []
    for index, (heading, lines) in enumerate(sections, start=1):
        text = " ".join(part.strip() for part in lines if part.strip())
        if text:
            passages.append(
                Passage(
                    id=f"guide:{stem}#{index}",
                    kind="guide",
                    title=f"Guida: {document_title} — {heading}",
                    text=text,
                )
            )
    return passages


def guide_passages() -> list[Passage]:
    """Every section of every shipped guide, files in name order."""
    folder = resources.files(__name__)
    out: list[Passage] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".md"):
            out.extend(_passages_of(entry.name.removesuffix(".md"), entry.read_text(encoding="utf-8")))
    return out


def passage_hash(passage: Passage) -> str:
    """What the index compares to know whether a stored passage is still current."""
    return hashlib.sha256(f"{passage.title}\n{passage.text}".encode()).hexdigest()[:32]
