"""The ClinicalTrials.gov importer on the shipped records, other shapes and bad input."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.kb.store import ArticleStore
from bot.settings import PROJECT_ROOT
from bot.trials.ctgov_import import (
    InvalidRecord,
    import_studies,
    parse_age,
    parse_study,
    read_studies,
)
from bot.trials.finder import tagger_from
from bot.trials.tables import Trial, TrialLocation
from bot.trials.tags import TrialTagger

TRIALS_DIR = PROJECT_ROOT / "data" / "trials"
Studies = list[tuple[str, Any]]


def study(nct_id: str) -> dict[str, Any]:
    return json.loads((TRIALS_DIR / f"{nct_id}.json").read_text(encoding="utf-8"))


@pytest.fixture
def tagger(store: ArticleStore, session: Session) -> TrialTagger:
    return tagger_from(session)


def trial(session: Session, nct_id: str) -> Trial:
    found = session.get(Trial, nct_id)
    assert found is not None
    return found


@pytest.mark.parametrize("text, years", [
    ("18 Years", 18.0),
    ("1 Year", 1.0),
    ("6 Months", 0.5),
    ("2 Weeks", round(14 / 365.25, 4)),
    ("30 Days", round(30 / 365.25, 4)),
    (None, None),
    ("", None),
    ("N/A", None),
])  # fmt: skip
def test_ages_are_read_in_years(text: str | None, years: float | None) -> None:
    assert parse_age(text) == years


@pytest.mark.parametrize("text", ["eighteen", "18", "18 Decades", "-1 Years"])
def test_an_age_that_is_not_an_age_is_refused(text: str) -> None:
    with pytest.raises(InvalidRecord, match="age"):
        parse_age(text)


def test_every_shipped_record_imports_and_a_second_import_skips_them(
    tagger: TrialTagger, session_factory: sessionmaker[Session], shipped_studies: Studies
) -> None:
    with session_factory.begin() as session:
        first = import_studies(session, shipped_studies, tagger)
    assert len(first.added) == 17 and not first.updated and not first.invalid
    with session_factory.begin() as session:
        second = import_studies(session, shipped_studies, tagger)
    assert len(second.skipped) == 17 and not second.added and not second.updated
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Trial)) == 17


def test_fields_are_mapped_for_a_recruiting_engager_trial_with_french_sites(
    tagger: TrialTagger, session: Session
) -> None:
    import_studies(session, [("f", study("NCT04789655"))], tagger)
    found = trial(session, "NCT04789655")
    assert (
        found.brief_title
        == "Study of CC-96191 in Participants With Relapsed or Refractory Acute Myeloid Leukemia"
    )
    assert found.official_title and "CC-96191" in found.official_title
    assert found.brief_summary and found.brief_summary.startswith("This Phase 1, clinical study")
    assert found.overall_status == "RECRUITING"
    assert found.phases == ["PHASE1"]
    assert found.conditions == ["Leukemia, Myeloid"]
    assert "Acute Myeloid Leukemia" in found.keywords
    assert (found.minimum_age, found.minimum_age_years) == ("18 Years", 18.0)
    assert found.maximum_age is None and found.maximum_age_years is None
    assert found.sex == "ALL" and found.healthy_volunteers is False
    assert found.eligibility_criteria and "Inclusion Criteria" in found.eligibility_criteria
    assert found.last_update == dt.date(2023, 9, 28)
    assert found.data_date == dt.date(2023, 11, 7)
    assert [(i.type, i.name) for i in found.interventions] == [("DRUG", "CC-96191")]
    assert len(found.locations) == 14
    french = [(loc.city, loc.status) for loc in found.locations if loc.country == "France"]
    assert len(french) == 4 and all(status == "RECRUITING" for _, status in french)
    assert found.contacts[0].phone == "855-907-3286"
    assert found.contacts[0].email == "Clinical.Trials@bms.com"
    assert found.cancer_types == ["leukaemia", "acute-myeloid-leukaemia"]
    assert found.kinds == ["other"]  # nothing in its interventions names its kind


def test_fields_are_mapped_for_a_car_t_trial_with_an_age_range(
    tagger: TrialTagger, session: Session
) -> None:
    import_studies(session, [("f", study("NCT03937544"))], tagger)
    found = trial(session, "NCT03937544")
    assert (found.minimum_age_years, found.maximum_age_years) == (13.0, 65.0)
    assert found.phases == ["PHASE2", "PHASE3"]
    assert found.kinds == ["cell-therapy"]
    assert found.cancer_types == ["leukaemia", "acute-lymphoblastic-leukaemia"]
    assert [loc.country for loc in found.locations] == ["Malaysia"]


def test_fields_are_mapped_for_the_pretty_printed_api_record(
    tagger: TrialTagger, session: Session
) -> None:
    import_studies(session, [("f", study("NCT00184067"))], tagger)
    found = trial(session, "NCT00184067")
    assert found.overall_status == "TERMINATED"
    assert found.cancer_types == ["melanoma"]
    assert found.last_update == dt.date(2014, 5, 21)
    assert found.data_date == dt.date(2025, 6, 16)
    assert found.contacts == []


@pytest.mark.parametrize("nct_id, kinds", [
    ("NCT06111625", ["bispecific"]),  # blinatumomab, a term of "bispecific-antibodies"
    ("NCT06751849", ["checkpoint-inhibitor", "vaccine"]),  # PD-1 inhibitor + DC vaccine
    ("NCT05883644", ["checkpoint-inhibitor"]),  # durvalumab + tremelimumab
    ("NCT05164042", ["cell-therapy"]),
])  # fmt: skip
def test_kinds_come_from_the_interventions_and_the_kb_terms(
    tagger: TrialTagger, session: Session, nct_id: str, kinds: list[str]
) -> None:
    import_studies(session, [("f", study(nct_id))], tagger)
    assert trial(session, nct_id).kinds == kinds


def test_cancer_types_are_normalised(
    tagger: TrialTagger, session: Session, shipped_studies: Studies
) -> None:
    import_studies(session, shipped_studies, tagger)
    assert trial(session, "NCT06751849").cancer_types == ["lung"]  # "Advanced NSCLC"
    assert trial(session, "NCT05883644").cancer_types == ["liver"]  # hepatocellular
    assert trial(session, "NCT05907980").cancer_types == ["solid-tumours"]
    assert "myelodysplastic" in trial(session, "NCT05086315").cancer_types


def test_each_accepted_file_shape_is_read(tmp_path: Path) -> None:
    one, two = study("NCT05879653"), study("NCT05907980")
    shapes = {
        "single.json": json.dumps(one),
        "studies.json": json.dumps({"studies": [one, two]}),
        "download.json": json.dumps([one, two]),
        "lines.jsonl": json.dumps(one) + "\n" + json.dumps(two) + "\n",
        "download-lines.json": "[\n" + json.dumps(one) + ",\n" + json.dumps(two) + "\n]\n",
    }
    for name, text in shapes.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        studies = list(read_studies(tmp_path / name))
        assert [s["protocolSection"]["identificationModule"]["nctId"] for _, s in studies] == [
            "NCT05879653",
            "NCT05907980",
        ][: len(studies)], name
        assert len(studies) == (1 if name == "single.json" else 2), name


def _broken(change: str) -> dict[str, Any]:
    record = copy.deepcopy(study("NCT05879653"))
    protocol = record["protocolSection"]
    if change == "no nct id":
        del protocol["identificationModule"]["nctId"]
    elif change == "bad nct id":
        protocol["identificationModule"]["nctId"] = "NCT123'; DROP TABLE trial;--"
    elif change == "no title":
        del protocol["identificationModule"]["briefTitle"]
    elif change == "no status":
        del protocol["statusModule"]["overallStatus"]
    elif change == "bad age":
        protocol["eligibilityModule"]["minimumAge"] = "eighteen"
    elif change == "bad sex":
        protocol["eligibilityModule"]["sex"] = "UNKNOWN"
    elif change == "interventions not a list":
        protocol["armsInterventionsModule"]["interventions"] = "pembrolizumab"
    elif change == "locations not objects":
        protocol["contactsLocationsModule"]["locations"] = ["Kyoto"]
    elif change == "bad date":
        protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = "soon"
    elif change == "no protocol":
        del record["protocolSection"]
    return record


@pytest.mark.parametrize("change, reason", [
    ("no nct id", "not an NCT id"),
    ("bad nct id", "not an NCT id"),
    ("no title", "briefTitle"),
    ("no status", "overallStatus"),
    ("bad age", "age 'eighteen'"),
    ("bad sex", "sex"),
    ("interventions not a list", "interventions must be a list"),
    ("locations not objects", "locations must be a list of objects"),
    ("bad date", "date 'soon'"),
    ("no protocol", "no protocolSection"),
])  # fmt: skip
def test_an_invalid_record_is_reported_with_its_reason_and_not_stored(
    tagger: TrialTagger, session: Session, change: str, reason: str
) -> None:
    report = import_studies(session, [("a", study("NCT05907980")), ("b", _broken(change))], tagger)
    assert report.added == ["NCT05907980"]
    assert [where for where, _ in report.invalid] == ["b"]
    assert reason in report.invalid[0][1]
    assert session.scalar(select(func.count()).select_from(Trial)) == 1
    assert session.get(Trial, "NCT05879653") is None
    assert session.scalar(select(func.count()).select_from(TrialLocation)) == 1  # NCT05907980's


@pytest.mark.parametrize("content", [
    b"",
    b"\x00\xff\xfe binary",
    b"42",
    b'"a string"',
    b"{not json\n[broken",
    b"<script>alert(1)</script>",
])  # fmt: skip
def test_a_file_that_holds_no_study_is_reported_never_a_crash(
    tmp_path: Path, tagger: TrialTagger, session: Session, content: bytes
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    report = import_studies(session, list(read_studies(path)), tagger)
    assert report.invalid and not report.added
    assert all(where.startswith("bad.json") for where, _ in report.invalid)


def test_a_newer_record_updates_and_replaces_its_sites_an_older_one_is_skipped(
    tagger: TrialTagger, session: Session
) -> None:
    original = study("NCT05883644")
    import_studies(session, [("f", original)], tagger)
    newer = copy.deepcopy(original)
    newer["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"
    newer["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": "Institut Curie", "city": "Paris", "country": "France", "status": "RECRUITING"}
    ]
    newer["derivedSection"]["miscInfoModule"]["versionHolder"] = "2024-01-15"
    assert import_studies(session, [("f", newer)], tagger).updated == ["NCT05883644"]
    session.expire_all()
    found = trial(session, "NCT05883644")
    assert found.overall_status == "RECRUITING"
    assert [loc.facility for loc in found.locations] == ["Institut Curie"]
    assert session.scalar(select(func.count()).select_from(TrialLocation)) == 1
    assert import_studies(session, [("f", original)], tagger).skipped == ["NCT05883644"]
    assert trial(session, "NCT05883644").overall_status == "RECRUITING"


def test_parse_study_refuses_a_record_that_is_not_an_object(tagger: TrialTagger) -> None:
    with pytest.raises(InvalidRecord, match="JSON object"):
        parse_study(["NCT05883644"], tagger)


def test_the_cli_imports_reports_and_fails_on_an_invalid_record(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["kb", "load"]) == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(study("NCT05907980")) + "\n{oops\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["trials", "import", str(TRIALS_DIR / "NCT06751849.json"), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "added: NCT06751849 (NCT06751849.json)" in out
    assert "added: NCT05907980 (bad.jsonl)" in out
    assert (
        "Trials from 2 file(s): added 2, updated 0, skipped 0 (unchanged or older), invalid 1."
        in out
    )
    assert "invalid: bad.jsonl line 2: not JSON" in err
    assert main(["trials", "import", str(TRIALS_DIR / "NCT06751849.json")]) == 0
    assert "added 0, updated 0, skipped 1" in capsys.readouterr().out
