"""Re-address or cancel one outbound message: the prompts the outbox and the board share."""

from __future__ import annotations

from typing import Any

from oncall.services.outbox_actions import cancel_message, readdress_message
from oncall.ui.base import OnCallScreen
from oncall.ui.format import words
from oncall.ui.screens.text_prompt import TextPrompt


def ask_readdress(screen: OnCallScreen[Any], message_id: int, kind: str, target: str) -> None:
    """Ask where the message goes instead (a colleague's login or a target), then send it."""
    services = screen.services

    def chosen(to: str | None) -> None:
        if to:
            screen.run_service(
                lambda: readdress_message(services, message_id, to),
                on_success=lambda address: screen.notify(
                    f"Message {message_id} goes to {address} now."
                ),
            )

    screen.app.push_screen(
        TextPrompt(
            f"Re-address message {message_id} ({words(kind)} to {target})",
            detail="A colleague's login, or the name of a configured target. Audited.",
            placeholder="login or target name",
        ),
        chosen,
    )


def ask_cancel(screen: OnCallScreen[Any], message_id: int, kind: str, target: str) -> None:
    """Ask why, then cancel the message: it is never sent (audited with the reason)."""
    services = screen.services

    def reasoned(reason: str | None) -> None:
        if reason:
            screen.run_service(
                lambda: cancel_message(services, message_id, reason),
                on_success=lambda _: screen.notify(f"Message {message_id} is cancelled."),
            )

    screen.app.push_screen(
        TextPrompt(
            f"Cancel message {message_id} ({words(kind)} to {target})?",
            detail="It will never be sent. Say why; the reason is audited.",
            placeholder="reason",
        ),
        reasoned,
    )
