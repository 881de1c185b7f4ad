"""The CX board in Chromium: changing the journey and period filters changes the cards."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.cx.conftest import JOURNEY_TOML, RESPONSE_HEADER, generate_responses, write_csv
from uxlab.cx.importing import import_cx_csv
from uxlab.cx.journey_files import parse_journeys_text
from uxlab.cx.journeys import load_journeys

pytestmark = pytest.mark.browser


def test_changing_journey_and_period_changes_the_cards(live_app, researchers, new_page,
                                                       tmp_path):
    from playwright.sync_api import expect

    rows = generate_responses(seed=3, per_cell=8)
    path = write_csv(tmp_path / "responses.csv", RESPONSE_HEADER, rows)
    with live_app.database.session() as session:
        load_journeys(session, parse_journeys_text(JOURNEY_TOML))
        with path.open(encoding="utf-8", newline="") as stream:
            import_cx_csv(session, stream)
    page = new_page()
    log_in(page, live_app.url, researchers[0])
    page.get_by_role("link", name="CX").click()
    expect(page.get_by_role("heading", name="CX board: Purchase")).to_be_visible()
    guest = page.locator("article[data-touchpoint='Guest checkout']")
    all_time = guest.inner_text()
    checkout_n = sum(1 for r in rows if r["touchpoint"] == "Guest checkout"
                     and r["metric"] == "nps")
    assert f"n {checkout_n}" in all_time

    page.get_by_label("Period").fill("2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Period")).to_have_value("2026-10")
    october = guest.inner_text()
    october_n = sum(1 for r in rows if r["touchpoint"] == "Guest checkout"
                    and r["metric"] == "nps" and r["recorded_at"].startswith("2026-10"))
    assert october != all_time and f"n {october_n}" in october

    page.get_by_label("Journey").select_option("Support")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="CX board: Support")).to_be_visible()
    expect(page.locator("article[data-touchpoint='Chat']")).to_contain_text("NPS")
    expect(page.locator("article[data-touchpoint='Guest checkout']")).to_have_count(0)
