"""A query key that names a route argument (``study_id``, ``fmt``, ``_anchor``…) is no filter:
the pages that keep their filters in links answer as without it, never a 500 (issue 14, fix 6)."""

from __future__ import annotations

import pytest

from tests.exports.test_routes import owned, owner  # noqa: F401 (fixtures)

KEYS = ("study_id", "what", "fmt", "endpoint", "_anchor", "_method", "_scheme", "_external")
PAGES = ("results", "export", "results/clicks")


@pytest.fixture(autouse=True)
def no_charts(monkeypatch):
    """The results page's charts are beside the point here, and slow to draw."""
    monkeypatch.setattr("uxlab.researcher.results.page_charts", lambda page: ())


@pytest.mark.parametrize("page", PAGES)
def test_route_argument_names_in_the_query_are_ignored(client, auth, owner, owned, page):  # noqa: F811
    auth.login(owner.email)
    query = "&".join(f"{key}=x" for key in KEYS)
    response = client.get(f"/studies/{owned.id}/{page}?variant=B&{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert "variant=B" in html  # the real filter is kept in the links
    for key in KEYS:
        assert f"{key}=x" not in html, key
    assert f"/studies/{owned.id}/" in html and "/studies/x" not in html
