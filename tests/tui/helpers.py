"""Driving the app like a person: wait for the database work to finish, read the screen."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled


async def settle(pilot: Pilot[object], rounds: int = 100) -> None:
    """Wait until no worker is running and the messages they posted are handled.

    Workers post messages that may start more workers (a page fetch after the listing, the
    detail after the cursor lands), so this loops until a round starts nothing new.
    """
    app = pilot.app
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: wait again
            continue
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return
    raise AssertionError("the app never settled")


def screen_text(app: App[object]) -> str:
    """Every line of the current screen (dialogs included), trailing spaces removed."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


def notifications(app: App[object]) -> list[str]:
    """The messages of the notifications (toasts) shown so far."""
    return [n.message for n in app._notifications]
