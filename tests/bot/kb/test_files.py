"""The knowledge-base checker: the shipped KB passes, and each kind of mistake is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.files import KnowledgeBase, dump_article, read_article_file, read_kb
from bot.kb.reading_level import reading_grade
from bot.kb.topics import REQUIRED_SLUGS
from bot.settings import PROJECT_ROOT

GOOD = {
    "slug": "car-t-cells",
    "title": "CAR-T cells",
    "group": "types",
    "answer": "CAR-T uses your own immune cells. Call {care_team_phone} to ask.",
    "related": ["side-effects-car-t"],
    "terms": {"therapy": ["CAR-T"]},
    "sources": [
        {
            "name": "US National Cancer Institute, CAR T Cells",
            "url": "https://www.cancer.gov/about-cancer/treatment/research/car-t-cells",
        }
    ],
    "updated_on": "2026-11-01",
    "status": "published",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def article_yaml(**changes: object) -> str:
    fields = {**GOOD, **changes}
    lines = []
    for key, value in fields.items():
        if value is None:
            continue
        lines.append(
            f"{key}: {value!s}" if not isinstance(value, (list, dict)) else f"{key}: {value}"
        )
    return "\n".join(lines) + "\n"


def test_shipped_knowledge_base_has_every_required_topic_and_no_problem(
    starter_kb: KnowledgeBase,
) -> None:
    assert {a["slug"] for a in starter_kb.articles} >= set(REQUIRED_SLUGS)
    assert starter_kb.problems == ()


def test_every_shipped_answer_reads_at_grade_eight_or_below(starter_kb: KnowledgeBase) -> None:
    grades = {
        a["slug"]: reading_grade(a["answer"])
        for a in starter_kb.articles
        if a.get("language", "en") == "en"  # French versions: the French reading ease
    }
    assert {slug: g for slug, g in grades.items() if g > 8.0} == {}


def test_every_article_names_its_sources_and_when_its_text_changed(
    starter_kb: KnowledgeBase,
) -> None:
    for article in starter_kb.articles:
        assert article["sources"] and all(len(s["name"]) > 10 for s in article["sources"])
        assert article["updated_on"].year >= 2026


def test_the_shipped_files_as_they_are_pass_kb_check() -> None:
    assert read_kb(PROJECT_ROOT / "data" / "kb").errors == ()


def test_a_good_file_is_read(tmp_path: Path) -> None:
    fields, problems = read_article_file(write(tmp_path, "car-t-cells.yml", article_yaml()))
    assert problems == []
    assert fields is not None and fields["slug"] == "car-t-cells"


def test_malformed_yaml_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "car-t-cells.yml", "slug: car-t-cells\ntitle: [unclosed\nanswer: x\n")
    fields, problems = read_article_file(path)
    assert fields is None
    assert len(problems) == 1
    assert problems[0].file == str(path) and problems[0].line is not None
    assert "not valid YAML" in str(problems[0])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": None}, "title", "is missing"),
        ({"slug": "car-t"}, "slug", "file is named car-t-cells.yml"),
        ({"group": "misc"}, "group", "must be one of"),
        ({"status": "live"}, "status", "must be one of"),
        ({"updated_on": "yesterday"}, "updated_on", "YYYY-MM-DD"),
        ({"updated_on": "2999-01-01"}, "updated_on", "in the future"),
        ({"sources": [{"name": "NCI"}]}, "sources", "source 1 (NCI) has no url"),
        (
            {"sources": [{"name": "NCI", "url": "http://www.cancer.gov/"}]},
            "sources",
            "must start with https://",
        ),
        (
            {"sources": [{"name": "NCI", "url": "javascript:alert(1)"}]},
            "sources",
            "must start with https://",
        ),
        ({"sources": [{"url": "https://www.cancer.gov/"}]}, "sources", "has no name"),
        ({"sources": [{"name": "NCI", "link": "x"}]}, "sources", "'link' is not known"),
        ({"sources": "NCI"}, "sources", "must be a list"),
        ({"sources": []}, "sources", "is missing"),
        ({"source": "NCI"}, "source", "not a known field"),
        ({"reviewed_on": "2026-11-01"}, "reviewed_on", "not a known field"),
        (
            {"answer": "If you have a fever, call your care team at once."},
            "answer",
            "names neither 15 (SAMU) nor 112",
        ),
        (
            {"details": "Call {care_team_phone} day or night if you feel worse."},
            "details",
            "names neither 15 (SAMU) nor 112",
        ),
        ({"related": ["car-t-cells"]}, "related", "must not list the article itself"),
        ({"terms": {"colour": ["red"]}}, "terms", "unknown kind"),
        ({"answer": "Call {hotline} now."}, "answer", "unknown placeholder {hotline}"),
        ({"answer": "word " * 121}, "answer", "has 121 words"),
        ({"answer": "<b>Bold</b> claims."}, "answer", "plain text"),
        ({"title": 'CAR-T"><img src=x onerror=alert(1)>'}, "title", "plain text"),
        ({"sources": [{"name": "<script>alert(1)</script> Curie"}]}, "sources", "plain text"),
        ({"colour": "blue"}, "colour", "not a known field"),
    ],
)
def test_each_mistake_names_its_field_and_line(
    tmp_path: Path, changes: dict[str, object], field: str, message: str
) -> None:
    fields, problems = read_article_file(
        write(tmp_path, "car-t-cells.yml", article_yaml(**changes))
    )
    assert fields is None
    assert any(p.field == field and message in p.message for p in problems), problems
    if field in GOOD or field == "colour":
        assert all(p.line for p in problems if p.field == field and field != "title")


def test_a_source_error_names_the_line_of_that_source(tmp_path: Path) -> None:
    text = article_yaml(sources=None) + (
        "sources:\n  - name: NCI\n    url: https://www.cancer.gov/\n  - name: ESMO\n"
    )
    path = write(tmp_path, "car-t-cells.yml", text)
    _, problems = read_article_file(path)
    [problem] = problems
    assert problem.field == "sources" and "source 2 (ESMO) has no url" in problem.message
    assert problem.line == text.splitlines().index("  - name: ESMO") + 1


def test_a_conversation_article_may_cite_its_team_without_a_link(tmp_path: Path) -> None:
    team = [{"name": "Written by the assistant's team at {hospital_name}"}]
    fields, problems = read_article_file(
        write(tmp_path, "car-t-cells.yml", article_yaml(group="conversation", sources=team))
    )
    assert problems == [] and fields is not None


def test_call_at_once_with_15_or_112_anywhere_in_the_article_passes(tmp_path: Path) -> None:
    fields, problems = read_article_file(
        write(
            tmp_path,
            "car-t-cells.yml",
            article_yaml(
                answer="If you have a fever, call your care team right away.",
                details="If you cannot reach them, call 15 (SAMU) or 112.",
            ),
        )
    )
    assert problems == [] and fields is not None


def test_the_median_answer_grade_is_at_most_six(tmp_path: Path) -> None:
    middling = (
        "The team explains the possible side effects of the medicine before treatment "
        "begins. They check your health regularly and change the treatment plan when needed."
    )
    assert 6 < reading_grade(middling) <= 8
    write(tmp_path, "car-t-cells.yml", article_yaml(answer=middling))
    assert any("median reading grade" in str(p) for p in read_kb(tmp_path).errors)
    write(tmp_path, "cancer-vaccines.yml", article_yaml(slug="cancer-vaccines", answer="Yes."))
    write(tmp_path, "thanks.yml", article_yaml(slug="thanks", answer="You are welcome."))
    assert not any("median" in str(p) for p in read_kb(tmp_path).errors)


def test_hard_reading_is_an_error(tmp_path: Path) -> None:
    hard = (
        "Immunotherapeutic interventions necessitate comprehensive multidisciplinary "
        "evaluation, incorporating individualised pharmacological considerations and "
        "longitudinal surveillance of immunological toxicities. Consequently, "
        "practitioners systematically characterise inflammatory manifestations."
    )
    _, problems = read_article_file(write(tmp_path, "car-t-cells.yml", article_yaml(answer=hard)))
    assert any(p.field == "answer" and "reads at grade" in p.message for p in problems)


def test_related_and_terms_may_be_left_out(tmp_path: Path) -> None:
    fields, problems = read_article_file(
        write(tmp_path, "car-t-cells.yml", article_yaml(related=None, terms=None))
    )
    assert problems == [] and fields is not None


@pytest.mark.parametrize("content", ["", "just a sentence", "- a\n- list\n", "\xff\xfe"])
def test_files_that_are_not_articles_are_reported(tmp_path: Path, content: str) -> None:
    path = tmp_path / "car-t-cells.yml"
    path.write_bytes(content.encode("latin-1"))
    fields, problems = read_article_file(path)
    assert fields is None and len(problems) == 1 and problems[0].file == str(path)


def test_very_short_answers_are_not_graded(tmp_path: Path) -> None:
    _, problems = read_article_file(
        write(tmp_path, "car-t-cells.yml", article_yaml(answer="Merci."))
    )
    assert problems == []


def test_set_problems_name_missing_topics_dangling_links_and_shared_terms(tmp_path: Path) -> None:
    write(tmp_path, "car-t-cells.yml", article_yaml(related=["no-such-topic"]))
    write(
        tmp_path,
        "cancer-vaccines.yml",
        article_yaml(slug="cancer-vaccines", related=["car-t-cells"], terms={"therapy": ["car-t"]}),
    )
    kb = read_kb(tmp_path, known_intents=["ask_cancer_vaccines"])
    messages = [str(p) for p in kb.errors]
    assert any(
        "immunotherapy-basics.yml" in m and "required topic is missing" in m for m in messages
    )
    assert any("car-t-cells.yml [related]: unknown slug 'no-such-topic'" in m for m in messages)
    assert any("term 'car-t' also points to" in m.lower() for m in messages)
    # A topic's intent is generated from its article when a model is trained.
    assert not any("no intent 'ask_car_t_cells'" in m for m in messages)


def test_dump_then_read_gives_the_same_article(tmp_path: Path, starter_kb: KnowledgeBase) -> None:
    article = next(a for a in starter_kb.articles if a["slug"] == "car-t-cells")
    fields, problems = read_article_file(write(tmp_path, "car-t-cells.yml", dump_article(article)))
    assert problems == [] and fields == article
