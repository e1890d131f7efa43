"""Every file holding client data is created readable by its owner only, whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import T0
from oncall.cli import main
from oncall.clock import FrozenClock
from oncall.config import Settings
from oncall.logs import setup_logging, stop_logging
from oncall.services import episodes
from oncall.services.alerts import acknowledge_alert
from oncall.services.demo import seed_everything
from oncall.services.seed import demo_context
from oncall.store.db import connect
from oncall.ui import crash


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable (0666) if nothing tightened them."""
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_shm_logs_and_reports_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    data = tmp_path / "data" / "nested"
    logs = tmp_path / "logs"
    monkeypatch.setenv("ONCALL_LOG_DIR", str(logs))
    db_path = data / "oncall.db"
    clock = FrozenClock(T0)
    settings = Settings(db_path=db_path)
    store = connect(db_path)
    setup_logging(db_path, directory=logs)
    try:
        seed_everything(store, settings=settings, clock=clock)
        ctx = demo_context(store, clock, settings)
        alert_id = store.query("SELECT id FROM alerts WHERE client_id IS NOT NULL LIMIT 1")[0][0]
        ack = acknowledge_alert(ctx, alert_id)
        assert ack.episode is not None
        episodes.add_note(ctx, ack.episode.id, "Safe at home; will call back at nine")
        logging.getLogger("oncall.test").warning("episode %d noted", ack.episode.id)
        # A second connection (another console) while the first is open.
        other = connect(db_path)
        other.query("SELECT COUNT(*) FROM alerts")
        try:
            raise RuntimeError("an unexpected fault")
        except RuntimeError as error:
            crash.report_exception(error)
        # The CLI's own start-up logging and a command's work.
        assert main(["report", "--since", "2026-11-01", "--db", str(db_path)]) in (0, 1)
        wal = Path(f"{db_path}-wal")
        shm = Path(f"{db_path}-shm")
        assert wal.exists() and shm.exists(), "WAL mode keeps these while connections are open"
        files = [db_path, wal, shm, *sorted(logs.iterdir())]
        modes = {p.name: oct(_mode(p)) for p in files}
        other.close()
    finally:
        store.close()
        stop_logging()
    assert {name for name in modes if name.startswith("incident-")}, "a crash report was written"
    assert "oncall.log" in modes
    assert set(modes.values()) == {"0o600"}, modes
    assert _mode(data) == 0o700 and _mode(logs) == 0o700
