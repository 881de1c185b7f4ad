"""A reloaded task page opens the prototype page the participant was on (issue 10, 4)."""

from __future__ import annotations

import pytest

from tests.participants.bot import event
from uxlab.participants.resume import resume_url


@pytest.fixture
def bot(bot):
    """The participant, consented and on the first task, started."""
    bot.enter()
    bot.consent()
    bot.start_task()
    return bot


def test_a_reload_opens_the_last_page_the_events_name(bot):
    config = bot.config()
    root = config["prototype_root"]
    assert root.startswith("http://localhost/prototypes/checkout-redesign/")
    assert config["start_url"] == root + "index.html"  # the task's start page, first time
    assert config["resume_page"] is None
    attempt = config["attempt"]
    pages = [event("navigate", 0, attempt, url="index.html"),
             event("navigate", 1, attempt, url="shoes.html?sort=price#list")]
    assert bot.send_events(config, pages).status_code == 200
    again = bot.config()
    assert again["start_url"] == root + "shoes.html?sort=price#list"
    assert again["resume_page"] == "shoes.html?sort=price#list"
    assert f'"start_url": "{root}shoes.html?sort=price#list"' in bot.page()  # for runner.js


def test_the_last_page_is_the_latest_by_client_time(bot):
    config = bot.config()
    attempt = config["attempt"]
    later, earlier = event("navigate", 5, attempt, url="shoes.html"), \
        event("navigate", 1, attempt, url="help.html")
    assert bot.send_events(config, [later, earlier]).status_code == 200  # sent out of order
    assert bot.config()["resume_page"] == "shoes.html"


@pytest.mark.parametrize("page", [
    "javascript:alert(1)", "https://evil.example/index.html", "../shared/style.css",
    "/prototypes/checkout-redesign/shared/shop.js", "no-such-page.html",
    "../../checkout-redesign.toml", "//evil.example/x.html",
])
def test_a_page_outside_the_prototype_reopens_the_start_page(bot, page):
    config = bot.config()
    assert bot.send_events(config, [event("navigate", 0, config["attempt"], url=page)]
                           ).status_code == 200
    again = bot.config()
    assert again["start_url"] == config["prototype_root"] + "index.html"
    assert again["resume_page"] is None


def test_an_external_prototype_resumes_under_its_root(tmp_path):
    root = "https://proto.example/shop/"
    assert resume_url("https://proto.example/shop/cart?x=1", root, None, tmp_path) == \
        "https://proto.example/shop/cart?x=1"
    assert resume_url("https://proto.example/admin", root, None, tmp_path) is None
    assert resume_url("http://proto.example/shop/cart", root, None, tmp_path) is None
    assert resume_url(None, root, None, tmp_path) is None
