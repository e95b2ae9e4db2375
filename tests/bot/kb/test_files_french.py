"""French versions (`data/kb/fr/`): the English file's shared fields, French checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from bot.kb.files import check_set, dump_article, read_article_file, read_kb
from bot.kb.reading_level import MIN_EASE, MIN_MEDIAN_EASE, measure, reading_ease
from tests.bot.kb.test_files import article_yaml, write

GOOD_FR = {
    "slug": "car-t-cells",
    "title": "Les cellules CAR-T",
    "answer": "Les cellules CAR-T sont vos propres cellules de défense. Appelez le "
    "{care_team_phone} pour poser vos questions.",
    "terms": {"therapy": ["cellules CAR-T"]},
    "sources": [
        {
            "name": "US National Cancer Institute, CAR T Cells",
            "url": "https://www.cancer.gov/about-cancer/treatment/research/car-t-cells",
        }
    ],
    "updated_on": "2026-11-01",
    "status": "published",
}
EASY_FR = (
    "Les cellules CAR-T sont vos propres cellules de défense. On les change en laboratoire "
    "pour qu'elles trouvent le cancer. Puis on vous les rend. Votre équipe vous explique tout."
)
MIDDLING_FR = (
    "L'équipe vous explique les effets secondaires possibles avant le début du traitement. "
    "Elle surveille régulièrement votre santé et adapte le traitement si nécessaire."
)
HARD_FR = (
    "Les interventions immunothérapeutiques nécessitent une évaluation pluridisciplinaire "
    "approfondie, intégrant des considérations pharmacologiques individualisées et une "
    "surveillance longitudinale des toxicités immunologiques, conformément aux "
    "recommandations internationales actuellement disponibles."
)


def french_yaml(**changes: object) -> str:
    """A French version's file: the fields of GOOD_FR with `changes` (None leaves one out)."""
    fields = {**GOOD_FR, **changes}
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


def kb_folder(tmp_path: Path, english: str | None = None, french: str | None = None) -> Path:
    """A KB folder with car-t-cells in English and French (either may be left out)."""
    if english is not None:
        write(tmp_path, "car-t-cells.yml", english)
    (tmp_path / "fr").mkdir(exist_ok=True)
    if french is not None:
        write(tmp_path / "fr", "car-t-cells.yml", french)
    return tmp_path


def test_a_french_version_is_read_with_the_english_files_group_and_related(
    tmp_path: Path,
) -> None:
    kb = read_kb(kb_folder(tmp_path, article_yaml(), french_yaml()))
    french = next(a for a in kb.articles if a.get("language") == "fr")
    assert french["title"] == "Les cellules CAR-T"
    assert french["group"] == "types" and french["related"] == ["side-effects-car-t"]
    assert not [p for p in kb.problems if "fr/" in p.file]


@pytest.mark.parametrize("field", ["group", "related", "language"])
def test_a_french_file_leaves_out_what_it_shares_with_the_english_file(
    tmp_path: Path, field: str
) -> None:
    value = {"group": "types", "related": ["car-t-cells"], "language": "fr"}[field]
    folder = kb_folder(tmp_path, article_yaml(), french_yaml(**{field: value}))
    fields, problems = read_article_file(
        folder / "fr" / "car-t-cells.yml", language="fr", shared={"group": "types"}
    )
    assert fields is None
    [problem] = problems
    assert problem.field == field and "fr/car-t-cells.yml" in problem.file
    assert problem.line is not None and "English file" in problem.message


def test_a_french_file_without_an_english_file_is_an_error(tmp_path: Path) -> None:
    kb = read_kb(kb_folder(tmp_path, None, french_yaml()))
    assert any(
        p.file.endswith("fr/car-t-cells.yml") and "without a usable English file" in p.message
        for p in kb.errors
    )


def test_a_published_topic_needs_a_published_version_in_each_language(tmp_path: Path) -> None:
    messages = [str(p) for p in read_kb(kb_folder(tmp_path, article_yaml())).errors]
    assert "ERROR car-t-cells.yml [status]: is published but lacks a French version " in "\n".join(
        messages
    )
    drafts = kb_folder(tmp_path, article_yaml(), french_yaml(status="draft"))
    assert any("lacks a French version" in str(p) for p in read_kb(drafts).errors)
    reverse = kb_folder(tmp_path, article_yaml(status="draft"), french_yaml())
    assert any(
        str(p).startswith("ERROR fr/car-t-cells.yml [status]")
        and "lacks a published English version" in p.message
        for p in read_kb(reverse).errors
    )
    both = kb_folder(tmp_path, article_yaml(), french_yaml())
    assert not any("lacks" in str(p) for p in read_kb(both).errors)


