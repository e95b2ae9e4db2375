"""The hospital's own values used in answers (phone, hours, trial sites): defaults and reads.

Answers read them on every message, so a change by an admin shows on the next answer.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.tables import HospitalSetting

# Values that belong to the hospital are settings staff fill in; until then the
# reader sees an obvious placeholder, never an invented number.
HOSPITAL_DEFAULTS: dict[str, str] = {
    "care_team_phone": "[care-team phone number - to be set by hospital staff]",
    "care_team_hours": "[care-team opening hours - to be set by hospital staff]",
    "trials_contact": "[clinical-trials contact - to be set by hospital staff]",
    # The trial finder: "this hospital" is any trial site whose facility name contains
    # one of these comma-separated names.
    "hospital_name": "Institut Curie",
    "hospital_country": "France",
    "trial_site_names": "Institut Curie",
}


def hospital_values(session: Session) -> dict[str, str]:
    """The hospital values staff have filled in (no defaults)."""
    return {s.key: s.value for s in session.scalars(select(HospitalSetting))}


def current_values(session: Session) -> dict[str, str]:
    """Every hospital value: the saved one, else its default."""
    return {**HOSPITAL_DEFAULTS, **hospital_values(session)}
