"""Attempt metrics from events, each example computed by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.recording.factories import EventMaker, make_attempt, make_sitting
from uxlab.models import Event, Observation
from uxlab.recording.ingest import ingest_events
from uxlab.recording.metrics import attempt_metrics, derive_attempt_metrics, smith_lostness

FIND_PRODUCT = ["index.html", "shoes.html", "product-trail-runner.html"]


def _metrics(events, **task):
    options = {"start_page": "index.html", "criterion": {"type": "url", "url": FIND_PRODUCT[-1]},
               "error_rules": [], "optimal_path": FIND_PRODUCT, "success": True}
    options.update(task)
    return attempt_metrics(events, **options)


def _visits(*pages):
    make = EventMaker()
    return [make.navigate(page) for page in pages]


# --- Smith's lostness ----------------------------------------------------------------------------

def test_lostness_reproduces_tullis_and_albert():
    # Tullis & Albert, Measuring the User Experience, ch. 4, "Lostness": a participant visits
    # 9 pages (S), 6 of them different (N), where 3 (R) would do; L = sqrt((6/9-1)^2 + (3/6-1)^2),
    # printed as 0.6. By hand: sqrt(1/9 + 1/4) = sqrt(13/36) = 0.6009.
    assert smith_lostness(visits=9, distinct=6, optimal=3) == pytest.approx(0.6, abs=0.005)
    assert smith_lostness(visits=9, distinct=6, optimal=3) == pytest.approx(math.sqrt(13) / 6)


def test_lostness_of_the_optimal_path_is_zero():
    assert smith_lostness(visits=3, distinct=3, optimal=3) == 0


@pytest.mark.parametrize(("visits", "distinct", "optimal"), [(3, 0, 1), (2, 3, 1), (3, 3, 0)])
def test_lostness_refuses_impossible_counts(visits, distinct, optimal):
    with pytest.raises(ValueError):
        smith_lostness(visits, distinct, optimal)


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(
    st.integers(n, 1000), st.just(n), st.integers(1, n))))
def test_lostness_is_between_zero_and_sqrt2(counts):
    visits, distinct, optimal = counts
    value = smith_lostness(visits, distinct, optimal)
    assert 0 <= value < math.sqrt(2)


# --- attempt metrics (pure) ----------------------------------------------------------------------

def test_direct_success_on_the_optimal_path():
    make = EventMaker()
    events = [
        make.navigate("index.html"),  # the start page loading: not a move
        make.click("nav a.shoes"),
        make.navigate("shoes.html"),
        make.click("main", interactive=False),  # on nothing: a misclick
        make.click("a.product"),
        make.navigate("product-trail-runner.html"),
    ]
    metrics = _metrics(events)
    assert metrics.clicks == 3
    assert metrics.misclicks == 1
    assert metrics.errors == 0
    assert metrics.path == FIND_PRODUCT
    assert metrics.direct is True
    assert metrics.first_click_correct is True
    assert metrics.lostness == 0


def test_indirect_success_with_a_detour():
    # Path index, help, index, shoes, product: S = 5, N = 4, R = 3;
    # L = sqrt((4/5 - 1)^2 + (3/4 - 1)^2) = sqrt(0.04 + 0.0625) = 0.32016 (by hand).
    metrics = _metrics(_visits("index.html", "help.html#contact", "index.html", "shoes.html",
                               "product-trail-runner.html"))
    assert metrics.path == ["index.html", "help.html", "index.html", "shoes.html",
                            "product-trail-runner.html"]
    assert metrics.direct is False
    assert metrics.first_click_correct is False
    assert metrics.lostness == pytest.approx(0.32016, abs=1e-5)


def test_tullis_albert_path_gives_their_lostness():
    # 9 visits over 6 different pages where the optimal path has 3 (Tullis & Albert's example).
    metrics = _metrics(_visits("help.html", "index.html", "shoes.html", "product-road-glide.html",
                               "shoes.html", "product-summit-hiker.html", "shoes.html",
                               "product-trail-runner.html"))
    assert len(metrics.path) == 9
    assert metrics.lostness == pytest.approx(0.6, abs=0.005)


def test_reloads_are_one_visit_for_direct_and_lostness():
    metrics = _metrics(_visits("index.html", "shoes.html", "shoes.html",
                               "product-trail-runner.html"))
    assert metrics.path == ["index.html", "shoes.html", "shoes.html", "product-trail-runner.html"]
    assert metrics.direct is True
    assert metrics.lostness == 0


def test_a_page_a_reload_showed_again_is_no_visit():
    """The runner marks the page a reload of the task shows again (issue 10): the path, direct
    success and lostness are those of the same navigation without the reload."""
    make = EventMaker()
    restored = {"restored": True}
    with_reloads = [make.navigate("index.html"), make.navigate("index.html", data=restored),
                    make.navigate("shoes.html"), make.navigate("shoes.html", data=restored),
                    make.navigate("shoes.html", data=restored),
                    make.navigate("product-trail-runner.html")]
    without = _metrics(_visits("index.html", "shoes.html", "product-trail-runner.html"))
    metrics = _metrics(with_reloads)
    assert metrics.path == FIND_PRODUCT == without.path
    assert (metrics.direct, metrics.lostness, metrics.first_click_correct) == (True, 0, True)
    # A reload after a detour leaves the detour as it was.
    detour = _metrics([make.navigate("help.html"), make.navigate("help.html", data=restored),
                       make.navigate("shoes.html"), make.navigate("product-trail-runner.html")])
    assert detour.path == ["index.html", "help.html", "shoes.html", "product-trail-runner.html"]
    assert detour.direct is False


def test_a_reload_on_an_error_page_is_one_error():
    rules = [{"type": "url", "url": "size-missing.html"}]
    make = EventMaker()
    events = [make.navigate("size-missing.html"),
              make.navigate("size-missing.html", data={"restored": True})]
    metrics = _metrics(events, start_page="product-trail-runner.html", error_rules=rules,
                       optimal_path=None, success=False)
    assert metrics.errors == 1
    assert metrics.path == ["product-trail-runner.html", "size-missing.html"]


def test_no_direct_without_success_and_no_lostness_on_short_paths():
    metrics = _metrics(_visits("index.html", "shoes.html"), success=False)
    assert metrics.direct is None
    assert metrics.first_click_correct is True
    assert metrics.lostness is None  # N = 2 < R = 3


def test_nothing_path_based_without_an_optimal_path():
    metrics = _metrics(_visits("index.html", "shoes.html"), optimal_path=None)
    assert (metrics.direct, metrics.first_click_correct, metrics.lostness) == (None, None, None)


def test_no_move_leaves_first_click_undecided():
    metrics = _metrics([EventMaker().navigate("index.html")], success=False)
    assert metrics.path == ["index.html"]
    assert metrics.first_click_correct is None


def test_errors_from_url_and_element_rules():
    rules = [{"type": "url", "url": "size-missing.html"},
             {"type": "element", "selector": "#newsletter"},
             {"type": "url", "url": "not-found.html"}]
    make = EventMaker()
    events = [
        make.navigate("product-trail-runner.html"),
        make.click("#add"),
        make.navigate("size-missing.html"),                 # error 1 (rule 0)
        make.click("#newsletter", matched=["error:1"]),     # error 2 (rule 1)
        make.click("#newsletter span", matched=["error:1", "error:3"]),  # error 3: one event
        make.navigate("product-trail-runner.html"),
        make.navigate("size-missing.html?from=cart"),       # error 4 (rule 0, path only)
        make.click("a.size-missing", url="size-missing.html"),  # a click, not a visit: no error
    ]
    metrics = _metrics(events, start_page="product-trail-runner.html", error_rules=rules,
                       optimal_path=None, success=False, moderator_errors=2)
    assert metrics.errors == 4 + 2
    assert metrics.clicks == 4


def test_first_click_on_an_element_criterion():
    criterion = {"type": "element", "selector": "#returns"}
    make = EventMaker()
    hit = [make.click("a#returns", matched=["success"]), make.click("body", interactive=False)]
    make = EventMaker()
    miss = [make.click("body", interactive=False), make.click("a#returns", matched=["success"])]
    assert _metrics(hit, criterion=criterion, optimal_path=None).first_click_correct is True
    assert _metrics(miss, criterion=criterion, optimal_path=None).first_click_correct is False
    assert _metrics([], criterion=criterion, optimal_path=None).first_click_correct is None


# --- derive_attempt_metrics on stored rows -------------------------------------------------------

def test_derive_reads_stored_events_in_client_order(db, study):
    sitting = make_sitting(db, study)
    attempt = make_attempt(db, sitting, "find-product", ended=True, outcome="success")
    second_tab = EventMaker(tab="tab-2", attempt=attempt.id, t0=1_700_000_000_500)
    first_tab = EventMaker(tab="tab-1", attempt=attempt.id)
    events = [first_tab.navigate("index.html"), second_tab.navigate("help.html"),
              first_tab.navigate("shoes.html"), first_tab.navigate("product-trail-runner.html")]
    # Sent in the wrong order: the path follows the client's clock, not arrival.
    ingest_events(db, sitting, list(reversed(events)))
    db.commit()
    db.refresh(attempt)
    assert attempt.path == ["index.html", "help.html", "shoes.html", "product-trail-runner.html"]
    assert attempt.direct is False


def test_derive_counts_moderator_errors_and_is_idempotent(db, study):
    sitting = make_sitting(db, study)
    attempt = make_attempt(db, sitting, "add-to-cart", ended=True, outcome="failure")
    make = EventMaker(attempt=attempt.id)
    ingest_events(db, sitting, [make.navigate("product-trail-runner.html"), make.click("#add"),
                                make.navigate("size-missing.html"),
                                make.click("body", interactive=False)])
    db.add_all([Observation(session_id=sitting.id, attempt_id=attempt.id, kind="error"),
                Observation(session_id=sitting.id, attempt_id=attempt.id, kind="note")])
    db.commit()
    derive_attempt_metrics(db, attempt)
    first = (attempt.clicks, attempt.misclicks, attempt.errors, list(attempt.path))
    derive_attempt_metrics(db, attempt)
    db.commit()
    assert (attempt.clicks, attempt.misclicks, attempt.errors, attempt.path) == first
    # clicks 2, misclicks 1, errors: size-missing.html (rule) + the moderator's error note.
    assert first == (2, 1, 2, ["product-trail-runner.html", "size-missing.html"])
    assert attempt.lostness is None and attempt.direct is None


def test_derive_uses_the_variants_criterion(db, study):
    task = next(t for t in study.tasks if t.key == "return-policy")
    task.criterion = {"type": "element", "selector": "#returns-a",
                      "variants": {"B": {"selector": "#returns-b"}}}
    db.commit()
    sitting = make_sitting(db, study, variant_key="B")
    attempt = make_attempt(db, sitting, "return-policy", ended=True, outcome="success")
    make = EventMaker(attempt=attempt.id)
    ingest_events(db, sitting, [make.click("#returns-b", matched=["success"])])
    db.commit()
    db.refresh(attempt)
    assert attempt.first_click_correct is True
    assert db.query(Event).count() == 1
