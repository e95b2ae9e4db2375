"""The hospital values used in answers (admin only), effective on the next answer."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.answers import HOSPITAL_DEFAULTS
from bot.hospital_settings import LABELS, SettingError, current_values, save_values
from bot.revisions import NotAllowed
from bot.staff_models import ADMIN
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
                save_values(session, values, actor=staff.name, role=staff.role)
            return redirect(request, "admin:settings", "settings-saved")
        except NotAllowed as refused:
            raise HTTPException(403, str(refused)) from refused
        except SettingError as problem:
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
