"""Which stored task each item of a new version of a plan is: the whole document aligned.

Coordinators' work (status, progress, owners, notes) hangs on a task row, so pairing an
item of a revised document with the wrong row moves that work onto another task. Issue 17
found it: in a plan of template-like items (`开展地理标志专用权专项检查` /
`开展奥林匹克标志专用权专项检查` …) one deleted item and one edited deadline made the
number-and-similarity matcher hand the deleted item's status to its neighbour. So the
matching looks at the document as a sequence, never at an item alone:

1. the item lists are aligned (:class:`difflib.SequenceMatcher` over whole items: text and
   deadline): runs of unchanged items anchor everything between them;
2. between two anchors, items whose text is unchanged but whose deadline moved are aligned
   the same way, on their text alone;
3. what is still unpaired between two anchors is aligned in order by text similarity (a
   dynamic programme: no crossing pairs), the number and the deadline breaking near-ties;
   a pair is made only when it is **clearly** the right one — very similar and well ahead
   of every other candidate of either item. A doubtful pair is not made: the old task is
   withdrawn and the new one added, and the pair is reported for a person to check;
4. an item moved elsewhere in the document keeps its task only when its text is unchanged
   (and unique), or near-identical and unmistakable.

Keys and numbers shift when an item is inserted: they only break ties.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

SURE = 0.9  # texts this alike are the same item reworded …
SURE_MARGIN = 0.05  # … when no other candidate is nearly as close
PAIR_MIN = 0.6  # below this two texts are two items
MARGIN = 0.15  # a pair between PAIR_MIN and SURE needs this lead over every other candidate
_SCREEN = PAIR_MIN - MARGIN  # similarities below this are never needed exactly
_BONUS_KEY, _BONUS_DEADLINE = 0.02, 0.03


@dataclass(frozen=True)
class Item:
    """One task as the alignment sees it (see tracker.extract.identity.item_key)."""

    key: str  # the task's key in its plan (its number's value)
    text: str  # normalised text without its number and deadline phrase
    deadline: str  # normalised deadline phrase, "" when none


@dataclass(frozen=True)
class Doubt:
    """A pair that may be one task, not made: new item ``new`` and stored task ``old``."""

    new: int
    old: int
    similarity: float


@dataclass
class Alignment:
    pairs: dict[int, int] = field(default_factory=dict)  # new index → old index
    doubtful: list[Doubt] = field(default_factory=list)


def align(new: Sequence[Item], old: Sequence[Item]) -> Alignment:
    """Pair the items of a new version with the stored ones (new index → old index).

    >>> A, B, C, D, E = (Item(str(k), t, "2021年6月底前") for k, t in enumerate(
    ...     ("开展地理标志专用权专项检查", "开展奥林匹克标志专用权专项检查", "开展特殊标志专用权专项检查",
    ...      "开展集体商标专用权专项检查", "开展证明商标专用权专项检查"), 1))
    >>> D2 = Item("3", D.text, "2021年9月底前")  # (三) deleted, (四)'s deadline moved
    >>> align([A, B, D2, Item("4", E.text, E.deadline)], [A, B, C, D, E]).pairs
    {0: 0, 1: 1, 2: 3, 3: 4}
    >>> align([], [A]).pairs, align([A], []).pairs
    ({}, {})
    """
    out = Alignment()
    if not new or not old:
        return out
    whole = [f"{i.text}\x1f{i.deadline}" for i in new], [f"{i.text}\x1f{i.deadline}" for i in old]
    for tag, o1, o2, n1, n2 in difflib.SequenceMatcher(None, whole[1], whole[0], autojunk=False).get_opcodes():
        if tag == "equal":
            out.pairs.update(zip(range(n1, n2), range(o1, o2), strict=True))
            continue
        _align_gap(new, old, list(range(n1, n2)), list(range(o1, o2)), out)
    _pair_moved(new, old, out)
    return out


def _align_gap(new: Sequence[Item], old: Sequence[Item], news: list[int], olds: list[int], out: Alignment) -> None:
    """Steps 2 and 3 between two anchors."""
    if not news or not olds:
        return
    texts_new, texts_old = [new[i].text for i in news], [old[j].text for j in olds]
    rest: list[tuple[list[int], list[int]]] = []
    matcher = difflib.SequenceMatcher(None, texts_old, texts_new, autojunk=False)
    for tag, o1, o2, n1, n2 in matcher.get_opcodes():
        if tag == "equal":
            out.pairs.update(zip(news[n1:n2], olds[o1:o2], strict=True))
        else:
            rest.append((news[n1:n2], olds[o1:o2]))
    for sub_new, sub_old in rest:
        _align_similar(new, old, sub_new, sub_old, out)


def _align_similar(new: Sequence[Item], old: Sequence[Item], news: list[int], olds: list[int], out: Alignment) -> None:
    """Step 3: an order-keeping alignment by similarity, keeping only the clear pairs."""
    if not news or not olds:
        return
    sim = _similarities(new, old, news, olds)
    score = {(a, b): s + _bonus(new[news[a]], old[olds[b]]) for (a, b), s in sim.items() if s >= PAIR_MIN}
    if not score:
        return
    n, m = len(news), len(olds)
    # best[a][b]: the best total pairing news[a:] with olds[b:]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        row, below = best[a], best[a + 1]
        for b in range(m - 1, -1, -1):
            value = max(below[b], row[b + 1])
            s = score.get((a, b))
            if s is not None:
                value = max(value, s + below[b + 1])
            row[b] = value
    a = b = 0
    chosen: list[tuple[int, int]] = []
    while a < n and b < m:
        s = score.get((a, b))
        if s is not None and abs(best[a][b] - (s + best[a + 1][b + 1])) < 1e-12:
            chosen.append((a, b))
            a, b = a + 1, b + 1
        elif abs(best[a][b] - best[a + 1][b]) < 1e-12:
            a += 1
        else:
            b += 1
    for a, b in chosen:
        s = sim[(a, b)]
        rival = max(
            [v for (x, y), v in sim.items() if (x == a) != (y == b)],  # the other candidates of either item
            default=0.0,
        )
        if (s >= SURE and s - rival >= SURE_MARGIN) or s - rival >= MARGIN:
            out.pairs[news[a]] = olds[b]
        else:
            out.doubtful.append(Doubt(news[a], olds[b], round(s, 3)))


def _bonus(a: Item, b: Item) -> float:
    return _BONUS_KEY * (a.key == b.key) + _BONUS_DEADLINE * (bool(a.deadline) and a.deadline == b.deadline)


def _pair_moved(new: Sequence[Item], old: Sequence[Item], out: Alignment) -> None:
    """Step 4: items moved across the document, unchanged or unmistakably near."""
    doubted_new, doubted_old = {d.new for d in out.doubtful}, {d.old for d in out.doubtful}
    free_new = [i for i in range(len(new)) if i not in out.pairs and i not in doubted_new]
    taken = set(out.pairs.values())
    free_old = [j for j in range(len(old)) if j not in taken and j not in doubted_old]
    pair_leftovers(new, old, free_new, free_old, out)


def pair_leftovers(new: Sequence[Item], old: Sequence[Item], news: list[int], olds: list[int], out: Alignment) -> None:
    """Pair items regardless of order: the same text found once on each side, then a
    near-identical text that is each other's best by a margin. Also how a withdrawn task
    is recognised when its item comes back."""
    if not news or not olds:
        return
    by_text_new: dict[str, list[int]] = {}
    by_text_old: dict[str, list[int]] = {}
    for i in news:
        by_text_new.setdefault(new[i].text, []).append(i)
    for j in olds:
        by_text_old.setdefault(old[j].text, []).append(j)
    for text, found in by_text_new.items():
        there = by_text_old.get(text, [])
        if len(found) == 1 and len(there) == 1:
            out.pairs[found[0]] = there[0]
    taken = set(out.pairs.values())
    news = [i for i in news if i not in out.pairs]
    olds = [j for j in olds if j not in taken]
    if not news or not olds:
        return
    sim = _similarities(new, old, news, olds)
    by_new: dict[int, list[tuple[float, int]]] = {}
    by_old: dict[int, list[tuple[float, int]]] = {}
    for (a, b), s in sim.items():
        by_new.setdefault(a, []).append((s, b))
        by_old.setdefault(b, []).append((s, a))
    for a, options in by_new.items():
        ranked = sorted(options, reverse=True)
        s, b = ranked[0]
        theirs = sorted(by_old[b], reverse=True)
        rival = max(ranked[1][0] if len(ranked) > 1 else 0.0, theirs[1][0] if len(theirs) > 1 else 0.0)
        if s >= SURE and theirs[0][1] == a and s - rival >= 2 * SURE_MARGIN:
            out.pairs[news[a]] = olds[b]


def _similarities(new: Sequence[Item], old: Sequence[Item], news: list[int], olds: list[int]) -> dict[tuple[int, int], float]:
    """Text similarity (difflib ratio) of every pair close enough to matter, by position in
    ``news`` / ``olds``. Pairs are screened first by shared character pairs and difflib's
    cheap upper bounds: a rewritten plan has many pairs, and ratio is quadratic in length."""
    grams_old = [_bigrams(old[j].text) for j in olds]
    matcher = difflib.SequenceMatcher(autojunk=False)
    out: dict[tuple[int, int], float] = {}
    for a, i in enumerate(news):
        text = new[i].text
        grams = _bigrams(text)
        matcher.set_seq2(text)
        for b, j in enumerate(olds):
            other = grams_old[b]
            if grams and other and 2 * len(grams & other) < _SCREEN * (len(grams) + len(other)) / 2:
                continue
            matcher.set_seq1(old[j].text)
            if matcher.real_quick_ratio() < _SCREEN or matcher.quick_ratio() < _SCREEN:
                continue
            ratio = matcher.ratio()
            if ratio >= _SCREEN:
                out[(a, b)] = ratio
    return out


def _bigrams(text: str) -> set[str]:
    return {text[k : k + 2] for k in range(len(text) - 1)}
