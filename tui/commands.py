"""The command palette (ctrl+p) offers every action that has a key: it is built from the
active bindings of the screen it was opened on, so a key and its palette entry can never
drift apart, and both read their words from the catalogue."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

OUR_BINDINGS = ("app", "task", "list", "view", "table", "overdue", "targets", "timeline")


class KeyCommands(Provider):
    """One palette entry per plan-tracker key binding of the current screen and the app."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        out: list[tuple[str, str, Any]] = []
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            b = active.binding
            if not b.id or b.id.split(".")[0] not in OUR_BINDINGS or b.id in seen or not active.enabled:
                continue
            seen.add(b.id)
            display = b.key_display or self.app.get_key_display(b)
            run = partial(self.app.run_action, b.action, active.node)
            out.append((b.description, f"{self.app.tr('key_label')} {display or key}", run))  # type: ignore[attr-defined]
        return sorted(out, key=lambda c: c[0])

    async def discover(self) -> Hits:
        for description, key, run in self._commands():
            yield DiscoveryHit(description, run, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, key, run in self._commands():
            score = max(matcher.match(description), matcher.match(key))
            if score > 0:
                yield Hit(score, matcher.highlight(description), run, text=description, help=key)
