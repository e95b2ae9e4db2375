"""The article editor's forms: one per language version, their fields and their values.

Pure functions between what a form posts (or the preview sends as JSON) and an article
version's fields; `web.admin.articles` runs the pages around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.kb.files import ENTITY_KINDS, LANGUAGE_NAMES, SHARED_FIELDS
from bot.kb.reading_level import MAX_GRADE, MIN_EASE
from bot.kb.tables import Article
from bot.language import DEFAULT_LANGUAGE, as_language

TEXT_FIELDS = ("slug", "title", "group", "answer", "details")
SOURCE_SEPARATOR = " | "  # one source a line: "name | https://address"
# The editor's example of a source line, per language (real publishers' home pages).
SOURCE_EXAMPLES = {
    "en": 'US National Cancer Institute, "CAR T Cells" | '
    "https://www.cancer.gov/about-cancer/treatment/research/car-t-cells",
    "fr": "Institut national du cancer (INCa) | https://www.e-cancer.fr/",
}
# The reading target the editor names beside the answer, as `kb check` measures it.
READING_TARGETS = {
    "en": f"reading grade {MAX_GRADE:g} or below",
    "fr": f"French reading ease {MIN_EASE:g} or more",
}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def sources_from_lines(value: str) -> list[dict[str, str]]:
    """The sources typed one a line as "name | https://address" (the address may be left out).

    The address is after the last "|", so a name may hold one; `kb check` then says
    which line lacks an address or has one that is not https.
    """
    sources = []
    for line in value.splitlines():
        name, sep, url = line.rpartition("|") if "|" in line else (line, "", "")
        source = {"name": " ".join(name.split())}
        if url.strip():
            source["url"] = url.strip()
        if source["name"] or url.strip():
            sources.append(source)
    return sources


def sources_to_lines(sources: Any) -> str:
    """The editor's text for a list of sources, one a line."""
    lines = []
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict):
            name, url = str(source.get("name") or ""), str(source.get("url") or "")
            lines.append(f"{name}{SOURCE_SEPARATOR}{url}" if url else name)
    return "\n".join(lines)


def language_from(values: Mapping[str, Any]) -> str:
    """The version a form or a link is about (`language` or `lang`); English by default."""
    value = values.get("language") or values.get("lang")
    return as_language(value) or DEFAULT_LANGUAGE


def fields_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """The article version's fields from the editor's inputs (a form or the preview's JSON).

    Related slugs and terms are typed comma-separated; one input per kind of term. A
    translation's form has no group or related topics (the English version's are shared)
    and says its `language`.
    """

    def text(name: str) -> str:
        value = values.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    fields: dict[str, Any] = {name: text(name) for name in TEXT_FIELDS}
    fields["sources"] = sources_from_lines(text("sources"))
    fields["related"] = _split(text("related"))
    fields["terms"] = {
        kind: _split(text(f"terms_{kind}")) for kind in ENTITY_KINDS if text(f"terms_{kind}")
    }
    if not fields["details"]:
        del fields["details"]
    language = language_from(values)
    if language != DEFAULT_LANGUAGE:
        for name in SHARED_FIELDS:
            fields.pop(name, None)
        fields["language"] = language
    return fields


def form_values(fields: Mapping[str, Any]) -> dict[str, str]:
    """The editor's inputs filled from an article's fields."""
    values = {name: str(fields.get(name) or "") for name in TEXT_FIELDS}
    values["sources"] = sources_to_lines(fields.get("sources"))
    values["related"] = ", ".join(fields.get("related") or [])
    for kind in ENTITY_KINDS:
        values[f"terms_{kind}"] = ", ".join((fields.get("terms") or {}).get(kind) or [])
    return values


@dataclass
class VersionForm:
    """One language version's column of the editor."""

    language: str
    values: dict[str, str]
    live: Article | None = None  # the version's row: its date and clinical sign-off
    based_on: int | None = None
    written: bool = True  # False: no such version yet (the form starts empty)
    reason: str = ""
    error: str | None = None

    @property
    def prefix(self) -> str:
        """What starts this column's element ids: none for English, "fr-" for French."""
        return "" if self.language == DEFAULT_LANGUAGE else f"{self.language}-"

    @property
    def name(self) -> str:
        """The language's name for staff ("French")."""
        return LANGUAGE_NAMES.get(self.language, self.language)

    @property
    def heading(self) -> str:
        """The column's heading."""
        return f"{self.name} version"

    @property
    def reading_target(self) -> str:
        """The reading target `kb check` holds this version to."""
        return READING_TARGETS.get(self.language, READING_TARGETS[DEFAULT_LANGUAGE])

    @property
    def source_example(self) -> str:
        """An example source line, from a publisher in this language."""
        return SOURCE_EXAMPLES.get(self.language, SOURCE_EXAMPLES[DEFAULT_LANGUAGE])
