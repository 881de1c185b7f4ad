"""Share links: only a hash is stored, revoking and expiry take effect at once."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from uxlab.models import ShareLink
from uxlab.sharing.service import (
    create_share_link,
    find_share_link,
    link_status,
    resolve_share_token,
    revoke_share_link,
    share_links,
)
from uxlab.timeutil import utcnow


@pytest.fixture
def study(make_study):
    return make_study()


def test_only_the_hash_of_the_token_is_stored(db, study):
    link, token = create_share_link(db, study, label="product team")
    db.commit()

    assert len(token) >= 43  # token_urlsafe(32): 256 bits, at least the 128 the issue asks
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.execute(text("SELECT * FROM share_links")).one()
    assert all(token not in str(value) for value in stored)
    assert resolve_share_token(db, token).id == study.id


def test_tokens_are_fresh_each_time(db, study):
    tokens = {create_share_link(db, study)[1] for _ in range(20)}
    assert len(tokens) == 20


def test_unknown_tokens_open_nothing(db, study):
    _, token = create_share_link(db, study)
    db.commit()
    for wrong in ("", token[:-1], token + "x", "x" * 1000,
                  hashlib.sha256(token.encode()).hexdigest()):  # the stored hash is no token
        assert resolve_share_token(db, wrong) is None


def test_revoking_takes_effect_at_once(db, study):
    link, token = create_share_link(db, study)
    db.commit()

    revoked = revoke_share_link(db, study, link.id)
    db.commit()

    assert resolve_share_token(db, token) is None
    assert link_status(revoked) == "revoked"
    first = revoked.revoked_at
    assert revoke_share_link(db, study, link.id).revoked_at == first


def test_expired_links_open_nothing(db, study):
    link, token = create_share_link(db, study, expires_at=utcnow() + timedelta(days=1))
    db.commit()
    assert resolve_share_token(db, token) is not None

    link.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()

    assert resolve_share_token(db, token) is None
    assert link_status(link) == "expired"


def test_bad_expiry_and_label_are_refused(db, study):
    with pytest.raises(ValueError, match="naive"):
        create_share_link(db, study, expires_at=utcnow().replace(tzinfo=None))
    with pytest.raises(ValueError, match="not in the future"):
        create_share_link(db, study, expires_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(ValueError, match="label"):
        create_share_link(db, study, label="x" * 201)


def test_a_study_revokes_and_lists_only_its_own_links(db, study, make_study, demo_spec):
    other = make_study(spec=dataclasses.replace(demo_spec, slug="other-study"))
    theirs, _ = create_share_link(db, other, label="theirs")
    mine, _ = create_share_link(db, study, label="mine")
    db.commit()

    with pytest.raises(LookupError):
        revoke_share_link(db, study, theirs.id)
    assert [link.label for link in share_links(db, study)] == ["mine"]
    assert db.scalar(select(ShareLink.revoked_at).where(ShareLink.id == theirs.id)) is None


def test_a_revoked_or_expired_token_still_finds_its_link(db, study):
    """So the share page can say the link was withdrawn or expired (410), not "not found"."""
    link, token = create_share_link(db, study)
    db.commit()
    revoke_share_link(db, study, link.id)
    db.commit()
    assert find_share_link(db, token).id == link.id
    assert find_share_link(db, token + "x") is None
    assert find_share_link(db, "") is None
