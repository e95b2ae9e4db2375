"""Export the knowledge base as a zip of `data/kb/` files; import one after a preview.

The upload is checked and planned; the confirm form carries the same files (base64
in a hidden field, so nothing is stored between the two steps), and they are checked
again before anything is written.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from bot.kb.files import Problem
from bot.staff.kb_exchange import (
    MAX_FILE_BYTES,
    apply_import,
    export_zip,
    files_from_zip,
    plan_import,
    zip_files,
)
from bot.staff.roles import EDITOR, REVIEWER
from web.admin.common import (
    NOTICES,
    UPLOAD,
    known_intents,
    read_form,
    redirect,
    render,
    session_factory,
    staff_page,
)

NOTICES.update({"imported": "The import was applied. The assistant uses it from its next answer."})


@staff_page(EDITOR)
async def export_kb(request: Request) -> Response:
    """GET: every article as `<slug>.yml` in a zip (what the assistant answers from)."""
    with session_factory(request)() as session:
        data = export_zip(session)
    name = f"knowledge-base-{dt.date.today().isoformat()}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _uploaded(request: Request) -> tuple[dict[str, bytes], list[Problem]]:
    """The files of the upload (a zip or .yml files) or of the confirm form."""
    form = await read_form(request)
    carried = form.get("carried")
    if isinstance(carried, str) and carried:
        try:
            return files_from_zip(base64.b64decode(carried, validate=True))
        except (binascii.Error, ValueError):
            return {}, [Problem("upload", "was damaged on the way: upload it again")]
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        return {}, [Problem("upload", "is empty: choose a zip or .yml files")]
    if len(uploads) == 1 and uploads[0].filename.lower().endswith(".zip"):
        return files_from_zip(await uploads[0].read())
    files: dict[str, bytes] = {}
    for upload in uploads:
        files[upload.filename.rsplit("/", 1)[-1]] = await upload.read(MAX_FILE_BYTES + 1)
    return files, []


@staff_page(REVIEWER, body=UPLOAD)
async def import_kb(request: Request) -> Response:
    """GET: the upload form; POST: show the plan, or apply it when confirmed."""
    if request.method == "GET":
        return render(request, "admin/import.html", {"plan": None})
    staff = request.state.staff
    form = await read_form(request)
    files, problems = await _uploaded(request)
    intents = known_intents(request)
    if form.get("confirm") == "yes" and not problems:
        with session_factory(request).begin() as session:
            plan = apply_import(session, files, intents, actor=staff.actor)
        if not plan.errors:
            return redirect(request, "admin:articles", "imported")
    else:
        with session_factory(request)() as session:
            plan = plan_import(session, files, intents)
    plan.problems[:0] = problems
    carried = ""
    if files and not plan.errors:
        carried = base64.b64encode(zip_files(sorted(files.items()))).decode()
    return render(
        request,
        "admin/import.html",
        {"plan": plan, "carried": carried},
        status=400 if plan.errors else 200,
    )
