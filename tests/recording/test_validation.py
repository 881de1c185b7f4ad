"""The quick path of the event check accepts nothing the careful path refuses, and agrees with it."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uxlab.recording.validation import EventError, _event_row, _quick_row

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**60, 2**60),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.text(max_size=5), scalars, max_size=3))
good = {
    "id": st.one_of(st.uuids().map(str), st.text(max_size=40)),
    "seq": st.one_of(st.integers(-2, 2**31 + 2), values),
    "tab": st.one_of(st.text(max_size=70), values),
    "type": st.one_of(st.sampled_from(["click", "navigate", "resize", "keypress"]), values),
    "t": st.one_of(st.integers(-1, 2**53 + 1), values),
    "attempt": st.one_of(st.none(), st.integers(-1, 2**31), values),
    "x": st.one_of(st.floats(), st.integers(), values),
    "y": st.one_of(st.floats(), values),
    "target": st.one_of(st.none(), st.text(max_size=50), values),
    "url": st.one_of(st.none(), st.text(max_size=50), values),
    "data": st.one_of(st.none(), st.dictionaries(
        st.sampled_from(["interactive", "restored", "matched", "text", "vw"]), values,
        max_size=4), values),
}


@st.composite
def events(draw):
    event = {name: draw(strategy) for name, strategy in good.items()
             if draw(st.booleans()) or name in ("id", "seq", "tab", "type", "t")}
    if draw(st.integers(0, 9)) == 0:
        event["colour"] = "red"
    if draw(st.integers(0, 4)) == 0:
        del event[draw(st.sampled_from(sorted(event)))]
    return event


@settings(max_examples=500)
@given(events())
def test_quick_path_agrees_with_the_careful_path(event):
    quick = _quick_row(event)
    try:
        careful = _event_row(event, "events[0]")
    except EventError:
        careful = None
    if quick is not None:
        assert careful == quick


def test_a_typical_click_takes_the_quick_path():
    event = {"id": str(uuid.uuid4()), "seq": 3, "tab": "t1", "type": "click", "t": 1_700_000_000_000,
             "attempt": 4, "x": 10.5, "y": 20, "target": "main > a", "url": "index.html",
             "data": {"interactive": True, "vw": 1280, "vh": 800, "text": "Shoes",
                      "matched": ["success"]}}
    assert _quick_row(event) == _event_row(event, "events[0]")


def test_restored_must_be_a_flag():
    """The metrics leave a page a reload showed again out of the path: only true/false says so."""
    event = {"id": str(uuid.uuid4()), "seq": 0, "tab": "t1", "type": "navigate",
             "t": 1_700_000_000_000, "attempt": 4, "url": "shoes.html", "data": {"restored": "yes"}}
    assert _quick_row(event) is None
    with pytest.raises(EventError) as refused:
        _event_row(event, "events[0]")
    assert refused.value.field == "events[0].data.restored"
    event["data"]["restored"] = True
    assert _quick_row(event) == _event_row(event, "events[0]")
