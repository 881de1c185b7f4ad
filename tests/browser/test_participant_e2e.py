"""A participant does the demo study in Chromium; nothing is lost, nothing is counted twice.

The server runs in a subprocess (tests/support/live_server.py) so one test can SIGKILL it.
"""

from __future__ import annotations

import shutil
import time

import pytest
from sqlalchemy import func, select

from tests.conftest import PROJECT_ROOT, unavailable
from tests.support import browser
from tests.support.live_server import LiveServer
from tests.support.polling import wait_for
from uxlab.db import Database
from uxlab.models import Attempt, Event, Participant, QuestionnaireResponse, Study, Task
from uxlab.participants.links import create_participants
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec, start_study

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playwright_browser():
    problem = browser.chromium_problem()
    if problem:
        unavailable("Chromium", "UXLAB_REQUIRE_BROWSER", problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def study_db(tmp_path, sqlite_template):
    """A fresh SQLite database with the demo study running and one participant link."""
    path = tmp_path / "uxlab.sqlite"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    with database.session() as session:
        spec = read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml")
        study = load_spec(session, spec).study
        start_study(study)
        token = create_participants(session, study, 1)[0].token
    database.token = token
    yield database
    database.dispose()


@pytest.fixture
def server(study_db, tmp_path):
    live = LiveServer(study_db.url, str(tmp_path / "instance"))
    live.start()
    yield live
    live.stop()


@pytest.fixture
def page(playwright_browser, server):
    context = playwright_browser.new_context(viewport={"width": 1280, "height": 800})
    blocked = browser.watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


class Runner:
    """Drives the participant's pages and counts the clicks made inside the prototype."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.clicks: list[tuple[str, bool]] = []  # (task, interactive)
        self.selectors: list[tuple[str, str]] = []  # (task, selector), for a failure's report
        self.task = ""
        self.wall: dict[str, float] = {}
        self.finished_at: float | None = None
        self.console: list[str] = []  # for the report when clicks are missing
        page.on("request", self._note_finish)
        page.on("console", lambda m: m.type in ("error", "warning") and self.console.append(m.text))

    def _note_finish(self, request):
        # The task ends for the participant when the runner sends the finish call; what the
        # browser does afterwards (the next page) is not time on task.
        if request.url.endswith("/finish") and self.finished_at is None:
            self.finished_at = time.monotonic()

    @property
    def frame(self):
        return self.page.frame_locator("#uxlab-frame")

    def open(self, token: str):
        self.page.goto(f"{self.base_url}/p/{token}")
        self.page.get_by_label("I have read the above and agree").check()
        self.page.get_by_role("button", name="Start the study").click()

    def start(self, key: str):
        self.task = key
        self.page.wait_for_selector("#start-task")
        self.finished_at = None
        self.started = time.monotonic()
        self.page.click("#start-task")
        self.page.wait_for_selector("#uxlab-frame")
        self.frame.locator("body").wait_for()

    def click(self, selector: str, interactive: bool = True):
        self.frame.locator(selector).first.click()
        self.clicks.append((self.task, interactive))
        self.selectors.append((self.task, selector))

    def ended(self):
        """Wait for the post-task page and note the wall time of the task."""
        self.page.wait_for_selector("fieldset.scale")
        self.wall[self.task] = self.finished_at - self.started

    def answer(self, value: int):
        """Answer every item of the questionnaire on screen with ``value``, then go on."""
        for fieldset in self.page.locator("fieldset.scale").all():
            fieldset.locator(f'input[type=radio][value="{value}"]').check()
        self.page.click("#questionnaire-submit")


def _do_find_product(runner: Runner):
    runner.start("find-product")
    runner.click("h1, h2", interactive=False)  # a misclick on a heading
    runner.click("#category-shoes")
    runner.click("#product-trail-runner")
    runner.ended()


def _do_add_to_cart(runner: Runner):
    runner.start("add-to-cart")
    runner.click("#add-to-cart")  # no size yet: the dead end, an error
    runner.click("#back-to-product")
    runner.click("label[for=size-42]")  # one click, though the browser also clicks the radio
    runner.click("#add-to-cart")
    runner.ended()


def _give_up(runner: Runner, key: str):
    runner.start(key)
    runner.page.click("#uxlab-giveup")
    runner.page.click("#uxlab-giveup-confirm")
    runner.ended()


def _do_guest_checkout(runner: Runner):
    runner.start("guest-checkout")
    runner.click("#checkout-button")
    runner.click("#guest-checkout")
    for field, value in (("#full-name", "Ada Test"), ("#email", "ada@example.org"),
                         ("#street", "1 Test Street"), ("#postcode", "12345"),
                         ("#city", "Testville")):
        runner.frame.locator(field).fill(value)
    runner.frame.locator("#country").select_option(index=1)
    runner.click("#continue-to-payment")
    for field, value in (("#card-number", "4242 4242 4242 4242"), ("#card-name", "Ada Test"),
                         ("#card-expiry", "12/30"), ("#card-cvc", "123")):
        runner.frame.locator(field).fill(value)
    runner.click("#place-order")
    runner.ended()


def _do_return_policy(runner: Runner):
    runner.start("return-policy")
    if runner.frame.locator("#header-returns").count():
        runner.click("#header-returns")
    else:
        runner.click("#footer-help")
        runner.click("#help-returns")
    runner.page.click("#uxlab-done")
    runner.page.fill("#uxlab-answer", "30 days")
    runner.page.click("#uxlab-answer-submit")
    runner.ended()


def _attempts(database) -> dict[str, Attempt]:
    with database.session(write=False) as session:
        rows = session.execute(select(Attempt, Study).join(Attempt.task).join(Study)).all()
        return {attempt.task.key: attempt for attempt, _ in rows}


def _click_events(database) -> int:
    with database.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(Event).where(Event.type == "click"))


def _missing_clicks(database, runner: Runner) -> str:
    """Which task's clicks are missing, what the browser still holds, and what it said: for the
    report of a test that finds fewer clicks stored than were made."""
    made: dict[str, int] = {}
    for task, _ in runner.clicks:
        made[task] = made.get(task, 0) + 1
    with database.session(write=False) as session:
        stored: dict[str, list] = {}
        for key, target, url, seq in session.execute(
                select(Task.key, Event.target, Event.url, Event.seq).select_from(Event)
                .join(Attempt, Event.attempt_id == Attempt.id)
                .join(Task, Attempt.task_id == Task.id)
                .where(Event.type == "click").order_by(Event.seq)):
            stored.setdefault(key, []).append((seq, target, url))
    queued = runner.page.evaluate("""() => Object.keys(localStorage)
        .filter((k) => k.startsWith("uxlab:queue:"))
        .map((k) => (JSON.parse(localStorage.getItem(k)).events || []).map((e) => e.type))""")
    return (f"clicks made by task {made} ({runner.selectors}), stored by task {stored}; still "
            f"queued in the browser {queued}; console {runner.console}")



def test_a_participant_completes_the_demo_study(page, server, study_db):
    runner = Runner(page, server.url)
    runner.open(study_db.token)
    _do_find_product(runner)
    runner.answer(6)
    _do_add_to_cart(runner)
    runner.answer(5)
    _give_up(runner, "apply-coupon")
    runner.answer(2)
    _do_guest_checkout(runner)
    runner.answer(6)
    _do_return_policy(runner)
    runner.answer(7)
    runner.answer(4)   # SUS: ten items
    runner.answer(9)   # NPS
    page.wait_for_selector("text=Thank you")

    attempts = _attempts(study_db)
    assert {k: a.outcome for k, a in attempts.items()} == {
        "find-product": "success", "add-to-cart": "success", "apply-coupon": "abandoned",
        "guest-checkout": "success", "return-policy": "success"}
    assert attempts["find-product"].decided_by == "auto"
    assert attempts["return-policy"].answer == "30 days"
    assert wait_for(lambda: _click_events(study_db) == len(runner.clicks)), \
        _missing_clicks(study_db, runner)
    attempts = _attempts(study_db)
    for key, attempt in attempts.items():
        made = [interactive for task, interactive in runner.clicks if task == key]
        assert attempt.clicks == len(made), key
        assert attempt.misclicks == made.count(False), key
        # Server time on task is within a second of the wall time the test measured.
        assert abs(attempt.time_on_task_ms / 1000 - runner.wall[key]) < 1.0, key
    assert attempts["add-to-cart"].errors >= 1
    assert attempts["find-product"].direct is True
    with study_db.session(write=False) as session:
        answers = dict(session.execute(
            select(QuestionnaireResponse.instrument, func.count())
            .group_by(QuestionnaireResponse.instrument)).all())
        nps = session.scalar(select(QuestionnaireResponse.value).where(
            QuestionnaireResponse.instrument == "nps"))
        participant = session.scalars(select(Participant)).one()
    assert answers == {"seq": 5, "sus": 10, "nps": 1}
    assert nps == 9
    assert participant.completed_at is not None


def _to_task_three(runner: Runner, token: str):
    runner.open(token)
    _do_find_product(runner)
    runner.answer(6)
    _do_add_to_cart(runner)
    runner.answer(5)
    runner.start("apply-coupon")


def test_reload_mid_task_keeps_the_task_and_its_timer(page, server, study_db):
    runner = Runner(page, server.url)
    _to_task_three(runner, study_db.token)
    page.wait_for_timeout(2500)
    page.reload()
    page.wait_for_selector("#uxlab-frame")
    assert "Task 3 of 5" in page.inner_text(".uxlab-bar")
    browser.wait_in_page(
        page, "(() => { const [m, s] = document.querySelector('#uxlab-timer').textContent"
        ".trim().split(':').map(Number); return m * 60 + s >= 2; })()")
    attempts = _attempts(study_db)
    assert attempts["apply-coupon"].ended_at is None


def test_thirty_seconds_offline_loses_nothing(page, server, study_db):
    runner = Runner(page, server.url)
    _to_task_three(runner, study_db.token)
    page.context.set_offline(True)
    # Offline the prototype cannot load pages either: click without navigating.
    for _ in range(3):
        runner.click("h1, h2", interactive=False)
        page.wait_for_timeout(1000)
    page.wait_for_timeout(27_000)
    page.context.set_offline(False)
    runner.click("#logo")
    assert wait_for(lambda: _click_events(study_db) == len(runner.clicks), timeout=60), \
        _missing_clicks(study_db, runner)
    with study_db.session(write=False) as session:
        unique = session.scalar(select(func.count(func.distinct(Event.event_uuid))))
        total = session.scalar(select(func.count()).select_from(Event))
    assert unique == total


def test_a_page_records_without_fetching_the_recorder(page, server, study_db):
    """The recorder comes inline with the prototype page: a participant whose network drops
    between the page and a script request is still recorded (CI once lost three offline clicks
    when the task's page had arrived but its recorder.js request had not been answered)."""
    page.route("**/static/recorder.js", lambda route: route.abort())
    runner = Runner(page, server.url)
    runner.open(study_db.token)
    _do_find_product(runner)
    assert wait_for(lambda: _click_events(study_db) == len(runner.clicks)), \
        _missing_clicks(study_db, runner)


def test_server_killed_and_restarted_loses_nothing(page, server, study_db):
    runner = Runner(page, server.url)
    _to_task_three(runner, study_db.token)
    runner.click("#nav-shoes")
    runner.click("h1, h2", interactive=False)
    server.kill()
    # With the server down no page loads: click without navigating.
    runner.click("h1, h2", interactive=False)
    runner.click("h1, h2", interactive=False)
    page.wait_for_timeout(1500)
    server.start()
    runner.click("#nav-shoes")
    page.click("#uxlab-giveup")
    page.click("#uxlab-giveup-confirm")
    runner.ended()
    assert wait_for(lambda: _click_events(study_db) == len(runner.clicks), timeout=60), \
        _missing_clicks(study_db, runner)
    with study_db.session(write=False) as session:
        unique = session.scalar(select(func.count(func.distinct(Event.event_uuid))))
        total = session.scalar(select(func.count()).select_from(Event))
    assert unique == total
    assert _attempts(study_db)["apply-coupon"].outcome == "abandoned"
