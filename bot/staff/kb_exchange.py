"""Export the knowledge base as a zip of `data/kb/` files; plan and apply an import.

The export holds every article row (published and unpublished), i.e. what the
assistant answers from; drafts and submissions waiting for review are work in
progress and stay in the workspace. An import is checked with the same rules as
`kb check`, planned (added, changed with diffs, unchanged, left alone) and applied
only when asked, as published revisions with the reason "Imported". Files carry an
article's sources and `updated_on`, never its clinical sign-off: that stays in this
database, and an imported change of the text clears it like any other change.

Translations travel in language folders (`fr/<slug>.yml`), as in `data/kb/`. An imported
translation is a published revision of its own language version, like an English file;
it shares `group` and `related` with its English version.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.files import SHARED_FIELDS, Problem, language_of, read_article_file, version_file
from bot.kb.store import article_files, same_content
from bot.kb.tables import Article
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.article_diff import FieldDiff, diff_fields
from bot.staff.audit import record
from bot.staff.revision_checks import STATE_PUBLISHED, article_row_fields, set_problems, to_stored
from bot.staff.revisions import add_revision, apply_fields
from bot.staff.roles import REVIEWER, Actor

MAX_FILES = 500
MAX_FILE_BYTES = 100_000  # an article is a few kilobytes
MAX_TOTAL_BYTES = 5_000_000
IMPORT_REASON = "Imported"


@dataclass
class ImportPlan:
    """What an import would do; nothing happens until it is applied."""

    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], list[FieldDiff]]] = field(default_factory=list)
    # Versions by name: an English one by its slug, a translation as `fr/<slug>`.
    unchanged: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # in the database, not in the import
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def has_changes(self) -> bool:
        """Whether applying would change anything."""
        return bool(self.added or self.changed)


def zip_files(files: Iterable[tuple[str, str | bytes]]) -> bytes:
    """A zip holding each (name, content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def export_zip(session: Session) -> bytes:
    """Every article row as `<slug>.yml` (translations `fr/<slug>.yml`) in a zip."""
    return zip_files(article_files(session))


def entry_name(path: str) -> str:
    """An article file's name in an import: `<slug>.yml`, or `fr/<slug>.yml` for a translation.

    Other folders are ignored (a zip of a `kb/` folder imports as well); a language
    folder's name says the version's language.
    """
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else ""
    folder = parts[-2] if len(parts) > 1 else ""
    return f"{folder}/{name}" if folder in LANGUAGES and folder != DEFAULT_LANGUAGE else name


def _split(name: str) -> tuple[str, str]:
    """(language, file name) of an entry name."""
    folder, _, rest = name.rpartition("/")
    return (folder if folder in LANGUAGES else DEFAULT_LANGUAGE), rest


def _version_name(fields: dict[str, Any]) -> str:
    return version_file(fields["slug"], language_of(fields)).removesuffix(".yml")


def files_from_zip(data: bytes) -> tuple[dict[str, bytes], list[Problem]]:
    """Read the `*.yml` files of a zip, refusing what looks unsafe.

    Folders are ignored except a language folder (`fr/`), which holds translations.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return {}, [Problem("upload", "is not a zip file (export one from this workspace)")]
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    total = 0
    yml = [i for i in infos if not i.is_dir() and i.filename.endswith(".yml")]
    if len(yml) > MAX_FILES:
        return {}, [Problem("upload", f"has {len(yml)} files; at most {MAX_FILES}")]
    for info in yml:
        name = entry_name(info.filename)
        total += info.file_size
        if info.file_size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
            return {}, [Problem(name, "is too large for an article file")]
        if name in files:
            problems.append(Problem(name, "appears twice in the zip"))
            continue
        try:
            files[name] = archive.read(info)
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            problems.append(Problem(name, "cannot be read from the zip (damaged?)"))
    if not yml:
        problems.append(Problem("upload", "has no article files (*.yml)"))
    return files, problems


def files_from_dir(folder: Path) -> dict[str, bytes]:
    """Read the `*.yml` files of a folder and its language folders (the command line's)."""
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.yml"))}
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            files.update(
                {
                    f"{language}/{p.name}": p.read_bytes()
                    for p in sorted(folder.glob(f"{language}/*.yml"))
                }
            )
    return files


def read_files(
    files: Mapping[str, bytes], english: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check each file with the rules of `kb check`; return the usable articles.

    Args:
        files: entry name (`<slug>.yml`, `fr/<slug>.yml`) -> content.
        english: slug -> the English version's fields already in the database; a
            translation takes its shared fields from the imported English file, else
            from there.
    """
    articles: list[dict[str, Any]] = []
    problems: list[Problem] = []
    shared = dict(english or {})
    # English files first: their translations read `group` and `related` from them.
    entries = sorted(
        files.items(), key=lambda item: (_split(item[0])[0] != DEFAULT_LANGUAGE, item[0])
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in entries:
            language, base = _split(name)
            safe = base if language == DEFAULT_LANGUAGE else f"{language}/{base}"
            if not base.endswith(".yml") or base.startswith("."):
                problems.append(Problem(safe or "upload", "is not an article file (*.yml)"))
                continue
            if len(content) > MAX_FILE_BYTES:
                problems.append(Problem(safe, "is too large for an article file"))
                continue
            path = Path(tmp) / language / base
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(content)
            fields, found = read_article_file(path, language=language, shared=shared.get(path.stem))
            problems.extend(replace(p, file=safe) for p in found)
            if fields is not None:
                articles.append(fields)
                if language == DEFAULT_LANGUAGE:
                    shared[fields["slug"]] = fields
    return articles, problems


def plan_import(
    session: Session, files: Mapping[str, bytes], known_intents: Iterable[str] | None
) -> ImportPlan:
    """Compare the files with the database: what would be added, changed, left alone."""
    rows = list(session.scalars(select(Article)))
    english = {
        a.slug: {f: getattr(a, f) for f in SHARED_FIELDS}
        for a in rows
        if a.language == DEFAULT_LANGUAGE
    }
    articles, problems = read_files(files, english)
    plan = ImportPlan(problems=list(problems))
    if not files:
        plan.problems.append(Problem("upload", "has no article files (*.yml)"))
    current = {
        version_file(a.slug, a.language).removesuffix(".yml"): to_stored(article_row_fields(a))
        for a in rows
    }
    for fields in articles:
        stored = to_stored(fields)
        existing = current.get(_version_name(stored))
        if existing is None:
            plan.added.append(stored)
        elif same_content(existing, stored):
            plan.unchanged.append(_version_name(stored))
        else:
            plan.changed.append((stored, diff_fields(existing, stored)))
    imported = {_version_name(f) for f in articles}
    plan.left_alone = sorted(set(current) - imported)
    # Links, required topics and terms of the English set; a translation shares the links.
    changes = [f for f in plan.added + [f for f, _ in plan.changed] if "language" not in f]
    if not plan.errors:
        plan.problems.extend(set_problems(session, changes, known_intents))
    return plan


def apply_import(
    session: Session,
    files: Mapping[str, bytes],
    known_intents: Iterable[str] | None,
    *,
    actor: Actor,
) -> ImportPlan:
    """Re-check the files, then write every added or changed article (reviewer).

    Nothing is written when the files have errors; the returned plan says why.
    """
    actor.require(REVIEWER)
    plan = plan_import(session, files, known_intents)
    if plan.errors:
        return plan
    # English versions first: a new translation reads its shared fields from its English one.
    for fields in sorted(
        plan.added + [f for f, _ in plan.changed],
        key=lambda f: language_of(f) != DEFAULT_LANGUAGE,
    ):
        revision = add_revision(
            session, fields["slug"], fields, STATE_PUBLISHED, actor, IMPORT_REASON, None
        )
        apply_fields(session, revision.fields)
    record(
        session,
        actor.name,
        "kb.import",
        None,
        {
            "added": [_version_name(f) for f in plan.added],
            "changed": [_version_name(f) for f, _ in plan.changed],
        },
    )
    return plan
