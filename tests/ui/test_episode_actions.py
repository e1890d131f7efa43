"""Acting on an episode (W3): each form records the right timeline event, or says why not."""

from __future__ import annotations

import pytest
from episode_helpers import (
    HANDOFF,
    header,
    open_episode,
    settle,
    stored_events,
    timeline_text,
    workspace,
)
from textual.widgets import Select, TextArea

from conftest import Clinic
from oncall.cli import make_app
from oncall.domain.types import ContactResult, EventKind
from oncall.services import episodes
from oncall.store import people
from oncall.store.audit import audit_entries
from oncall.store.errors import DatabaseLocked
from oncall.ui.app import OnCallApp
from oncall.ui.screens.episode import EpisodeScreen
from oncall.ui.screens.forms.amend import AmendForm
from oncall.ui.screens.forms.emergency import EmergencyContactForm
from oncall.ui.widgets.timeline import Timeline


def _app(clinic: Clinic) -> OnCallApp:
    return make_app(clinic.settings, actor="alice", clock=clinic.clock)


NOTE = "Client calmer; [bold]agreed[/] to call back"
TEXT_FORMS = [
    ("n", [NOTE], EventKind.NOTE, f"Note: {NOTE}"),
    (
        "g",
        ["Paced breathing"],
        EventKind.COPING_USED,
        "Coping / de-escalation used: Paced breathing",
    ),
    (
        "r",
        ["Harbor Unit", "tab", "Walk-in"],
        EventKind.REFERRAL,
        "Referred to Harbor Unit: Walk-in",
    ),
]


@pytest.mark.parametrize(("key", "typed", "kind", "shown"), TEXT_FORMS)
async def test_text_forms_record_their_event(
    clinic: Clinic, key: str, typed: list[str], kind: EventKind, shown: str
) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press(key)
        await settle(pilot)
        for chunk in typed:
            if chunk == "tab":
                await pilot.press("tab")
            else:
                await pilot.press(*chunk)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert shown in timeline_text(app), "user text is shown as typed, never as markup"
    assert stored_events(clinic, episode_id)[-1].kind is kind


