"""A new topic with no developer: staff write it, teach it, publish, train and deploy.

Everything goes through the staff workspace (the real web app under TestClient, its
own train-and-deploy pipeline in a background thread) in front of a real Rasa server
and action server. The assistant is then asked a question that is not among the
examples; after the article is unpublished and the assistant trained again, the same
question no longer reaches it. The project is a copy in tmp_path; Rasa's cache
(`.rasa/`) is shared with the checkout, so a training whose data `make train` already
saw is quick. Two trainings: minutes.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import add_user
from tests.support.stack import Stack, copy_project, running_stack
from tests.support.staff_client import PASSWORD, csrf_token, sign_in
from web.app import create_app

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
SLUG = "what-to-bring"
ARTICLE = {
    "slug": SLUG,
    "title": "What to bring to your appointments",
    "group": "hospital",
    "answer": (
        "Bring your carte Vitale, an ID card and your mutuelle card. Bring a list of all "
        "the medicines you take, also the ones you buy without a prescription. Bring your "
        "latest test results and scan reports, and letters from other doctors. Write your "
        "questions down before you come. You may bring someone with you."
    ),
    "details": (
        "Your appointment letter may list other things to bring. If you are not sure, call "
        "the care team before your visit: {care_team_phone}."
    ),
    "related": "",
}
EXAMPLES = """what should I bring to my appointment
what do I need to bring to the hospital
which documents should I take to my visit
what papers do I need for my appointment
do I need to bring the list of my medicines
what should I take with me to the clinic
what to bring for my first visit
should I bring my test results
what do I need for my consultation
which papers should I have with me at the hospital
checklist for my hospital appointment
do I bring my ID card to the appointment"""
QUESTION = "what must I have with me when I come for my hospital appointment"


def train_and_deploy(client: TestClient) -> dict[str, object]:
    """Press "Train and deploy" and wait for the run to end; return its last status."""
    page = client.get("/admin/models")
    response = client.post("/admin/models/train", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303, response.text
    run_id = re.search(r"/runs/(\d+)", response.headers["location"]).group(1)  # type: ignore[union-attr]
    started = time.monotonic()
    while True:
        status = client.get(f"/admin/models/runs/{run_id}/status").json()
        if status["state"] not in ("queued", "running"):
            print(f"run {run_id}: {status['state']} in {time.monotonic() - started:.0f} s")
            print(str(status["log"]).splitlines()[-1])  # the stage durations
            return status
        time.sleep(5)


def failure(status: dict[str, object], stack: Stack) -> str:
    """Why a run failed: its error, its log, and the end of the Rasa server's log."""
    return f"{status['error']}\n{status['log']}\n--- rasa:\n{stack.log_text()[-4000:]}"


def topic_of(stack: Stack, sender: str, text: str) -> tuple[str | None, str]:
    """Ask the assistant through the REST channel; the topic it answered, and its text."""
    replies = stack.say(sender, text, timeout=60).json()
    slots = stack.tracker(sender)["slots"]
    return slots.get("kb_article"), " ".join(str(r.get("text", "")) for r in replies)  # type: ignore[union-attr]


def test_staff_add_a_topic_train_deploy_then_remove_it(
    tmp_path: Path,
    settings: Settings,
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    assert MODEL.exists(), "train first: make train"
    assert QUESTION not in EXAMPLES
    project = copy_project(tmp_path / "project")
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy2(MODEL, models / "assistant.tar.gz")
    with session_factory.begin() as session:
        add_user(session, "rita", "reviewer", PASSWORD)
    with running_stack(
        tmp_path / "stack",
        model=models / "assistant.tar.gz",
        env={"DATABASE_URL": settings.database_url},
    ) as stack:
        assert topic_of(stack, "before", QUESTION)[0] != SLUG
        web_settings = dataclasses.replace(
            Settings.from_env(
                {
                    "DATABASE_URL": settings.database_url,
                    "RASA_URL": stack.rasa_url,
                    "PUBLIC_URL": "http://testserver",
                    "TRACKER_STORE_URL": f"sqlite:///{stack.workdir / 'conversations.db'}",
                }
            ),
            rasa_token=stack.token,
            project_dir=project,
            models_dir=models,
            staff_examples_file=project / "data" / "nlu" / "staff_examples.yml",
        )
        with TestClient(create_app(web_settings, store), follow_redirects=False) as client:
            rita = sign_in(client, "rita")
            # The editor's own form, as a reviewer fills it in for a new article.
            page = rita.get("/admin/articles/contact-care-team")
            form = {**page.context["values"], **ARTICLE}  # type: ignore[attr-defined]
            form = {k: ("" if k.startswith("terms_") else v) for k, v in form.items()}
            new = rita.get("/admin/articles/new")
            response = rita.post(
                "/admin/articles/new",
                data={
                    **form,
                    "csrf_token": csrf_token(new.text),
                    "based_on": "",
                    "reason": "Patients ask what to bring",
                    "action": "publish",
                },  # fmt: skip
            )
            assert response.status_code == 303, response.text
            page = rita.get(f"/admin/articles/{SLUG}/examples")
            response = rita.post(
                f"/admin/articles/{SLUG}/examples",
                data={"csrf_token": csrf_token(page.text), "action": "add", "examples": EXAMPLES},
            )
            assert response.status_code == 303, response.text

            status = train_and_deploy(rita)
            assert status["state"] == "deployed", failure(status, stack)
            slug, text = topic_of(stack, "after-publish", QUESTION)
            assert slug == SLUG, text
            assert "carte Vitale" in text

            page = rita.get(f"/admin/articles/{SLUG}")
            response = rita.post(
                f"/admin/articles/{SLUG}/unpublish",
                data={"csrf_token": csrf_token(page.text), "reason": "Moved to the website"},
            )
            assert response.status_code == 303, response.text
            status = train_and_deploy(rita)
            assert status["state"] == "deployed", failure(status, stack)
            slug, text = topic_of(stack, "after-unpublish", QUESTION)
            assert slug != SLUG and "carte Vitale" not in text

    # The checkout's files were never written: only the copy trained.
    repo_examples = PROJECT_ROOT / "data" / "nlu" / "staff_examples.yml"
    assert not repo_examples.exists() or "what to bring" not in repo_examples.read_text()
