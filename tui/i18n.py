"""The TUI's words: the one catalogue (tracker.labels), the language, localized key bindings.

Bindings are declared once in class bodies with catalogue keys as descriptions
(``description="tui.key.status"``); :func:`localize_bindings` swaps in the words of the app's
language when a screen is built, so the footer, the help screen and the command palette all
read from the same catalogue.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from tracker.labels import CATALOGUE, label


def resolve_lang(explicit: str | None, env: Mapping[str, str] | None = None) -> str:
    """``--lang`` first, then TRACKER_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG):
    English for an English locale, Chinese otherwise (the default).

    >>> resolve_lang(None, {"LANG": "en_GB.UTF-8"}), resolve_lang("zh", {"LANG": "en_US"}), resolve_lang(None, {})
    ('en', 'zh', 'zh')
    """
    env = os.environ if env is None else env
    for value in (explicit, env.get("TRACKER_LANG")):
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


class Tr:
    """``tr("key")`` → the catalogue's ``tui.key`` in the app's language; ``tr("status.done")``
    (any key with a known prefix) is looked up as is."""

    _PREFIXES = ("status.", "role.", "provenance.", "kind.", "due_source.", "col.", "word.", "tui.")

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        full = key if key.startswith(self._PREFIXES) else f"tui.{key}"
        text = label(full, self.lang)
        return text.format(**values) if values else text

    def get(self, key: str, default: str) -> str:
        """The word for ``key`` if the catalogue has it, else ``default`` (e.g. a field name)."""
        full = key if key.startswith(self._PREFIXES) else f"tui.{key}"
        return self(key) if full in CATALOGUE else default


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Replace catalogue keys in ``node``'s binding descriptions with words of ``lang``."""
    tr = Tr(lang)
    keys: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():  # private: see module docstring
        keys[key] = [
            replace(b, description=tr(b.description)) if b.description.startswith("tui.") else b for b in bindings
        ]
    node._bindings = BindingsMap.from_keys(keys)
