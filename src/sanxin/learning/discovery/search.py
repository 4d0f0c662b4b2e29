"""Chinese full-text search over the learning library: course titles, summaries and tags, lesson
titles, article bodies and media notes.

Text is cut into words by jieba (search mode: a long word also gives its shorter words, so 劳动合同
is indexed as 劳动, 合同 and 劳动合同) with a small domain dictionary, and the tokens, separated by
spaces, are stored in ``SearchDoc``; the database indexes them (FTS5 on SQLite, a GIN index on a
weighted tsvector on PostgreSQL; see migration ``0004_discovery``). A query is cut the same way: every
word of it must match, as itself or as the phrase of its shorter words (so a word that jieba joined
differently in the text is still found); a single character matches words that begin with it.

Ranking: documents whose title holds every word of the query first, then by bm25 (FTS5, the title
weighted 10 to the body's 1) or ``ts_rank`` (title weight A, body B). Only the published courses
whose publisher is on the searcher's org chain (``selectors.courses_for_learner``) and their lessons
are ever read. Snippets are cut from the original text around the first match; each piece of text is
HTML-escaped and only then are the matches wrapped in ``<mark>``.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from functools import lru_cache

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERMS = 8
TITLE_WEIGHT = 10.0
SNIPPET_CHARS = 72

# Words of the trade jieba's own dictionary does not keep whole (or cuts wrongly in this library).
DOMAIN_WORDS = (
    "新就业形态", "新就业群体", "外卖骑手", "快递员", "网约车", "网约车司机", "货车司机", "网络主播",
    "劳动合同", "劳动报酬", "社会保险", "职工医保", "工伤保险", "职业伤害", "法律援助", "互助保险",
    "平台算法", "计件单价", "党章党规", "入党誓词", "三会一课", "组织生活", "主题党日", "党员联络员",
    "暖蜂驿站", "驾驶员驿站", "红骑手", "急救知识", "心肺复苏", "防暑降温", "电动车", "协商议事",
)  # fmt: skip

_lock = threading.Lock()
_WORD = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in DOMAIN_WORDS:
            tokenizer.add_word(word, freq=2000)
    return tokenizer


def _clean(words) -> list[str]:
    out = []
    for w in words:
        w = "".join(_WORD.findall(w)).lower()  # only word characters: nothing a query syntax reads
        if w:
            out.append(w)
    return out


def index_tokens(text: str) -> str:
    """The tokens of ``text`` for the index (jieba's search mode), separated by spaces."""
    if not text:
        return ""
    return " ".join(_clean(_jieba().cut_for_search(text)))


def query_terms(q: str) -> list[tuple[str, list[str]]]:
    """The words of a query (jieba's precise mode), each with the shorter words it is made of (empty
    when it has none): ``[("劳动合同", ["劳动", "合同"]), ...]``, at most ``MAX_TERMS``."""
    tok = _jieba()
    out: list[tuple[str, list[str]]] = []
    seen = set()
    for word in _clean(tok.cut((q or "")[:100])):
        if word in seen:
            continue
        seen.add(word)
        parts = [p for p in _clean(tok.cut_for_search(word)) if p != word and len(p) < len(word)]
        # keep the parts that tile the word in order (search mode also gives overlapping ones)
        tiled, rest = [], word
        for p in sorted(parts, key=lambda p: word.find(p)):
            if rest.startswith(p):
                tiled.append(p)
                rest = rest[len(p) :]
        out.append((word, tiled if not rest and len(tiled) > 1 else []))
        if len(out) >= MAX_TERMS:
            break
    return out


def highlight_words(terms) -> list[str]:
    words = set()
    for word, parts in terms:
        words.add(word)
        words.update(p for p in parts if len(p) > 1)
    return sorted(words, key=len, reverse=True)


# --- queries ------------------------------------------------------------------------------------------


def _fts5(terms) -> str:
    groups = []
    for word, parts in terms:
        alts = [f'"{word}"']
        if parts:
            alts.append('"' + " ".join(parts) + '"')
        if len(word) == 1:
            alts.append(f'"{word}"*')
        groups.append("(" + " OR ".join(alts) + ")")
    return " AND ".join(groups)


def _tsquery(terms) -> str:
    groups = []
    for word, parts in terms:
        alts = [f"'{word}'"]
        if parts:
            alts.append("(" + " <-> ".join(f"'{p}'" for p in parts) + ")")
        if len(word) == 1:
            alts.append(f"'{word}':*")
        groups.append("(" + " | ".join(alts) + ")")
    return " & ".join(groups)


PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, d.title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, d.body), 'B'))"
)  # exactly the indexed expression of migration 0004_discovery


