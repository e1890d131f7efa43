"""Console PINs: salted scrypt hashes, five wrong PINs lock out, only a supervisor clears it."""

from __future__ import annotations

import hashlib

import pytest

from conftest import Clinic
from oncall.services import pin, staff_admin
from oncall.services.errors import PermissionDenied, Refused, ValidationFailed
from oncall.services.pin import PinOutcome
from oncall.store import staff_admin as accounts
from oncall.store.audit import audit_entries


def _stored_hash(clinic: Clinic, login: str) -> str | None:
    with clinic.store.read() as conn:
        state = accounts.pin_state(conn, clinic.staff[login].id)
    assert state is not None
    return state.pin_hash


def test_the_hash_is_salted_scrypt_with_its_parameters(clinic: Clinic) -> None:
    pin.set_pin(clinic.ctx("alice"), "2468")
    pin.set_pin(clinic.ctx("bob"), "2468")
    alice, bob = _stored_hash(clinic, "alice"), _stored_hash(clinic, "bob")
    assert alice is not None and bob is not None
    scheme, n, r, p, salt, key = alice.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(key)) == 32
    assert "2468" not in alice and alice != bob  # a fresh salt each time
    assert pin.pin_matches("2468", alice) and not pin.pin_matches("2469", alice)


def test_a_hash_made_with_other_parameters_still_verifies() -> None:
    salt = bytes(range(16))
    key = hashlib.scrypt(b"13579", salt=salt, n=2**10, r=4, p=2, dklen=24)
    stored = f"scrypt${2**10}$4$2${salt.hex()}${key.hex()}"
    assert pin.pin_matches("13579", stored)
    assert not pin.pin_matches("13578", stored)
    assert not pin.pin_matches("13579", "damaged")


@pytest.mark.parametrize("bad", ["12a4", "123", "1234567890123", "", "١٢٣٤", "12 34"])
def test_a_pin_is_four_to_twelve_ascii_digits(clinic: Clinic, bad: str) -> None:
    with pytest.raises(ValidationFailed):
        pin.set_pin(clinic.ctx("alice"), bad)
    assert _stored_hash(clinic, "alice") is None


def test_five_wrong_pins_lock_out_and_the_right_one_then_fails(clinic: Clinic) -> None:
    alice = clinic.ctx("alice")
    pin.set_pin(alice, "2468")
    left = [pin.verify_pin(alice, "0000").attempts_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = pin.verify_pin(alice, "0000")
    assert fifth.outcome is PinOutcome.LOCKED_OUT
    assert pin.verify_pin(alice, "2468").outcome is PinOutcome.LOCKED_OUT
    with clinic.store.read() as conn:
        listed = {a.staff.login: a for a in accounts.accounts(conn)}
        actions = [e.action for e in audit_entries(conn) if e.actor == "alice"]
    assert listed["alice"].locked_out_at == clinic.clock.now()
    assert actions.count("pin.failed") == 4 and "pin.locked_out" in actions
    # A supervisor clears it; the right PIN works and the count starts again.
    assert staff_admin.unlock_staff(clinic.ctx("sue"), "alice")
    assert pin.verify_pin(alice, "2468").outcome is PinOutcome.UNLOCKED
    assert pin.verify_pin(alice, "1111").attempts_left == 4


def test_a_right_pin_forgets_earlier_mistakes(clinic: Clinic) -> None:
    alice = clinic.ctx("alice")
    pin.set_pin(alice, "2468")
    for _ in range(4):
        pin.verify_pin(alice, "0000")
    assert pin.verify_pin(alice, "2468").outcome is PinOutcome.UNLOCKED
    assert pin.verify_pin(alice, "0000").attempts_left == 4


def test_no_pin_set_never_unlocks(clinic: Clinic) -> None:
    check = pin.verify_pin(clinic.ctx("alice"), "0000")
    assert check.outcome is PinOutcome.NO_PIN


def test_setting_a_new_pin_does_not_lift_a_lockout(clinic: Clinic) -> None:
    alice = clinic.ctx("alice")
    pin.set_pin(alice, "2468")
    for _ in range(5):
        pin.verify_pin(alice, "0000")
    pin.set_pin(alice, "1357")
    assert pin.verify_pin(alice, "1357").outcome is PinOutcome.LOCKED_OUT


def test_only_admins_set_another_persons_pin(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        pin.set_pin(clinic.ctx("sue"), "2468", login="alice")
    assert _stored_hash(clinic, "alice") is None


def test_only_another_supervisor_clears_a_lockout(clinic: Clinic) -> None:
    sue = clinic.ctx("sue")
    pin.set_pin(sue, "2468")
    for _ in range(5):
        pin.verify_pin(sue, "0000")
    with pytest.raises(PermissionDenied):
        staff_admin.unlock_staff(clinic.ctx("alice"), "sue")
    with pytest.raises(Refused, match="your own lockout"):
        staff_admin.unlock_staff(sue, "sue")
    assert pin.verify_pin(sue, "2468").outcome is PinOutcome.LOCKED_OUT
