"""No control byte from an import, a sync, a feed or a hand-edited row reaches a screen or the CLI.

Fuzzed with hypothesis: hostile names and descriptions go in through `oncall resources
import` (a file), `oncall resources sync` and the alert feed (a real HTTP server on
127.0.0.1); a client name is stored by hand with sqlite3. The console's screens are then
captured (`export_screenshot`) and the CLI's output read, and neither may hold one.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import pwd
import sqlite3
import sys
import unicodedata
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from local_http import json_reply, serving
from test_directory_sync import HsdsApi, service
from test_feed_poller import poller, record

from conftest import T0, build_clinic
from oncall.cli import main, make_app
from oncall.clock import FrozenClock
from oncall.services.alerts import acknowledge_alert
from oncall.store import people
from oncall.store.db import connect
from oncall.ui.screens.resources import ResourceDirectoryScreen

CONTROLS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cc"]
BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
FORBIDDEN = frozenset(CONTROLS + BIDI) - {"\n"}  # an SVG and CLI output have line breaks
PIECES = ["\x1b]52;c;aGk=\x07", "\x1b]8;;https://evil.example/\x1b\\", "\x1b[2J", "\x9b2J"]

hostile = st.lists(
    st.one_of(st.sampled_from(PIECES), st.sampled_from(sorted(FORBIDDEN)), st.text(max_size=4)),
    min_size=1,
    max_size=8,
).map("".join)


def leaked(text: str) -> list[str]:
    """The forbidden characters in `text`, for the assertion message."""
    return sorted({repr(c) for c in text if c in FORBIDDEN})


def run_cli(*words: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(list(words))
    return out.getvalue() + err.getvalue()


async def poll_feed(clinic: Any, summaries: list[str]) -> None:
    body = [record(n, summary=s, client_ref="C-1") for n, s in enumerate(summaries)]
    with serving(lambda _: json_reply(body)) as server:
        async with poller(clinic, server.url("/alerts")) as feed:
            await feed.poll_due(clinic.clock.now())


async def screens(clinic: Any) -> list[str]:
    app = make_app(clinic.settings, actor="alice", clock=clinic.clock)
    shots: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        shots.append(app.export_screenshot())  # the queue, with the feed's summaries
        await app.push_screen(ResourceDirectoryScreen(None))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        shots.append(app.export_screenshot())
    return shots


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a shrink of this many-process run takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(names=st.lists(hostile, min_size=4, max_size=4))
def test_fuzzed_outside_text_reaches_no_screen_and_no_cli_output(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    tmp = tmp_path_factory.mktemp("escapes")
    db = tmp / "oncall.db"
    store = connect(db, create=True)
    clinic = build_clinic(store, FrozenClock(T0))
    with store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Test Supervisor",
            role="supervisor",
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )
    file = tmp / "services.json"
    imported = [
        service(1, name="Imported " + names[0], description=names[1]),
        service(2, name="Imported two", organization={"name": names[2]}),
    ]
    file.write_text(json.dumps(imported), encoding="utf-8")
    outputs = [run_cli("resources", "import", str(file), "--db", str(db))]
    api = HsdsApi([service(3, name="Synced " + names[3], description=names[0])])
    with serving(api) as server:
        outputs.append(run_cli("resources", "sync", server.url("/hsds"), "--db", str(db)))
    asyncio.run(poll_feed(clinic, names))
    # A name stored by hand, past every entry check: the way out must still clean it.
    raw = sqlite3.connect(db)
    raw.execute("UPDATE clients SET name = ? WHERE external_ref = 'C-1'", ("Jo " + names[1],))
    raw.commit()
    raw.close()
    alert_id = clinic.store.query("SELECT id FROM alerts ORDER BY id LIMIT 1")[0][0]
    acknowledge_alert(clinic.ctx("alice"), alert_id)
    outputs.append(run_cli("handoff", "--db", str(db)))
    outputs.append(
        run_cli("export", "episodes", "--db", str(db), "--since", "2026-11-01", "--format", "json")
    )
    shots = asyncio.run(screens(clinic))
    store.close()
    for text in outputs + shots:
        assert not leaked(text), leaked(text)
    assert "988" in shots[1]  # the directory was on screen (its pinned national lines)


def test_a_hand_stored_escape_is_not_printed_by_handoff(tmp_path: Path) -> None:
    """The reported case, without fuzzing: an OSC 52 in a client name, `oncall handoff`."""
    db = tmp_path / "oncall.db"
    store = connect(db, create=True)
    clinic = build_clinic(store, FrozenClock(T0))
    with store.write() as conn:
        people.insert_staff(
            conn,
            login=pwd.getpwuid(os.getuid()).pw_name,
            display_name="Test Supervisor",
            role="supervisor",
            phone=None,
            active=True,
            created_at="2026-11-22T00:00:00.000000+00:00",
        )
    asyncio.run(poll_feed(clinic, ["needs a call"]))
    raw = sqlite3.connect(db)
    raw.execute("UPDATE clients SET name = 'Jordan \x1b]52;c;aGk=\x07Test' WHERE id = 1")
    raw.commit()
    raw.close()
    acknowledge_alert(clinic.ctx("alice"), 1)
    out = run_cli("handoff", "--db", str(db))
    store.close()
    assert "Jordan ]52;c;aGk=Test" in out and "\x1b" not in out and "\x07" not in out