def ranked_ids(terms, courses_sql: str, courses_params, *, limit: int, offset: int = 0) -> list[int]:
    """``SearchDoc`` ids matching ``terms`` among the courses that ``courses_sql`` selects (their
    ids), the title hits first, then the best ranked."""
    if not terms:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            q = _tsquery(terms)
            cur.execute(
                f"""SELECT d.id FROM learning_searchdoc d, to_tsquery('simple', %s) q
                    WHERE {PG_VECTOR} @@ q AND d.course_id IN ({courses_sql})
                    ORDER BY (to_tsvector('simple'::regconfig, d.title) @@ q) DESC,
                             ts_rank({PG_VECTOR}, q) DESC, d.id
                    LIMIT %s OFFSET %s""",  # noqa: S608  (the vector is a constant, the courses the ORM's)
                [q, *courses_params, limit, offset],
            )
        else:
            return _sqlite_ranked(cur, _fts5(terms), courses_sql, courses_params, limit=limit, offset=offset)
        return [row[0] for row in cur.fetchall()]


def _sqlite_ranked(
    cur, match: str, courses_sql: str, courses_params, *, limit: int, offset: int
) -> list[int]:
    """Two ranked passes, so that a common word does not rank every body that holds it when the
    titles fill the page: the rows whose title holds every word (bm25), then — only if the page is not
    full — the others (bm25, the title weighted ``TITLE_WEIGHT``)."""
    title = "{title} : (" + match + ")"
    sql = f"""SELECT d.id FROM learning_searchdoc_fts f JOIN learning_searchdoc d ON d.id = f.rowid
              WHERE learning_searchdoc_fts MATCH %s AND d.course_id IN ({courses_sql})
              ORDER BY bm25(learning_searchdoc_fts, {TITLE_WEIGHT}, 1.0), d.id
              LIMIT %s OFFSET %s"""  # noqa: S608  (the courses are the ORM's, the rest constants)
    cur.execute(sql, [title, *courses_params, limit, offset])
    ids = [row[0] for row in cur.fetchall()]
    if len(ids) >= limit:
        return ids
    if offset:
        cur.execute(
            f"""SELECT count(*) FROM learning_searchdoc_fts f JOIN learning_searchdoc d ON d.id = f.rowid
                WHERE learning_searchdoc_fts MATCH %s AND d.course_id IN ({courses_sql})""",  # noqa: S608
            [title, *courses_params],
        )
        titles = cur.fetchone()[0]
    else:
        titles = len(ids)
    cur.execute(sql, [f"({match}) NOT {title}", *courses_params, limit - len(ids), max(0, offset - titles)])
    return ids + [row[0] for row in cur.fetchall()]


# --- snippets -----------------------------------------------------------------------------------------


def mark(text: str, words, *, window: int | None = None) -> SafeString:
    """``text`` (or ``window`` characters of it around the first match) as safe HTML: every piece
    escaped, the ``words`` that occur wrapped in ``<mark>``."""
    text = text or ""
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start, end, pre, post = 0, len(text), "", ""
    if window is not None and len(text) > window:
        at = first.start() if first else 0
        start = max(0, at - window // 4)
        end = min(len(text), start + window)
        start = max(0, end - window)
        pre, post = ("…" if start else ""), ("…" if end < len(text) else "")
    text = text[start:end]
    out, pos = [], 0
    if pattern:
        for m in pattern.finditer(text):
            out.append(escape(text[pos : m.start()]))
            out.append(f"<mark>{escape(m.group(0))}</mark>")
            pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe(pre + "".join(out) + post)  # noqa: S308  (every piece escaped above)


@dataclasses.dataclass
class Hit:
    kind: str  # "course" | "lesson"
    course: object
    lesson: object | None
    title: SafeString
    snippet: SafeString

    @property
    def url(self) -> str:
        from django.urls import reverse

        if self.lesson is not None:
            return reverse("learning:lesson", args=[self.lesson.pk])
        return reverse("learning:course", args=[self.course.pk])
