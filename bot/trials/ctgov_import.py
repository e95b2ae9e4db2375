"""Import ClinicalTrials.gov API v2 JSON into the trial tables.

Accepted shapes: one study object, a `/studies` response (`{"studies": [...]}`), the
site's "Download -> JSON" file (an array of studies), or JSON Lines (one study per line).
Each record is checked whole before anything is written, so an invalid record is reported
with its reason and never half-stored; a file is imported in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.trials.tables import Trial, TrialContact, TrialIntervention, TrialLocation
from bot.trials.tags import TrialTagger

_NCT_ID = re.compile(r"^NCT\d{8}$")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)
_UNIT_YEARS = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / 8766,
    "minute": 1 / 525960,
}
_SEXES = ("ALL", "FEMALE", "MALE")
_INTERVENTION_KEYS = ("position", "type", "name", "other_names", "description")
_LOCATION_KEYS = ("position", "facility", "city", "country", "status")
_CONTACT_KEYS = ("position", "name", "role", "phone", "email")


class InvalidRecord(Refused):
    """A study record that cannot be imported; the message says why."""


def parse_age(text: str | None) -> float | None:
    """Return an age limit in years ("18 Years" -> 18.0, "6 Months" -> 0.5); None if absent.

    Raises:
        InvalidRecord: the text is not an age.
    """
    if text is None or not str(text).strip() or str(text).strip().upper() in ("N/A", "NA"):
        return None
    match = _AGE.match(str(text))
    if not match:
        raise InvalidRecord(f"age {text!r} is not like '18 Years' or '6 Months'")
    return round(float(match.group(1)) * _UNIT_YEARS[match.group(2).lower()], 4)


def parse_date(text: str | None) -> dt.date | None:
    """Return a date from '2023-11-07' or '2023-11' (first of the month); None if absent.

    Raises:
        InvalidRecord: the text is not such a date.
    """
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}", str(text)):
            return dt.date.fromisoformat(f"{text}-01")
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        raise InvalidRecord(f"date {text!r} is not like 2023-11-07") from None


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRecord(f"{where} must be a list of texts")
    return [v.strip() for v in value if v.strip()]


def _module(section: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = section.get(name) or {}
    if not isinstance(value, Mapping):
        raise InvalidRecord(f"protocolSection.{name} must be an object")
    return value


def _objects(value: Any, where: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise InvalidRecord(f"{where} must be a list of objects")
    return value


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise InvalidRecord(f"{key} must be a text")
    return str(value).strip() or None


@dataclass
class TrialRecord:
    """A checked study: the trial's columns and its child rows, ready to store."""

    fields: dict[str, Any]
    interventions: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def nct_id(self) -> str:
        """The record's NCT id."""
        return str(self.fields["nct_id"])


def parse_study(study: Any, tagger: TrialTagger) -> TrialRecord:
    """Check one API v2 study object and map it to a record.

    Raises:
        InvalidRecord: a required field is missing or a field has the wrong shape.
    """
    if not isinstance(study, Mapping):
        raise InvalidRecord("a study must be a JSON object")
    protocol = study.get("protocolSection")
    if not isinstance(protocol, Mapping):
        raise InvalidRecord("no protocolSection")
    ident = _module(protocol, "identificationModule")
    nct_id = _text(ident, "nctId")
    if not nct_id or not _NCT_ID.match(nct_id):
        raise InvalidRecord(f"identificationModule.nctId {nct_id!r} is not an NCT id")
    brief_title = _text(ident, "briefTitle")
    if not brief_title:
        raise InvalidRecord(f"{nct_id}: no identificationModule.briefTitle")
    status = _module(protocol, "statusModule")
    overall_status = _text(status, "overallStatus")
    if not overall_status:
        raise InvalidRecord(f"{nct_id}: no statusModule.overallStatus")
    try:
        return _record(study, protocol, nct_id, brief_title, overall_status.upper(), tagger)
    except InvalidRecord as error:
        raise InvalidRecord(f"{nct_id}: {error}") from None


