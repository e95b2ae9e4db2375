"""An admin changes the hospital values used in answers (phone, hours, trial sites).

An empty value removes the setting: answers then show the obvious placeholder again.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.kb.files import looks_like_html
from bot.kb.hospital import HOSPITAL_DEFAULTS, hospital_values
from bot.kb.tables import HospitalSetting
from bot.staff.audit import record
from bot.staff.roles import ADMIN, Actor

MAX_VALUE_CHARS = 300
LABELS: dict[str, str] = {
    "care_team_phone": "Care-team phone number",
    "care_team_hours": "Care-team opening hours",
    "trials_contact": "Clinical-trials contact",
    "hospital_name": "Hospital name",
    "hospital_country": "Hospital country",
    "trial_site_names": "Trial site names (comma-separated parts of the site name)",
}


class HospitalValueError(Refused):
    """A value that cannot be saved; the message says why."""


def save_values(session: Session, values: Mapping[str, str], *, actor: Actor) -> list[str]:
    """Save the values that changed (admin); return their keys.

    Raises:
        HospitalValueError: an unknown key, a value too long, on several lines or
            holding HTML.
        NotAllowed: the role is not admin.
    """
    actor.require(ADMIN)
    saved = hospital_values(session)
    changed: list[str] = []
    for key, raw in values.items():
        if key not in HOSPITAL_DEFAULTS:
            raise HospitalValueError(f"Unknown setting {key!r}.")
        value = (raw or "").strip()
        if len(value) > MAX_VALUE_CHARS:
            raise HospitalValueError(f"{LABELS[key]}: keep it under {MAX_VALUE_CHARS} characters.")
        if "\n" in value or "\r" in value:
            raise HospitalValueError(f"{LABELS[key]}: write it on one line.")
        if looks_like_html(value):
            # Answers show it as text anyway; refusing markup keeps the values honest.
            raise HospitalValueError(f"{LABELS[key]}: write plain text, not HTML.")
        if value == {**HOSPITAL_DEFAULTS, **saved}[key] or (not value and key not in saved):
            continue  # unchanged (the form shows defaults too)
        existing = session.get(HospitalSetting, key)
        if not value:
            session.delete(existing)
        elif existing is None:
            session.add(HospitalSetting(key=key, value=value))
        else:
            existing.value = value
        changed.append(key)
        record(session, actor.name, "settings.change", key, {"value": value})
    return changed
