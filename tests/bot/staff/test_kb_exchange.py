"""Export and import of the whole knowledge base, and the `kb import` command."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.errors import NotAllowed
from bot.kb.store import ArticleStore
from bot.kb.topics import REQUIRED_SLUGS, domain_intents
from bot.settings import PROJECT_ROOT
from bot.staff.kb_exchange import apply_import, export_zip, files_from_zip, plan_import
from bot.staff.revisions import revisions
from bot.staff.roles import Actor
from bot.staff.tables import AuditEvent

INTENTS = domain_intents(PROJECT_ROOT / "domain.yml")


def exported(factory: sessionmaker[Session]) -> dict[str, bytes]:
    with factory() as session:
        files, problems = files_from_zip(export_zip(session))
    assert problems == []
    return files


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_export_then_import_plans_no_change(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    files = exported(session_factory)
    english = [name for name in files if "/" not in name]  # translations are in fr/
    assert len(english) == len(REQUIRED_SLUGS) and "car-t-cells.yml" in files
    with session_factory() as session:
        plan = plan_import(session, files, INTENTS)
    assert plan.problems == []
    assert not plan.has_changes
    assert len(plan.unchanged) == len(files) and plan.left_alone == []


def test_import_plans_then_applies_a_changed_and_an_added_article(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    files = exported(session_factory)
    car_t = yaml.safe_load(files["car-t-cells.yml"])
    car_t["answer"] = "CAR-T cells are changed in a lab to find the cancer."
    new = {**car_t, "slug": "car-t-new", "title": "New CAR-T", "terms": {}, "related": []}
    upload = {
        "car-t-cells.yml": yaml.safe_dump(car_t).encode(),
        "car-t-new.yml": yaml.safe_dump(new).encode(),
        "greeting.yml": files["greeting.yml"],
    }
    with session_factory() as session:
        plan = plan_import(session, upload, INTENTS)
    assert plan.problems == []
    assert [f["slug"] for f in plan.added] == ["car-t-new"]
    ((changed, diffs),) = plan.changed
    assert changed["slug"] == "car-t-cells" and [d.field for d in diffs] == ["answer"]
    assert plan.unchanged == ["greeting"] and len(plan.left_alone) == len(files) - 2
    assert store.answer_for("car-t-cells").text.startswith("CAR-T cell therapy uses")

    with session_factory.begin() as session, pytest.raises(NotAllowed):
        apply_import(session, upload, INTENTS, actor=Actor("eddie", "editor"))
    with session_factory.begin() as session:
        apply_import(session, upload, INTENTS, actor=Actor("rita", "reviewer"))
    assert store.answer_for("car-t-cells").text == car_t["answer"]
    assert store.answer_for("car-t-new").slug == "car-t-new"
    with session_factory() as session:
        history = revisions(session, "car-t-cells")
        assert [(r.number, r.reason) for r in history][-1] == (2, "Imported")
        assert session.scalars(select(AuditEvent.action)).all() == ["kb.import"]
        again = plan_import(session, upload, INTENTS)
        # The import dated the text today; the file keeps the date it was written with.
        assert not again.added and all(
            [d.field for d in diffs] in ([], ["updated_on"]) for _, diffs in again.changed
        )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"not a zip at all", "is not a zip file"),
        (zipped({"notes.txt": b"hello"}), "has no article files"),
        (zipped({"car-t-cells.yml": b"slug: [unclosed"}), "is not valid YAML"),
        (zipped({"car-t-cells.yml": "slug: café".encode("latin-1")}), "is not UTF-8"),
        (zipped({"car-t-cells.yml": b"- a list\n- not a mapping\n"}), "must be a mapping"),
        (zipped({"car-t-cells.yml": b"slug: car-t-cells\ntitle: x\n"}), "is missing"),
    ],
)
def test_malformed_uploads_give_clear_problems_and_change_nothing(
    store: ArticleStore, session_factory: sessionmaker[Session], upload: bytes, message: str
) -> None:
    files, problems = files_from_zip(upload)
    with session_factory.begin() as session:
        plan = apply_import(session, files, INTENTS, actor=Actor("rita", "reviewer"))
    found = [str(p) for p in problems + plan.problems]
    assert any(message in p for p in found), found
    assert not plan.has_changes
    with session_factory() as session:
        assert session.scalars(select(AuditEvent)).all() == []
        assert revisions(session, "car-t-cells") == []


def test_an_import_that_breaks_a_link_is_refused(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    files = exported(session_factory)
    car_t = yaml.safe_load(files["car-t-cells.yml"])
    car_t["related"] = ["gone-topic"]
    with session_factory.begin() as session:
        plan = apply_import(
            session,
            {"car-t-cells.yml": yaml.safe_dump(car_t).encode()},
            INTENTS,
            actor=Actor("rita", "reviewer"),
        )
    assert [p.message for p in plan.errors] == ["unknown slug 'gone-topic'"]
    assert store.answer_for("car-t-cells").buttons[0].title == "Side effects of CAR-T cell therapy"


def test_cli_import_prints_the_plan_and_applies_only_with_apply(
    store: ArticleStore,
    session_factory: sessionmaker[Session],
    settings: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)  # type: ignore[attr-defined]
    folder = tmp_path / "kb"
    assert main(["kb", "export", str(folder)]) == 0
    car_t = yaml.safe_load((folder / "car-t-cells.yml").read_text())
    car_t["answer"] = "CAR-T cells are changed in a lab to find the cancer."
    (folder / "car-t-cells.yml").write_text(yaml.safe_dump(car_t))
    capsys.readouterr()

    assert main(["kb", "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "changed: car-t-cells (answer)" in out and "Nothing was applied" in out
    assert store.answer_for("car-t-cells").text.startswith("CAR-T cell therapy uses")

    assert main(["kb", "import", str(folder), "--apply"]) == 0
    assert "Applied: 0 added, 1 changed." in capsys.readouterr().out
    assert store.answer_for("car-t-cells").text == car_t["answer"]
    with session_factory() as session:
        assert session.scalars(select(AuditEvent.actor)).all() == [None]
