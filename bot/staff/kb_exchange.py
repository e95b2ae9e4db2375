"""Export the knowledge base as a zip of `data/kb/` files; plan and apply an import.

The export holds every article row (published and unpublished), i.e. what the
assistant answers from; drafts and submissions waiting for review are work in
progress and stay in the workspace. An import is checked with the same rules as
`kb check`, planned (added, changed with diffs, unchanged, left alone) and applied
only when asked, as published revisions with the reason "Imported". Files carry an
article's sources and `updated_on`, never its clinical sign-off: that stays in this
database, and an imported change of the text clears it like any other change.
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

from bot.kb.files import Problem, read_article_file
from bot.kb.store import article_files, same_content
from bot.kb.tables import Article
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
    """Every article row as `<slug>.yml` in a zip, ready for version control."""
    return zip_files(article_files(session))


def files_from_zip(data: bytes) -> tuple[dict[str, bytes], list[Problem]]:
    """Read the `*.yml` files of a zip (folders ignored), refusing what looks unsafe."""
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
        name = PurePosixPath(info.filename).name
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
    """Read the `*.yml` files of a folder (the command line's import)."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yml"))}


def read_files(files: Mapping[str, bytes]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check each file with the rules of `kb check`; return the usable articles."""
    articles: list[dict[str, Any]] = []
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in sorted(files.items()):
            safe = PurePosixPath(name).name
            if not safe.endswith(".yml") or safe.startswith("."):
                problems.append(Problem(safe or "upload", "is not an article file (*.yml)"))
                continue
            if len(content) > MAX_FILE_BYTES:
                problems.append(Problem(safe, "is too large for an article file"))
                continue
            path = Path(tmp) / safe
            path.write_bytes(content)
            fields, found = read_article_file(path)
            problems.extend(replace(p, file=safe) for p in found)
            if fields is not None:
                articles.append(fields)
    return articles, problems


def plan_import(
    session: Session, files: Mapping[str, bytes], known_intents: Iterable[str] | None
) -> ImportPlan:
    """Compare the files with the database: what would be added, changed, left alone."""
    articles, problems = read_files(files)
    plan = ImportPlan(problems=list(problems))
    if not files:
        plan.problems.append(Problem("upload", "has no article files (*.yml)"))
    current = {a.slug: to_stored(article_row_fields(a)) for a in session.scalars(select(Article))}
    for fields in articles:
        stored = to_stored(fields)
        existing = current.get(stored["slug"])
        if existing is None:
            plan.added.append(stored)
        elif same_content(existing, stored):
            plan.unchanged.append(stored["slug"])
        else:
            plan.changed.append((stored, diff_fields(existing, stored)))
    imported = {f["slug"] for f in articles}
    plan.left_alone = sorted(set(current) - imported)
    changes = plan.added + [f for f, _ in plan.changed]
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
    for fields in plan.added + [f for f, _ in plan.changed]:
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
            "added": [f["slug"] for f in plan.added],
            "changed": [f["slug"] for f, _ in plan.changed],
        },
    )
    return plan
