"""The rules of questions and papers, without Django: a stem's normal form (two stems that differ only
in spaces, punctuation, width or case are the same question), the parsing of an answer as offices
write it in a spreadsheet ("A", "ACD", "A、C", 对/错/√/×, fill-in answers separated by ｜ or |), and
the marking of a paper.

Marking: a single choice or true/false question is right when the one answer given is the key; a
multiple choice question only when exactly the key's letters are chosen (no partial credit, as in the
usual 党建知识竞赛 rules); a fill-in question when the text given, normalised, equals one of the accepted
answers, normalised.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

LETTERS = "ABCDEF"
SINGLE, MULTIPLE, JUDGE, FILL = "single", "multiple", "judge", "fill"
KINDS = (SINGLE, MULTIPLE, JUDGE, FILL)
TRUE, FALSE = "对", "错"

KIND_NAMES = {
    "单选": SINGLE,
    "单选题": SINGLE,
    "单项选择": SINGLE,
    "单项选择题": SINGLE,
    "single": SINGLE,
    "多选": MULTIPLE,
    "多选题": MULTIPLE,
    "多项选择": MULTIPLE,
    "多项选择题": MULTIPLE,
    "multiple": MULTIPLE,
    "判断": JUDGE,
    "判断题": JUDGE,
    "是非题": JUDGE,
    "judge": JUDGE,
    "填空": FILL,
    "填空题": FILL,
    "fill": FILL,
}
_TRUE = {"对", "正确", "是", "√", "✓", "✔", "t", "true", "y", "yes", "1"}
_FALSE = {"错", "错误", "否", "×", "✗", "✘", "x", "f", "false", "n", "no", "0"}

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)  # spaces and punctuation, ASCII and CJK alike
_SEPARATORS = re.compile(r"[\s,，、;；/.]+")
_FILL_SPLIT = re.compile(r"[|｜]")


class AnswerError(ValueError):
    """An answer key that cannot be read; the message is Chinese, for the import report and forms."""


def normalise(text: str) -> str:
    """Full-width folded, spaces and punctuation dropped, case folded: '下列哪项正确？ ' -> '下列哪项正确'."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def stem_key(stem: str) -> str:
    return hashlib.sha256(normalise(stem).encode("utf-8")).hexdigest()


def kind_of(text: str) -> str | None:
    return KIND_NAMES.get(normalise(text))


def letters(text: str) -> list[str]:
    """'a、c d' -> ['A', 'C', 'D']; anything but letters (and separators) is an error."""
    raw = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    if not raw:
        return []
    if not raw.isascii() or not raw.isalpha():
        raise AnswerError(f"答案“{text.strip()}”应为选项字母，如 A 或 ACD")
    return sorted(set(raw))


def judge(text: str) -> str:
    value = normalise(text) or (text or "").strip()
    if value in _TRUE:
        return TRUE
    if value in _FALSE:
        return FALSE
    raise AnswerError(f"判断题答案“{(text or '').strip()}”应为“对”或“错”")


def fill_answers(text: str) -> list[str]:
    out: list[str] = []
    for part in _FILL_SPLIT.split(unicodedata.normalize("NFKC", text or "")):
        part = " ".join(part.split())
        if part and normalise(part) not in {normalise(p) for p in out}:
            out.append(part)
    return out


def parse_key(kind: str, text: str, options: list[str]) -> list[str]:
    """The answer key of a question from its spreadsheet cell; ``AnswerError`` in Chinese."""
    if not (text or "").strip():
        raise AnswerError("缺少答案")
    if kind == JUDGE:
        return [judge(text)]
    if kind == FILL:
        found = fill_answers(text)
        if not found:
            raise AnswerError("缺少答案")
        return found
    chosen = letters(text)
    allowed = LETTERS[: len(options)]
    outside = [c for c in chosen if c not in allowed]
    if outside:
        span = f"A–{allowed[-1]}" if allowed else "无选项"
        raise AnswerError(f"答案“{''.join(outside)}”不在给出的选项（{span}）之内")
    if kind == SINGLE and len(chosen) != 1:
        raise AnswerError("单选题只能有一个正确答案")
    if kind == MULTIPLE and len(chosen) < 2:
        raise AnswerError("多选题至少有两个正确答案")
    return chosen


def check_options(kind: str, options: list[str]) -> list[str]:
    """The options of a question, in order; raises ``AnswerError`` for too few, too many or repeated
    options of a choice question. True/false and fill-in questions take none."""
    options = [" ".join(str(o).split()) for o in options]
    if kind in (JUDGE, FILL):
        return []
    while options and not options[-1]:
        options.pop()
    if any(not o for o in options):
        gap = LETTERS[options.index("")]
        raise AnswerError(f"选项{gap}为空，选项应从 A 起连续填写")
    least = 2 if kind == SINGLE else 3
    if len(options) < least:
        label = "单选题" if kind == SINGLE else "多选题"
        raise AnswerError(f"{label}至少需要 {least} 个选项")
    if len(options) > len(LETTERS):
        raise AnswerError("最多 6 个选项（A–F）")
    if len({normalise(o) for o in options}) != len(options):
        raise AnswerError("选项不能重复")
    return options


def given(kind: str, value) -> list[str]:
    """A learner's answer to one question as a list of strings (what is stored): letters, 对/错, or the
    one text of a fill-in. Anything unreadable counts as no answer."""
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    values = [str(v) for v in values if v is not None and str(v).strip()]
    if not values:
        return []
    try:
        if kind == FILL:
            return [" ".join(values[0].split())[:200]]
        if kind == JUDGE:
            return [judge(values[0])]
        out = sorted({c for v in values for c in letters(v)})
        return [c for c in out if c in LETTERS]
    except AnswerError:
        return []


def correct(kind: str, key: list[str], answer: list[str]) -> bool:
    if not answer:
        return False
    if kind == FILL:
        accepted = {normalise(k) for k in key}
        return normalise(answer[0]) in accepted
    return sorted(answer) == sorted(key)


def mark(questions: list[dict], key: list[dict], answers: list[list[str]]) -> tuple[int, list[dict]]:
    """(score, per-question results) of a paper: ``questions`` as drawn (kind, points), ``key`` their
    answers in the same order, ``answers`` what was given (``given`` already applied)."""
    total, results = 0, []
    for i, q in enumerate(questions):
        answer = answers[i] if i < len(answers) else []
        ok = correct(q["kind"], key[i]["answer"], answer)
        points = int(q.get("points", 0)) if ok else 0
        total += points
        results.append({"correct": ok, "points": points})
    return total, results
