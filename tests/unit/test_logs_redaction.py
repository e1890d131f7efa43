"""Log files after a realistic flow hold no client names, phone numbers or free text."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from conftest import T0
from oncall.cli import main
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.logs import NameList, RedactingFilter, redact, setup_logging, stop_logging
from oncall.services import episodes, pin
from oncall.services.access import break_glass
from oncall.services.alerts import acknowledge_alert
from oncall.services.demo import seed_everything
from oncall.services.errors import PermissionDenied
from oncall.services.seed import demo_context
from oncall.services.views import view_client
from oncall.store import people
from oncall.store.db import Store, connect


def _secrets(store: Store) -> tuple[set[str], set[str]]:
    """Every client and emergency-contact name (and name part), and every phone number."""
    names: set[str] = set()
    phones: set[str] = set()
    rows = store.query(
        "SELECT name, preferred_name, phone FROM clients"
        " UNION ALL SELECT name, NULL, phone FROM emergency_contacts"
    )
    for name, preferred, phone in rows:
        names.add(name)
        names.update(part for part in name.split() if len(part) >= 4)
        if preferred and len(preferred) >= 3:
            names.add(preferred)
        if phone:
            phones.add(phone)
            phones.add(re.sub(r"\D", "", phone)[-7:])  # 5550142 with the separators gone
    return names, phones


def _log_text(folder: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def test_a_realistic_flow_leaves_no_client_data_in_the_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "clinic.db"
    logs = tmp_path / "logs"
    monkeypatch.setenv("ONCALL_LOG_DIR", str(logs))  # the CLI run below logs there too
    clock = FrozenClock(T0)
    settings = Settings(db_path=db_path)
    store = connect(db_path)
    setup_logging(db_path, directory=logs)
    try:
        seed_everything(store, settings=settings, clock=clock)
        names, phones = _secrets(store)
        demo = demo_context(store, clock, settings)
        alerts = store.query("SELECT id, client_id FROM alerts WHERE client_id IS NOT NULL")
        ack = acknowledge_alert(demo, alerts[0][0])
        assert ack.episode is not None
        with store.read() as conn:
            client = people.client_by_id(conn, ack.episode.client_id)
        assert client is not None and client.phone
        episodes.add_note(demo, ack.episode.id, f"Spoke with {client.name} at {client.phone}")
        others = [row[1] for row in alerts if row[1] != client.id]
        other = others[0]
        with pytest.raises(PermissionDenied):
            view_client(demo, other)
        break_glass(demo, other, f"{client.name}'s sister called about them")
        view_client(demo, other)
        pin.set_pin(demo, "2468")
        for _ in range(5):
            pin.verify_pin(demo, "0000")
        # Mistakes a developer might make: the filter is the second line of defence.
        careless = logging.getLogger("oncall.careless")
        careless.info("opened the record of %s", client.name)
        careless.info(f"calling {client.name} on {client.phone}")
        careless.warning(
            "client %s (%s) did not answer", client.preferred_name or "x", client.external_ref
        )
        careless.info("GET /lookup?phone=%s", client.phone)
        try:
            raise ValueError(f"bad data for {client.name}, phone {client.phone}")
        except ValueError as error:
            careless.exception("lookup failed")
            careless.error(error)
        # A CLI run in the same process: an import with a rejected record naming a client.
        feed = tmp_path / "alerts.jsonl"
        feed.write_text(
            json.dumps(
                {
                    "id": "x-1",
                    "source": "app",
                    "client_ref": client.external_ref,
                    "kind": "nope",
                    "severity": "high",
                    "summary": f"{client.name} {client.phone}",
                    "occurred_at": "2026-11-22T02:00:00-08:00",
                }
            )
            + "\n",
            encoding="utf-8",
        )
        main(["ingest", str(feed), "--db", str(db_path)])
    finally:
        store.close()
    text = _log_text(logs)
    # The log is written, with ids and actions...
    assert "break-the-glass grant" in text and f"client {other}" in text
    assert "locked out after 5 wrong PINs" in text
    assert "[name]" in text and "[phone]" in text and "ValueError" in text
    # ...and nothing that names or reaches a client.
    leaked_names = sorted(n for n in names if n.lower() in text.lower())
    leaked_phones = sorted(p for p in phones if p in text)
    assert leaked_names == [] and leaked_phones == []
    assert "sister called" not in text and "bad data for" not in text


def test_files_are_owner_only_even_under_a_loose_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0)
    try:
        path = setup_logging(None, directory=tmp_path / "logs")
        logging.getLogger("oncall.test").info("one line")
    finally:
        os.umask(old)
        stop_logging()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_the_filter_drops_free_text_arguments_and_keeps_ids() -> None:
    record = logging.LogRecord(
        "oncall.x",
        logging.INFO,
        __file__,
        1,
        "alert %d from %s: %s",
        (42, "hotline", "SI with plan"),
        None,
    )
    RedactingFilter(NameList(loader=lambda: {"Jordan Ellis"})).filter(record)
    assert record.getMessage() == "alert 42 from hotline: [text]"
    assert redact("call Jordan at (714) 555-0163 or jordan@example.org", None).count("[") == 2
    names = NameList(loader=lambda: {"Jordan Ellis", "Pepe"}).pattern()
    assert redact("jordan said Ellis and PEPE", names) == "[name] said [name] and [name]"
    assert redact("2026-11-22 03:14 alert 12345", names) == "2026-11-22 03:14 alert 12345"


def test_an_incident_report_holds_no_locals_and_no_message(tmp_path: Path) -> None:
    from oncall.ui import crash

    def look_up(name: str) -> None:
        phone = "+1-714-555-0163"  # a local the report must not show
        raise KeyError(f"no record for {name} at {phone}")

    try:
        try:
            look_up("Jordan Ellis")
        except KeyError as inner:
            raise RuntimeError("while opening Jordan Ellis") from inner
    except RuntimeError as error:
        incident = crash.report_exception(error, tmp_path)
    (report,) = tmp_path.iterdir()
    text = report.read_text(encoding="utf-8")
    assert incident in report.name and incident in text
    assert "builtins.RuntimeError" in text and "builtins.KeyError" in text
    assert "in look_up" in text
    assert "Jordan" not in text and "555-0163" not in text and "phone" not in text
    assert "Jordan" not in crash.incident_message(incident)
