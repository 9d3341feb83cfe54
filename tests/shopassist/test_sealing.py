"""Sealing: transcripts under per-owner keys, keys wrapped under the data key."""

from __future__ import annotations

import stat

import pytest

from shopassist.sealing import Sealer, is_sealed, owner_of, resolve_data_key


def test_a_sealed_text_opens_only_with_its_key_and_in_its_own_row():
    sealer = Sealer(bytes(32))
    key = Sealer.new_key()
    sealed = sealer.seal(key, "my address is 1 Elm Road", "session-a")
    assert is_sealed(sealed) and "Elm" not in sealed
    assert sealer.open(key, sealed, "session-a") == "my address is 1 Elm Road"
    with pytest.raises(Exception):  # copied into another row
        sealer.open(key, sealed, "session-b")
    with pytest.raises(Exception):  # another owner's key
        sealer.open(Sealer.new_key(), sealed, "session-a")


def test_a_wrapped_key_opens_only_under_the_data_key_and_for_its_owner():
    key = Sealer.new_key()
    wrapped = Sealer(bytes(32)).wrap(key, "user:17850")
    assert Sealer(bytes(32)).unwrap(wrapped, "user:17850") == key
    with pytest.raises(Exception):
        Sealer(bytes(range(32))).unwrap(wrapped, "user:17850")
    with pytest.raises(Exception):
        Sealer(bytes(32)).unwrap(wrapped, "user:99999")


def test_the_data_key_file_is_made_once_private_and_reused(tmp_path):
    path = tmp_path / "secrets" / "data.key"
    first = resolve_data_key(None, path)
    assert len(first) == 32 and resolve_data_key(None, path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    configured = resolve_data_key("x" * 40, path)
    assert configured != first and configured == resolve_data_key("x" * 40, tmp_path / "other")


def test_owners_are_customers_or_for_guests_their_conversation():
    assert owner_of("s1", "17850") == "user:17850"
    assert owner_of("s1", None) == "session:s1"
