"""The sensitive-word filter: one Aho–Corasick automaton (pyahocorasick) over every listed word, kept per
process and rebuilt when the list's version in the database moves on — so a moderator's edit takes
effect on the next post in every process, without a restart. Checking costs one indexed read of the
version row and one pass over the text.

Texts and words are compared normalized (NFKC, lower case, without spaces, punctuation and symbols), so
"敏 感"、"敏-感" or full-width letters do not slip past a listed "敏感". A word applies to the boards of
its org's subtree: the automaton's value for a word is the set of those orgs' paths.
"""

from __future__ import annotations

import threading
import unicodedata

import ahocorasick

from .models import SensitiveWord, WordListVersion

_lock = threading.Lock()
_state: tuple[int, ahocorasick.Automaton | None] = (-1, None)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def current_version() -> int:
    return WordListVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _build() -> ahocorasick.Automaton | None:
    words: dict[str, set[str]] = {}
    for normalized, path in SensitiveWord.objects.values_list("normalized", "org__path").iterator():
        words.setdefault(normalized, set()).add(path)
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for normalized, paths in words.items():
        automaton.add_word(normalized, (normalized, tuple(sorted(paths))))
    automaton.make_automaton()
    return automaton


def automaton() -> ahocorasick.Automaton | None:
    global _state
    version = current_version()
    built_from, auto = _state
    if built_from == version:
        return auto
    with _lock:
        if _state[0] != version:
            _state = (version, _build())
        return _state[1]


def built_version() -> int:
    """The version this process's automaton was built from (-1: not built yet)."""
    return _state[0]


def find(text: str, board_path: str) -> list[str]:
    """The listed words (normalized) that ``text`` contains and that apply to a board of ``board_path``."""
    auto = automaton()
    if auto is None:
        return []
    hits: set[str] = set()
    for _end, (word, paths) in auto.iter(normalize(text)):
        if any(board_path.startswith(p) for p in paths):
            hits.add(word)
    return sorted(hits)
