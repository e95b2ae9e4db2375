"""The hospital values used in answers (phone, hours, trial sites), changed by an admin.

Answers read them on every message, so a change shows on the next answer. An empty
value removes the setting: answers then show the obvious placeholder again.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from bot.answers import HOSPITAL_DEFAULTS
from bot.audit import record
from bot.kb_store import hospital_values
from bot.models import HospitalSetting
from bot.revisions import RevisionError, require
from bot.staff_models import ADMIN

MAX_VALUE_CHARS = 300
LABELS: dict[str, str] = {
    "care_team_phone": "Care-team phone number",
    "care_team_hours": "Care-team opening hours",
    "trials_contact": "Clinical-trials contact",
    "hospital_name": "Hospital name",
    "hospital_country": "Hospital country",
    "trial_site_names": "Trial site names (comma-separated parts of the site name)",
}


class SettingError(RevisionError):
    """A value that cannot be saved; the message says why."""


def current_values(session: Session) -> dict[str, str]:
    """Every hospital value: the saved one, else its default."""
    return {**HOSPITAL_DEFAULTS, **hospital_values(session)}


def save_values(
    session: Session, values: Mapping[str, str], *, actor: str | None, role: str | None
) -> list[str]:
    """Save the values that changed (admin); return their keys.

    Raises:
        SettingError: an unknown key, a value too long or on several lines.
        NotAllowed: the role is not admin.
    """
    require(role, ADMIN)
    saved = hospital_values(session)
    changed: list[str] = []
    for key, raw in values.items():
        if key not in HOSPITAL_DEFAULTS:
            raise SettingError(f"Unknown setting {key!r}.")
        value = (raw or "").strip()
        if len(value) > MAX_VALUE_CHARS:
            raise SettingError(f"{LABELS[key]}: keep it under {MAX_VALUE_CHARS} characters.")
        if "\n" in value or "\r" in value:
            raise SettingError(f"{LABELS[key]}: write it on one line.")
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
        record(session, actor, "settings.change", key, {"value": value})
    return changed


__all__ = ["LABELS", "SettingError", "current_values", "save_values"]
