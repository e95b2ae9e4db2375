"""The hospital values used in answers (admin only), effective on the next answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.kb.hospital import HOSPITAL_DEFAULTS, current_values
from bot.staff.hospital_settings import LABELS, HospitalValueError, save_values
from bot.staff.roles import ADMIN
from web.admin.common import NOTICES, read_form, redirect, render, session_factory, staff_page

NOTICES.update({"settings-saved": "Saved. Answers use the new values from the next message."})


@staff_page(ADMIN)
async def settings_page(request: Request) -> Response:
    """GET: the hospital values; POST: save the ones that changed."""
    staff = request.state.staff
    error = None
    if request.method == "POST":
        form = await read_form(request)
        values = {key: str(form.get(key, "")) for key in HOSPITAL_DEFAULTS}
        try:
            with session_factory(request).begin() as session:
                save_values(session, values, actor=staff.actor)
            return redirect(request, "admin:settings", "settings-saved")
        except HospitalValueError as problem:
            error = str(problem)
    with session_factory(request)() as session:
        values = current_values(session)
    fields = [(key, LABELS[key], values[key], HOSPITAL_DEFAULTS[key]) for key in HOSPITAL_DEFAULTS]
    return render(
        request,
        "admin/settings.html",
        {"fields": fields, "error": error},
        status=400 if error else 200,
    )
