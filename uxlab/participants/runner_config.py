"""What the task page tells runner.js: the attempt, its criterion, the prototype, the endpoints."""

from __future__ import annotations

from urllib.parse import urljoin

from flask import current_app, request, url_for

from uxlab.i18n.study_texts import StudyTexts
from uxlab.i18n.text import gettext
from uxlab.models import Attempt, Participant, Study, TestSession
from uxlab.participants.flow import Step
from uxlab.participants.resume import resume_url
from uxlab.recording.rules import criterion_for_variant
from uxlab.safe_urls import within
from uxlab.studies.criteria import shown_to_participant
from uxlab.studies.runnable import is_external
from uxlab.timeutil import utcnow

#: A moderator watches a remote-moderated session live: its batches go twice a second, so a
#: click reaches the console within the issue's 2 s (unmoderated sessions keep 2 s batches).
MODERATED_FLUSH_MS = 500


def prototype_root(prototype: str) -> str:
    """The absolute URL of a variant's prototype folder (with a trailing slash)."""
    if is_external(prototype):
        return prototype.rstrip("/") + "/"
    return urljoin(request.host_url, url_for("prototypes.serve", path=prototype.strip("/") + "/"))


def origin_of(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def runner_messages() -> dict[str, str]:
    """What runner.js may say on the task bar, in the page's language (config "messages")."""
    return {
        "offline": gettext("Offline — your work is kept and will be sent when you are back "
                           "online"),
        "unreachable": gettext("Cannot reach the server — your work is kept and will be sent "
                               "when it answers"),
        "delayed": gettext("Saving is delayed — your work is kept and will be sent shortly"),
        "saving": gettext("Saving…"),
        # %(reason)s is filled in by runner.js with "refused" below: the server's own reason is
        # English, so it goes to the console, not into a sentence in the participant's language.
        "not_saved": gettext("Not saved: %(reason)s. Please carry on."),
        "refused": gettext("the server said no"),
        "give_up_question": gettext("Are you sure? Press “Yes, give up” to stop this task."),
        "give_up_confirm": gettext("Yes, give up"),
    }


def task_page_config(study: Study, participant: Participant, step: Step,
                     test_session: TestSession, attempt: Attempt, token: str,
                     last_page: str | None = None, texts: StudyTexts | None = None) -> dict:
    """Return the JSON config embedded in the task page (see docs/recording.md).

    ``last_page`` is the page the attempt's events say was shown last (a reload): the frame opens
    there rather than on the task's start page, when it is a page of the prototype. ``texts``
    gives the study's texts in the page's language (the study's own language without it).
    """
    texts = texts or StudyTexts(study, (study.languages or ["en"])[0])
    prototype = step.variant.prototype
    root = prototype_root(prototype)
    task = step.task
    resume = resume_url(last_page, root, None if is_external(prototype) else prototype,
                        current_app.config["STUDIES_DIR"])
    from uxlab.participants.flow import task_position

    number, total = task_position(study, participant)
    start = resume or urljoin(root, task.start_page or "index.html")
    if not within(start, root):  # a start page stored before uxlab checked them
        start = urljoin(root, "index.html")
    session_id = str(test_session.public_id)
    criterion = shown_to_participant(criterion_for_variant(task.criterion, step.variant.key))
    if criterion.get("question") and criterion["question"] == task.criterion.get("question"):
        # (a variant that words its own question keeps it: translations are per task)
        criterion["question"] = texts.answer_question(task, criterion["question"])
    return {
        "session": session_id,
        "attempt": attempt.id,
        "step": participant.step,
        "task": {"key": task.key, "title": texts.task_title(task), "position": number,
                 "total": total},
        "criterion": criterion,
        "error_rules": list(task.error_rules or []),
        "time_limit_s": task.time_limit_s,
        "started_at_ms": int(attempt.started_at.timestamp() * 1000),
        "server_now_ms": int(utcnow().timestamp() * 1000),
        "prototype_origin": origin_of(root),
        "prototype_root": root,
        "start_url": start,
        "resume_page": last_page if resume else None,
        "endpoints": {
            "events": url_for("api.post_events", public_id=test_session.public_id),
            "finish": url_for("api.finish", public_id=test_session.public_id,
                              attempt_id=attempt.id),
        },
        "ingest_token": token,
        "next_url": url_for("participant.run"),
        "messages": runner_messages(),
        **({"flush_ms": MODERATED_FLUSH_MS} if test_session.mode == "remote_moderated" else {}),
    }
