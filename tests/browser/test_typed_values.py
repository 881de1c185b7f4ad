"""What a participant types into a prototype never reaches the database.

The recorder (uxlab/static/recorder.js) records clicks with a control's label, never its value
or key presses. This test types a password and an email address into the demo prototype's
account form, submits it, and then searches every column of every table for them.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import func, select

from tests.browser.test_participant_e2e import (  # noqa: F401  (fixtures)
    Runner,
    _give_up,
    page,
    playwright_browser,
    server,
    study_db,
)
from uxlab.models import Base, Event

pytestmark = pytest.mark.browser

PASSWORD = "Tr0ub4dor&3-horse-9517"
EMAIL = "jo.private+7q4@example.net"


def _every_text(database) -> str:
    """Every value of every row of every table, as text."""
    with database.session(write=False) as session:
        return "\n".join(str(value) for table in Base.metadata.sorted_tables
                         for row in session.execute(select(table)) for value in row)


def test_typed_values_are_not_stored(page, server, study_db):  # noqa: F811  (the fixtures)
    runner = Runner(page, server.url)
    runner.open(study_db.token)
    for key in ("find-product", "add-to-cart", "apply-coupon"):
        _give_up(runner, key)
        runner.answer(4)
    runner.start("guest-checkout")
    runner.click("#checkout-button")
    runner.click("#create-account")
    runner.frame.locator("#account-name").wait_for()
    # Like many real prototypes, a form whose fields have names and that really submits (GET):
    # what was typed lands in the next page's URL, which the recorder must not record.
    runner.frame.locator("#account-form").evaluate("""form => {
      const names = {"account-name": "name", "account-email": "email",
                     "account-password": "password"};
      for (const [id, name] of Object.entries(names)) form.querySelector("#" + id).name = name;
      form.replaceWith(form.cloneNode(true));  // without the demo's fake-submit listener
    }""")
    for field, text in (("#account-name", "Jo Private"), ("#account-email", EMAIL),
                        ("#account-password", PASSWORD)):
        runner.click(field)
        runner.frame.locator(field).press_sequentially(text)  # key by key, like a person
    runner.click("#create-account-submit")
    runner.frame.locator("#guest-checkout").wait_for(state="attached")  # back at the checkout
    runner.page.click("#uxlab-giveup")
    runner.page.click("#uxlab-giveup-confirm")
    runner.ended()

    with study_db.session(write=False) as session:
        clicked = session.scalar(select(func.count()).select_from(Event).where(
            Event.type == "click", Event.target.contains("account-password")))
        landed = session.scalars(select(Event.url).where(
            Event.type == "navigate", Event.url.contains("checkout.html?"))).all()
    assert clicked, "the recorder did not record the clicks on the form (nothing to search)"
    assert landed and all(url.endswith("checkout.html?name=&email=&password=") for url in landed)
    stored = _every_text(study_db)
    assert "Password" in stored  # the field's label is recorded, as documented ...
    for typed in (PASSWORD, EMAIL, "Jo Private", "jo.private"):
        for form in {typed, quote(typed), quote_plus(typed)}:
            assert form not in stored  # ... what was typed into it is not, in any encoding