async def test_an_empty_note_is_refused_in_words(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert "Write the note." in str(form.query_one("#form-problems").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Not saved: Write the note." in str(form.query_one("#form-error").render())


async def test_a_locked_database_is_a_message_and_the_text_is_kept(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    episode_id = open_episode(clinic)

    def locked(*args: object, **kwargs: object) -> None:
        raise DatabaseLocked(
            "The database x.db is busy in another process; the change was not saved."
        )

    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("n", *"keep me")
        monkeypatch.setattr(episodes, "record_event", locked)
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert "busy in another process" in str(form.query_one("#form-error").render())
        assert form.query_one(TextArea).text == "keep me"
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Note: keep me" in timeline_text(app)


async def test_contact_attempt_records_who_channel_and_result(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert "Choose the result" in str(form.query_one("#form-problems").render())
        await pilot.press("enter", "down", "down", "enter")  # the result list: no answer
        assert form.query_one("#result", Select).value is ContactResult.NO_ANSWER
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Contact attempt by phone with Jordan Test: no answer." in timeline_text(app)


async def test_warm_handoff_and_emergency_services_are_recorded(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await pilot.press("w", *"Dana", "tab", *"Harbor Crisis Unit", "tab", *"HC-7")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Warm handoff to Dana (Harbor Crisis Unit). Ref HC-7." in timeline_text(app)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert "Give their affiliation." in str(form.query_one("#form-problems").render())
        await pilot.press(*"911", "tab", *"Dispatcher 42", "tab", *"OC Fire Authority")
        await pilot.press("tab", *"Client took pills, drowsy")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = timeline_text(app)
        assert "Emergency services requested: 911." in text
        assert "Told Dispatcher 42 (OC Fire Authority) at 03:00, disclosed by Alice Rivera." in text
        assert "Nature: Client took pills, drowsy." in text


async def test_confirming_a_hotline_handoff_reopens_the_episode(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, source="hotline", handoff=HANDOFF)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await workspace(pilot, episode_id)
        assert "HANDOFF PENDING" in header(app)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press(*"Reached client by phone", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "OPEN since" in header(app)
        assert "Hotline handoff confirmed: contact made. Reached client by phone" in (
            timeline_text(app)
        )
        await pilot.press("h")  # no longer pending: the key does nothing
        await settle(pilot)
        assert app.screen is screen


async def test_emergency_contact_is_offered_only_with_consent(clinic: Clinic) -> None:
    no_consent = open_episode(clinic, client_ref="C-2")
    consent = open_episode(clinic, client_ref="C-1")
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await workspace(pilot, no_consent)
        assert "emergency-contact disclosure NO" in header(app)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen is screen, "no form without consent"
        said = [n.message for n in app._notifications]
        assert any("not consented to disclosure to emergency contacts" in m for m in said)
        assert any(
            "emergency services may still be told without consent (42 CFR 2.51)" in m
            and "emergency-services request (e)" in m
            for m in said
        ), "the refusal points to the route that stays open"
        await pilot.press("escape")
        await settle(pilot)
        await workspace(pilot, consent)
        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EmergencyContactForm)
        assert [c.name for c in form.contacts] == ["Sam Sample"]
        await pilot.press(*"Told Sam the mobile team is on the way", "ctrl+s")
        await settle(pilot)
        assert "Emergency contact notified: Sam Sample (sibling)." in timeline_text(app)
    assert not any(
        e.kind is EventKind.EMERGENCY_CONTACT_NOTIFIED for e in stored_events(clinic, no_consent)
    )


async def test_safety_plan_review_needs_a_plan(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await workspace(pilot, episode_id)
        await pilot.press("p")
        await settle(pilot)
        assert app.screen is screen
        assert any("no safety plan to review" in n.message for n in app._notifications)


async def test_amending_links_the_correction_to_the_highlighted_event(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    episodes.add_note(clinic.ctx(), episode_id, "Client at home alone")
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await workspace(pilot, episode_id)
        timeline = screen.query_one(Timeline)
        assert timeline.highlighted_event is not None
        assert timeline.highlighted_event.kind is EventKind.NOTE, "newest first"
        await pilot.press("enter")  # out of habit: it must not start a change
        await settle(pilot)
        assert isinstance(app.screen, EpisodeScreen)
        assert any("press a (amend)" in n.message for n in app._notifications)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AmendForm)
        await pilot.press(*"Not alone: her sister is with her", "ctrl+s")
        await settle(pilot)
        lines = timeline_text(app).splitlines()
        assert lines[0].startswith("#3 03:00 Alice Rivera: Amends #2 (note): Not alone")
        assert lines[1].startswith("#2 03:00 Alice Rivera: Note: Client at home alone")
        assert lines[1].endswith("[amended by #3]")
    amendment = stored_events(clinic, episode_id)[-1]
    assert (
        amendment.kind is EventKind.AMENDMENT
        and amendment.amends == stored_events(clinic, episode_id)[1].id
    )


async def test_another_console_adding_an_event_appears_without_a_key(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        episodes.add_note(clinic.ctx("sue"), episode_id, "Sue spoke with the sister")
        for _ in range(20):
            await pilot.pause(0.1)
            if "Sue Lindqvist: Note: Sue spoke with the sister" in timeline_text(app):
                break
        assert "Sue Lindqvist: Note: Sue spoke with the sister" in timeline_text(app)


async def test_a_long_timeline_is_paged(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    ctx = clinic.ctx()
    for n in range(1, 231):
        episodes.add_note(ctx, episode_id, f"note {n}")
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await workspace(pilot, episode_id)
        status = screen.query_one("#timeline-status")
        assert "Events 1–100 of 231, newest first (page 1 of 3" in str(status.render())
        assert timeline_text(app).splitlines()[0].endswith("note 230")
        await pilot.press("left_square_bracket")
        assert "Events 101–200 of 231" in str(status.render())
        assert timeline_text(app).splitlines()[0].endswith("note 130")
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "Events 201–231 of 231" in str(status.render())
        assert timeline_text(app).splitlines()[-1].startswith("#1 ")


async def test_safety_plan_review_is_recorded_against_the_current_version(clinic: Clinic) -> None:
    episode_id = open_episode(clinic)
    with clinic.store.write() as conn:
        people.insert_safety_plan(
            conn,
            client_id=clinic.clients["C-1"],
            sections={
                "warning_signs": ["Not sleeping"],
                "people_for_help": ["Sam +1-714-555-0199"],
            },
            reasons_for_living="My daughter",
            created_by=clinic.staff["alice"].id,
            created_at="2026-11-01T18:00:00.000000+00:00",
        )
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await workspace(pilot, episode_id)
        plan = str(screen.query_one("#plan-text").render())
        assert "1 Warning signs: Not sleeping" in plan
        assert "4 People I can ask for help: Sam +1-714-555-0199" in plan
        assert "The one thing most worth living for: My daughter" in plan
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"Went over steps 4 and 6", "ctrl+s")
        await settle(pilot)
        assert (
            "Safety plan (version 1) reviewed with the client. Went over steps 4 and 6"
            in timeline_text(app)
        )


async def test_same_as_last_known_fills_the_location(clinic: Clinic) -> None:
    episode_id = open_episode(clinic, location={"text": "home", "zip": "92701"})
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(EpisodeScreen(episode_id))
        await settle(pilot)
        await pilot.press("ctrl+l", "ctrl+s")
        await settle(pilot)
        assert "Location: home (92701) — confirmed 03:00" in header(app)


async def test_another_consoles_audit_entry_does_not_make_this_one_view_again(
    clinic: Clinic,
) -> None:
    # Two consoles on one episode: each view is audited, and each audit entry wakes the
    # other console. Re-viewing on every wake-up would audit back and forth forever.
    episode_id = open_episode(clinic)
    app = _app(clinic)
    async with app.run_test(size=(120, 36)) as pilot:
        await workspace(pilot, episode_id)
        await pilot.pause(0.6)
        before = _audit_count(clinic)
        clinic.ctx("sue").audit_alone("episode.viewed", "episode", episode_id)
        await pilot.pause(1.0)
        assert _audit_count(clinic) == before + 1
        episodes.add_note(clinic.ctx("sue"), episode_id, "a real change")
        await pilot.pause(1.0)
        assert "Note: a real change" in timeline_text(app)
        assert _audit_count(clinic) == before + 3, "the note, and one view of it"


def _audit_count(clinic: Clinic) -> int:
    with clinic.store.read() as conn:
        return len(audit_entries(conn, limit=100_000))