def _record(
    study: Mapping[str, Any],
    protocol: Mapping[str, Any],
    nct_id: str,
    brief_title: str,
    overall_status: str,
    tagger: TrialTagger,
) -> TrialRecord:
    ident = _module(protocol, "identificationModule")
    status = _module(protocol, "statusModule")
    conditions = _module(protocol, "conditionsModule")
    eligibility = _module(protocol, "eligibilityModule")
    last_update = status.get("lastUpdatePostDateStruct") or {}
    misc = (study.get("derivedSection") or {}).get("miscInfoModule") or {}
    sex = (_text(eligibility, "sex") or "ALL").upper()
    if sex not in _SEXES:
        raise InvalidRecord(f"eligibilityModule.sex {sex!r} is not one of {', '.join(_SEXES)}")
    healthy = eligibility.get("healthyVolunteers")
    if healthy is not None and not isinstance(healthy, bool):
        raise InvalidRecord("eligibilityModule.healthyVolunteers must be true or false")
    minimum, maximum = _text(eligibility, "minimumAge"), _text(eligibility, "maximumAge")
    interventions = [
        {
            "position": i,
            "type": _text(item, "type"),
            "name": _text(item, "name") or "(not named)",
            "other_names": _strings(item.get("otherNames"), "intervention otherNames"),
            "description": _text(item, "description"),
        }
        for i, item in enumerate(
            _objects(
                _module(protocol, "armsInterventionsModule").get("interventions"),
                "armsInterventionsModule.interventions",
            )
        )
    ]
    places = _module(protocol, "contactsLocationsModule")
    condition_list = _strings(conditions.get("conditions"), "conditionsModule.conditions")
    keyword_list = _strings(conditions.get("keywords"), "conditionsModule.keywords")
    fields: dict[str, Any] = {
        "nct_id": nct_id,
        "brief_title": brief_title,
        "official_title": _text(ident, "officialTitle"),
        "brief_summary": _text(_module(protocol, "descriptionModule"), "briefSummary"),
        "overall_status": overall_status,
        "phases": _strings(_module(protocol, "designModule").get("phases"), "designModule.phases"),
        "conditions": condition_list,
        "keywords": keyword_list,
        "eligibility_criteria": _text(eligibility, "eligibilityCriteria"),
        "minimum_age": minimum,
        "maximum_age": maximum,
        "minimum_age_years": parse_age(minimum),
        "maximum_age_years": parse_age(maximum),
        "sex": sex,
        "healthy_volunteers": healthy,
        "last_update": parse_date(last_update.get("date")),
        "data_date": parse_date(misc.get("versionHolder")),
        "kinds": tagger.kinds(interventions),
        "cancer_types": tagger.cancer_types(condition_list + keyword_list),
    }
    return TrialRecord(
        fields=fields,
        interventions=interventions,
        locations=[
            {
                "position": i,
                "facility": _text(item, "facility"),
                "city": _text(item, "city"),
                "country": _text(item, "country"),
                "status": _text(item, "status"),
            }
            for i, item in enumerate(_objects(places.get("locations"), "locations"))
        ],
        contacts=[
            {
                "position": i,
                "name": _text(item, "name"),
                "role": _text(item, "role"),
                "phone": _text(item, "phone"),
                "email": _text(item, "email"),
            }
            for i, item in enumerate(_objects(places.get("centralContacts"), "centralContacts"))
        ],
    )


def read_studies(path: Path) -> Iterator[tuple[str, Any]]:
    """Yield (where, study or the error reading it) for every study in a file."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        yield name, InvalidRecord(f"cannot read the file: {error}")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from _json_lines(name, text)
        return
    if isinstance(data, Mapping) and "studies" in data:
        data = data["studies"]
    if isinstance(data, list):
        for i, study in enumerate(data, start=1):
            yield f"{name} study {i}", study
    else:
        yield name, data


def _json_lines(name: str, text: str) -> Iterator[tuple[str, Any]]:
    lines = [(n, line.strip().rstrip(",")) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line and line not in ("[", "]")]
    if not lines:
        yield name, InvalidRecord("the file is empty")
    for number, line in lines:
        try:
            yield f"{name} line {number}", json.loads(line)
        except json.JSONDecodeError as error:
            yield f"{name} line {number}", InvalidRecord(f"not JSON ({error.msg})")


@dataclass
class ImportReport:
    """What importing one file did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unchanged, or older than the stored copy
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (where, why)


def import_studies(
    session: Session, studies: Sequence[tuple[str, Any]], tagger: TrialTagger
) -> ImportReport:
    """Upsert the valid studies by NCT id in `session`; report every invalid one."""
    report = ImportReport()
    for where, study in studies:
        if isinstance(study, Exception):
            report.invalid.append((where, str(study)))
            continue
        try:
            record = parse_study(study, tagger)
        except InvalidRecord as error:
            report.invalid.append((where, str(error)))
            continue
        _upsert(session, record, report)
    return report


def _upsert(session: Session, record: TrialRecord, report: ImportReport) -> None:
    trial = session.get(Trial, record.nct_id)
    if trial is None:
        session.add(_new_trial(record))
        session.flush()
        report.added.append(record.nct_id)
        return
    stored, new = trial.data_date, record.fields["data_date"]
    if (stored and new and new < stored) or _same(trial, record):
        report.skipped.append(record.nct_id)
        return
    for key, value in record.fields.items():
        setattr(trial, key, value)
    trial.interventions = [TrialIntervention(**row) for row in record.interventions]
    trial.locations = [TrialLocation(**row) for row in record.locations]
    trial.contacts = [TrialContact(**row) for row in record.contacts]
    session.flush()
    report.updated.append(record.nct_id)


def _new_trial(record: TrialRecord) -> Trial:
    return Trial(
        **record.fields,
        interventions=[TrialIntervention(**row) for row in record.interventions],
        locations=[TrialLocation(**row) for row in record.locations],
        contacts=[TrialContact(**row) for row in record.contacts],
    )


def _rows(objects: Sequence[Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    return [{key: getattr(o, key) for key in keys} for o in objects]


def _same(trial: Trial, record: TrialRecord) -> bool:
    return (
        all(getattr(trial, key) == value for key, value in record.fields.items())
        and _rows(trial.interventions, _INTERVENTION_KEYS) == record.interventions
        and _rows(trial.locations, _LOCATION_KEYS) == record.locations
        and _rows(trial.contacts, _CONTACT_KEYS) == record.contacts
    )