@pytest.mark.parametrize(
    "sentence",
    [
        "En cas de fièvre, appelez votre équipe tout de suite.",
        "Contactez immédiatement votre équipe.",
        "Téléphonez sans attendre au {care_team_phone}.",
        "Vous pouvez appeler l'équipe jour et nuit.",
        "Appelez maintenant le {care_team_phone}.",
    ],
)
def test_french_call_at_once_must_name_15_or_112(tmp_path: Path, sentence: str) -> None:
    folder = kb_folder(tmp_path, article_yaml(), french_yaml(answer=sentence))
    fields, problems = read_article_file(
        folder / "fr" / "car-t-cells.yml", language="fr", shared={"group": "types"}
    )
    assert fields is None
    assert any("names neither 15 (SAMU) nor 112" in p.message for p in problems)
    write(folder / "fr", "car-t-cells.yml", french_yaml(answer=f"{sentence} Sinon, le 15 ou 112."))
    fields, problems = read_article_file(
        folder / "fr" / "car-t-cells.yml", language="fr", shared={"group": "types"}
    )
    assert problems == [] and fields is not None


def test_a_french_answer_that_calls_no_one_at_once_passes(tmp_path: Path) -> None:
    answer = "Appelez votre équipe si vous avez une question. Elle répond maintenant par écrit."
    folder = kb_folder(tmp_path, article_yaml(), french_yaml(answer=answer))
    _, problems = read_article_file(
        folder / "fr" / "car-t-cells.yml", language="fr", shared={"group": "types"}
    )
    assert problems == []


def test_french_is_measured_with_the_french_reading_ease(tmp_path: Path) -> None:
    assert reading_ease(EASY_FR) >= MIN_MEDIAN_EASE
    assert reading_ease(HARD_FR) < MIN_EASE
    folder = kb_folder(tmp_path, article_yaml(), french_yaml(answer=HARD_FR))
    _, problems = read_article_file(
        folder / "fr" / "car-t-cells.yml", language="fr", shared={"group": "types"}
    )
    assert any(p.field == "answer" and "reading ease is" in p.message for p in problems)
    assert not any("grade" in p.message for p in problems)


def test_the_median_french_answer_reads_at_ease_80_or_more(tmp_path: Path) -> None:
    assert MIN_EASE <= reading_ease(MIDDLING_FR) < MIN_MEDIAN_EASE
    folder = kb_folder(tmp_path, article_yaml(), french_yaml(answer=MIDDLING_FR))
    errors = [str(p) for p in read_kb(folder).errors]
    assert any("French answers' median reading ease" in e and "/fr" in e for e in errors)
    write(folder / "fr", "car-t-cells.yml", french_yaml(answer=EASY_FR))
    assert not any("median" in str(p) for p in read_kb(folder).errors)


def test_the_staff_measure_takes_a_language_and_leaves_textstat_english() -> None:
    before = textstat.flesch_reading_ease(MIDDLING_FR)
    french = measure(EASY_FR, 120, language="fr")
    assert french.grade is None and french.ease is not None and french.ease >= MIN_MEDIAN_EASE
    assert measure(HARD_FR, 120, language="fr").too_hard
    english = measure("word " * 30, 120)
    assert english.ease is None and english.grade is not None
    assert textstat.flesch_reading_ease(MIDDLING_FR) == before  # the global stays English


def test_terms_are_unique_within_each_language(tmp_path: Path) -> None:
    en = {"slug": "car-t-cells", "related": [], "terms": {"therapy": ["CAR-T"]}}
    fr = {"slug": "car-t-cells", "language": "fr", "terms": {"therapy": ["CAR-T"]}}
    other_fr = {"slug": "cancer-vaccines", "language": "fr", "terms": {"therapy": ["car-t"]}}
    assert not any("also points" in str(p) for p in check_set([en, fr]))
    [problem] = [p for p in check_set([en, fr, other_fr]) if "also points" in str(p)]
    assert problem.file == "fr/cancer-vaccines.yml" and "fr/car-t-cells.yml" in problem.message


def test_a_french_version_is_dumped_without_its_shared_fields_and_reads_back(
    tmp_path: Path,
) -> None:
    kb = read_kb(kb_folder(tmp_path, article_yaml(), french_yaml(details=EASY_FR)))
    french = next(a for a in kb.articles if a.get("language") == "fr")
    text = dump_article(french)
    assert "group:" not in text and "related:" not in text and "language:" not in text
    write(tmp_path / "fr", "car-t-cells.yml", text)
    english = next(a for a in kb.articles if "language" not in a)
    fields, problems = read_article_file(
        tmp_path / "fr" / "car-t-cells.yml", language="fr", shared=english
    )
    assert problems == [] and fields == french
