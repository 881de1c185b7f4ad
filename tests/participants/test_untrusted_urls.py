"""What a hostile editor stored or a panel sent never reaches the participant's page as a script
URL, and the task page gives no answer away (issue 14, fixes 1 and 4)."""

from __future__ import annotations

import re

from sqlalchemy import update

from tests.conftest import fresh
from uxlab.models import Attempt, Participant, Study, Task


def _first_task(db, study) -> Task:
    return fresh(db).get(Study, study.id).tasks[0]


def _on_the_first_task(bot) -> tuple[str, dict]:
    """Take the bot to its first running task; return the page and its config."""
    bot.enter()
    bot.consent()
    bot.start_task()
    html = bot.page()
    return html, bot.config(html)


def test_a_stored_script_start_page_never_reaches_the_frame(bot, db, running_study):
    # Stored before start pages were checked (or written straight into the database).
    db.execute(update(Task).where(Task.id == _first_task(db, running_study).id)
               .values(start_page="javascript:alert(document.cookie)"))
    db.commit()
    html, config = _on_the_first_task(bot)
    assert "javascript:" not in html.lower()
    assert config["start_url"] == config["prototype_root"] + "index.html"
    # The frame gets its page from runner.js, from the config, once the runner listens.
    frame = re.search(r'<iframe id="uxlab-frame"[^>]*>', html).group(0)
    assert "src=" not in frame


def test_the_task_page_does_not_carry_the_accepted_answers(bot, db, running_study):
    task = _first_task(db, running_study)
    task.criterion = {"type": "answer", "question": "How long can you return shoes?",
                      "answers": ["thirty days", "30 days"], "pattern": "^3[0O] ?d"}
    db.commit()
    html, config = _on_the_first_task(bot)
    assert config["criterion"] == {"type": "answer", "question": "How long can you return shoes?"}
    assert "thirty days" not in html and "3[0O]" not in html
    result = bot.finish(config, "done", answer="30 days").get_json()
    assert result["outcome"] == "success"  # the server still judges the answer
    fresh(db)
    assert db.get(Attempt, config["attempt"]).answer == "30 days"


def test_a_wrong_answer_is_judged_by_the_server(bot, db, running_study):
    task = _first_task(db, running_study)
    task.criterion = {"type": "answer", "answers": ["30 days"]}
    db.commit()
    _, config = _on_the_first_task(bot)
    assert "answers" not in config["criterion"]
    assert bot.finish(config, "done", answer="14 days").get_json()["outcome"] == "failure"


def _finished(bot, db, running_study, redirect: str, panel_id: str | None = None):
    """The bot's participant with every step done, the study's panel redirect set to ``redirect``
    (straight into the database, as a study stored before redirects were checked would be)."""
    participant = fresh(db).get(Participant, bot.participant_id)
    db.execute(update(Study).where(Study.id == running_study.id)
               .values(completion_redirect_url=redirect))
    participant.step, participant.panel_id = 10_000, panel_id
    db.commit()
    bot.enter()
    return bot.client.get("/run")


def test_the_panel_redirect_quotes_what_the_panel_sent(bot, db, running_study):
    response = _finished(bot, db, running_study, "https://panel.example/done?pid={panel_id}&c=OK",
                         panel_id="x&c=FORGED#frag")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "https://panel.example/done?pid=x%26c%3DFORGED%23frag&c=OK")


def test_a_stored_script_panel_redirect_is_not_followed(bot, db, running_study):
    response = _finished(bot, db, running_study, "javascript:alert(1)//https://x")
    assert response.status_code == 200
    assert "javascript:" not in response.get_data(as_text=True)
