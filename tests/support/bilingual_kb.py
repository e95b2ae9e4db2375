"""A complete two-language copy of the shipped knowledge base, for command and import tests.

The shipped French files are copied when there are any; a published English article
without one gets a short stand-in French version (a test fixture, never shipped), so the
copy passes `kb check` whatever state the French translation work is in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.kb.files import SHARED_FIELDS, dump_article
from bot.settings import PROJECT_ROOT

KB_DIR = PROJECT_ROOT / "data" / "kb"


def write_bilingual_kb(dest: Path) -> Path:
    """Copy `data/kb` (with `fr/`) into `dest`, completing the French versions."""
    shutil.copytree(KB_DIR, dest)
    (dest / "fr").mkdir(exist_ok=True)
    for path in sorted(dest.glob("*.yml")):
        english = yaml.safe_load(path.read_text("utf-8"))
        target = dest / "fr" / path.name
        if english["status"] != "published" or target.exists():
            continue
        french = {k: v for k, v in english.items() if k not in SHARED_FIELDS}
        french.update(
            title=f"Sujet {english['slug']}",
            answer="Voici une réponse courte en français.",
            terms={},
            language="fr",
        )
        french.pop("details", None)
        target.write_text(dump_article(french), encoding="utf-8")
    return dest
