"""What a participant sees when something goes wrong: a plain page in the participant layout.

A participant must never meet the researcher side's error pages ("Bad Request — The CSRF tokens do
not match.", a link to the log-in page). Every error on a participant page is answered here with a
sentence a participant understands and, where there is one, a way on: "Continue the study" leads
to the step the server holds them on. Dead ends (an unknown link, a closed study) offer none,
since continuing would only lead back to them.
"""

from __future__ import annotations

from flask import render_template, session, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from uxlab.i18n.pages import ensure_language
from uxlab.i18n.text import N_, translate

#: Where participant pages live: an unknown URL under these is answered here too, although no
#: participant view (and so no blueprint error handler) matched it.
PARTICIPANT_PATHS = ("/p/", "/s/", "/run")

#: status: (title, text, whether a participant with a session may continue from it)
MESSAGES = {
    400: (N_("This page could not be sent"), N_("Something in this page's answer could not be "
                                                 "read. Nothing was changed."), True),
    403: (N_("Open your study link"), N_("Please open the link you were given to take part in "
                                         "the study."), False),
    404: (N_("Page not found"), N_("There is no such page in this study."), True),
    405: (N_("Page not found"), N_("There is no such page in this study."), True),
    409: (N_("This study is open in another tab"), N_("You have already moved on in the study in "
          "another tab or window, so this page is out of date. Nothing was changed here."), True),
    410: (N_("Study closed"), N_("This study is closed. Thank you for your interest."), False),
    500: (N_("Something went wrong"), N_("We could not show this page. What you have done so "
                                         "far is saved; please try again in a moment."), True),
}
#: A database that cannot be reached or written just now: the 500's words, its own status.
MESSAGES[503] = MESSAGES[500]


def message_page(title: str, text: str, status: int, can_continue: bool = False):
    """Render a participant message; "Continue the study" only if ``can_continue`` and a
    participant's session is there to continue."""
    continue_url = (url_for("participant.run")
                    if can_continue and session.get("participant_id") else None)
    return render_template("participant/message.html", title=title, text=text,
                           continue_url=continue_url), status


def status_page(status: int):
    """The participant page for HTTP ``status`` (an unlisted 4xx reads as 400, 5xx as 500)."""
    if status not in MESSAGES:
        status = 500 if status >= 500 else 400
    title, text, can_continue = MESSAGES[status]
    ensure_language()
    return message_page(translate(title), translate(text), status, can_continue)


def http_error(exc: HTTPException):
    """Answer any HTTP error on a participant page with a participant page."""
    if isinstance(exc, CSRFError):
        # The form's token is not this session's: another tab opened a study link since this
        # page was shown (or the session has ended). The step the server holds is the way on.
        if session.get("participant_id"):
            return status_page(409)
        return status_page(403)
    return status_page(exc.code or 500)


def register(blueprint) -> None:
    """Route every HTTP error of ``blueprint`` here; Flask hands an unhandled exception over as
    an InternalServerError (500), an HTTPException too."""
    blueprint.register_error_handler(HTTPException, http_error)
