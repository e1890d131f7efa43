"""The keyed audit hash is HMAC-SHA256 exactly, and only the key it was made with checks it."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pytest

from oncall.store.audit import KEYED, _seal, append_audit, verify_chain
from oncall.store.audit_key import AuditKeyError, create_key, key_path, read_key
from oncall.store.db import connect


@pytest.mark.parametrize("size", [1, 32, 64, 65, 100])
def test_the_keyed_hash_is_rfc_2104_hmac_sha256(size: int) -> None:
    key, material = os.urandom(size), os.urandom(300)
    assert _seal(material, key) == KEYED + hmac.new(key, material, hashlib.sha256).hexdigest()


def test_rows_keyed_with_one_key_do_not_verify_with_another(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    store = connect(db)
    create_key(db)
    with store.write() as conn:
        for number in range(3):
            append_audit(conn, at="t", actor="a", action="x", object_type="y", object_id=number)
    key = read_key(db)
    assert key is not None
    with store.read() as conn:
        assert verify_chain(conn, key) == []
        assert verify_chain(conn, os.urandom(32)) == [
            f"audit row {n}: contents do not match its hash" for n in (1, 2, 3)
        ]
    store.close()


def test_a_key_others_may_read_is_named_and_not_used(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    path = create_key(db)
    assert path == key_path(db) and path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    with pytest.raises(AuditKeyError, match=r"may be read by other accounts \(mode 644\)"):
        read_key(db)
