"""Drafts of unsaved forms kept when a console is cut off, and the lock that outlives one.

A dropped SSH connection (SIGHUP) must not lose a note half-written at 3 a.m.: the
console keeps each open form's fields as a draft of its author, offered back at the
next login and restored into the same form. Every step is audited by id and title,
never with the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oncall.services.context import ServiceContext
from oncall.store import carryover
from oncall.store.carryover import Draft, DraftSubject

__all__ = [
    "Draft",
    "DraftSubject",
    "UnsavedForm",
    "drop_draft",
    "keep_drafts",
    "my_drafts",
    "remember_lock",
    "starts_locked",
    "take_draft",
]


@dataclass(frozen=True)
class UnsavedForm:
    """One open form's state, as the console read it when cut off."""

    form_kind: str
    subject: DraftSubject
    """What the form is about: an episode, a client's record, or a new client."""
    title: str
    """The form's name, never a person's (it is audited and announced)."""
    fields: list[dict[str, Any]]


def _audited_as(subject: DraftSubject) -> tuple[str, int | None]:
    """The audit entry's object: the episode, or the client (none yet for an intake)."""
    if subject.episode_id is not None:
        return "episode", subject.episode_id
    return "client", subject.client_id


def keep_drafts(ctx: ServiceContext, forms: list[UnsavedForm], *, why: str) -> list[int]:
    """Store each form as a draft of the acting user (one transaction); the draft ids."""
    ids: list[int] = []
    with ctx.store.write() as conn:
        for form in forms:
            draft_id = carryover.keep_draft(
                conn,
                ctx.actor.id,
                form.form_kind,
                form.subject,
                title=form.title,
                fields=form.fields,
                at=ctx.now_iso(),
            )
            ctx.audit(
                conn,
                "draft.kept",
                *_audited_as(form.subject),
                client_id=form.subject.client_id,
                detail={"draft": draft_id, "form": form.title, "why": why},
            )
            ids.append(draft_id)
    return ids


def my_drafts(ctx: ServiceContext) -> list[Draft]:
    """The acting user's drafts (nobody else's: they hold what the author typed)."""
    with ctx.store.read() as conn:
        return carryover.drafts_of(conn, ctx.actor.id)


def take_draft(ctx: ServiceContext, form_kind: str, subject: DraftSubject) -> Draft | None:
    """The acting user's draft of this form about this subject, noted as restored (audited)."""
    # Read first: every form opening looks, and almost none finds one (no write then).
    with ctx.store.read() as conn:
        draft = carryover.draft_for(conn, ctx.actor.id, form_kind, subject)
    if draft is not None:
        with ctx.store.write() as conn:
            ctx.audit(
                conn,
                "draft.restored",
                *_audited_as(subject),
                client_id=subject.client_id,
                detail={"draft": draft.id, "form": draft.title},
            )
    return draft


def drop_draft(ctx: ServiceContext, draft: Draft, *, why: str) -> None:
    """The draft was saved as a record or discarded by its author: remove it (audited)."""
    with ctx.store.write() as conn:
        if carryover.drop_draft(conn, ctx.actor.id, draft.id):
            ctx.audit(
                conn,
                "draft.dropped",
                *_audited_as(draft.subject),
                client_id=draft.subject.client_id,
                detail={"draft": draft.id, "form": draft.title, "why": why},
            )


def remember_lock(ctx: ServiceContext, reason: str) -> None:
    """The console locked: until the PIN is entered, the next start is locked too (audited)."""
    with ctx.store.write() as conn:
        carryover.set_console_lock(conn, ctx.actor.id, at=ctx.now_iso(), reason=reason)
        ctx.audit(conn, "console.locked", "staff", ctx.actor.id, detail={"reason": reason})


def starts_locked(ctx: ServiceContext) -> bool:
    """Whether the acting user's last console was left locked (quit or cut off behind it)."""
    with ctx.store.read() as conn:
        return carryover.console_locked(conn, ctx.actor.id)
