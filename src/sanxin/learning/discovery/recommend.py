"""为你推荐: the ranking, in arrays (NumPy, SciPy sparse), with no Django — the services feed it from the
database, the benchmark from a synthetic population, and both get the same answers.

Personalised, a lesson's score for a member is a weighted sum of parts, each in [0, 1] (occupation
fit may be negative):

- ``cf``: item-based collaborative filtering over completions. ``similarity`` is the item–item cosine
  over the member × lesson completion matrix (each lesson's column scaled by 1/sqrt(its completions),
  then Cᵀ·C), each lesson's row cut to its ``neighbours`` nearest; a member's score of a lesson is the
  sum of its similarities to the lessons they completed, divided by their best.
- ``peer``: the share of members of the member's kind of work who completed it (同岗位的党员都在学),
  divided by the best.
- ``occupation``: 1 if the lesson names the member's kind of work, ``GENERAL`` if it names none,
  ``ELSEWHERE`` (negative) if it names only others.
- ``industry``: its publisher's industry is one of the member's org chain.
- ``fresh``: exp(−age / ``FRESH_DAYS``) since its course was published.
- ``popular``: log(1 + recent completions), divided by the best.
- ``requirement``: while the year's hours fall short, the lesson's hours (up to what is missing)
  times the share still missing.
- ``short``: a rider's or courier's short lesson at the time of day it is made for (班前班后五分钟
  in the morning and evening, 午间一刻钟 at noon).
- ``started``: begun and not finished.

Completed lessons and lessons the member may not see are never ranked. Not personalised (PIPL Art.
24), every member who sees the same lessons gets the same list: ``popular`` and ``fresh`` only, from no
fact about the member.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

KINDS = ("courier", "rider", "ride_hailing", "truck", "streamer", "writer", "housekeeping", "other")
KIND_LABELS = {
    "courier": "快递员",
    "rider": "外卖骑手",
    "ride_hailing": "网约车司机",
    "truck": "货车司机",
    "streamer": "网络主播",
    "writer": "网络写手",
    "housekeeping": "网约家政",
    "other": "新就业群体",
}
SHIFT_WORKERS = ("rider", "courier")
SHORT_NONE, SHORT_SHIFT, SHORT_NOON = 0, 1, 2
GENERAL, ELSEWHERE = 0.3, -0.5
FRESH_DAYS = 30.0
NEW_DAYS = 14
NEIGHBOURS = 20


@dataclasses.dataclass(frozen=True)
class Weights:
    cf: float = 3.0
    peer: float = 1.5
    occupation: float = 2.0
    industry: float = 0.5
    fresh: float = 1.0
    popular: float = 0.5
    requirement: float = 1.0
    short: float = 1.5
    started: float = 1.0


WEIGHTS = Weights()
PARTS = tuple(f.name for f in dataclasses.fields(Weights))


def slot_now(hour: int) -> int:
    """Which short lesson fits the local hour: before or after a shift (6–10, 17–22) or noon (11–14)."""
    if 11 <= hour < 14:
        return SHORT_NOON
    if 6 <= hour < 10 or 17 <= hour < 22:
        return SHORT_SHIFT
    return SHORT_NONE


# --- the item–item matrix -------------------------------------------------------------------------------


def completion_matrix(member_idx, item_idx, n_members: int, n_items: int) -> sp.csr_matrix:
    data = np.ones(len(member_idx), dtype=np.float32)
    c = sp.csr_matrix((data, (member_idx, item_idx)), shape=(n_members, n_items), dtype=np.float32)
    c.sum_duplicates()
    c.data[:] = 1.0
    return c


def similarity(c: sp.csr_matrix, neighbours: int = NEIGHBOURS) -> sp.csr_matrix:
    """Item–item cosine over the completion matrix ``c`` (members × items), without the diagonal,
    each row cut to its ``neighbours`` largest."""
    counts = np.asarray(c.sum(axis=0)).ravel()
    scale = np.zeros_like(counts, dtype=np.float32)
    nz = counts > 0
    scale[nz] = 1.0 / np.sqrt(counts[nz])
    cn = c @ sp.diags(scale)
    s = (cn.T @ cn).tocsr()
    s.setdiag(0)
    s.eliminate_zeros()
    return top_per_row(s, neighbours)


def top_per_row(s: sp.csr_matrix, k: int) -> sp.csr_matrix:
    s = s.tocsr()
    rows, cols, vals = [], [], []
    for i in range(s.shape[0]):
        lo, hi = s.indptr[i], s.indptr[i + 1]
        if hi == lo:
            continue
        d, j = s.data[lo:hi], s.indices[lo:hi]
        if hi - lo > k:
            keep = np.argpartition(-d, k - 1)[:k]
            d, j = d[keep], j[keep]
        rows.append(np.full(len(j), i, dtype=np.int32))
        cols.append(j)
        vals.append(d)
    if not rows:
        return sp.csr_matrix(s.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=s.shape, dtype=np.float32
    )


# --- features ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Items:
    """The lessons being ranked, as columns."""

    ids: np.ndarray  # lesson ids
    publisher: np.ndarray  # (items,) index of the publisher org (into Members.audience's columns)
    occupations: np.ndarray  # (kinds × items) 1 where the lesson names the kind
    industry: np.ndarray  # (items,) index of the publisher's industry, -1 none
    age_days: np.ndarray  # (items,) since the course was published
    hours: np.ndarray  # (items,) 学时
    short: np.ndarray  # (items,) SHORT_*
    recent: np.ndarray  # (items,) recent completions
    peer_share: np.ndarray  # (kinds × items) share of the kind's members who completed it

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclasses.dataclass
class Members:
    """A batch of members, as rows."""

    completed: sp.csr_matrix  # (members × items)
    started: sp.csr_matrix  # (members × items) begun, not finished
    kinds: np.ndarray  # (members × kinds) 1 for the member's kinds of work
    industries: np.ndarray  # (members × industries) 1 for the industries of their org chain
    audience: sp.csr_matrix  # (members × publishers) 1 for the publishers on the member's org chain
    missing: np.ndarray  # (members,) hours still missing this year
    required: np.ndarray  # (members,) hours required this year
    slot: int = SHORT_NONE  # slot_now() of the local time
    # the rows multiplied into the similarity for ``cf`` (members × similarity rows); by default
    # ``completed`` against the items × items matrix, for one member the ones of their own history
    # against that history's rows of the matrix
    history: sp.csr_matrix | None = None

    @property
    def m(self) -> int:
        return self.completed.shape[0]


def _row_max_normalised(a: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Each row divided by its largest value among the lessons the member may see (so a member's
    scores do not depend on lessons outside their org chain: the batch and one member on request, who
    reads only what they see, agree)."""
    top = np.where(vis, a, 0).max(axis=1, keepdims=True)
    top[top <= 0] = 1.0
    return a / top


def parts(
    items: Items, sim: sp.csr_matrix, members: Members, vis: np.ndarray | None = None, *, only=PARTS
) -> dict[str, np.ndarray]:
    """Each part of the score named in ``only``, (members × items), before weighting."""
    m, n = members.m, items.n
    vis = visible(items, members.audience) if vis is None else vis
    out: dict[str, np.ndarray] = {}
    kinds = members.kinds.astype(np.float32)
    if "cf" in only:
        history = members.completed if members.history is None else members.history
        out["cf"] = _row_max_normalised(np.asarray((history @ sim).todense(), dtype=np.float32), vis)
    if "peer" in only:
        n_kinds = np.maximum(kinds.sum(axis=1, keepdims=True), 1.0)
        share = (kinds @ items.peer_share.astype(np.float32)) / n_kinds
        out["peer"] = _row_max_normalised(share, vis).astype(np.float32)
    if "occupation" in only:
        named = items.occupations.sum(axis=0) > 0  # (items,)
        fits = (kinds @ items.occupations.astype(np.float32)) > 0
        out["occupation"] = np.where(fits, np.float32(1.0), np.where(named, ELSEWHERE, GENERAL)).astype(
            np.float32
        )
    if "industry" in only:
        if members.industries.shape[1]:
            ind = np.zeros((members.industries.shape[1], n), dtype=np.float32)
            has = items.industry >= 0
            ind[items.industry[has], np.nonzero(has)[0]] = 1.0
            out["industry"] = (members.industries.astype(np.float32) @ ind > 0).astype(np.float32)
        else:
            out["industry"] = np.zeros((m, n), dtype=np.float32)
    if "fresh" in only:
        out["fresh"] = np.broadcast_to(freshness(items), (m, n))
    if "popular" in only:
        out["popular"] = popular(items, vis)
    if "requirement" in only:
        behind = np.where(members.required > 0, members.missing / np.maximum(members.required, 1e-9), 0.0)
        hours = items.hours.astype(np.float32)
        top = np.maximum(np.where(vis, hours[None, :], 0).max(axis=1), 1e-9)
        useful = np.minimum(hours[None, :], members.missing.astype(np.float32)[:, None])
        out["requirement"] = useful * (behind / top).astype(np.float32)[:, None]
    if "short" in only:
        if members.slot != SHORT_NONE:
            shift_workers = [KINDS.index(k) for k in SHIFT_WORKERS]
            worker = members.kinds[:, shift_workers].sum(axis=1) > 0
            out["short"] = (worker[:, None] & (items.short == members.slot)[None, :]).astype(np.float32)
        else:
            out["short"] = np.zeros((m, n), dtype=np.float32)
    if "started" in only:
        out["started"] = np.asarray(members.started.todense(), dtype=np.float32)
    return out


def freshness(items: Items) -> np.ndarray:
    return np.exp(-np.maximum(items.age_days, 0) / FRESH_DAYS).astype(np.float32)


def popular(items: Items, vis: np.ndarray) -> np.ndarray:
    """log(1 + recent completions), divided by the best among the lessons each member may see."""
    pop = np.log1p(items.recent.astype(np.float32))
    return _row_max_normalised(np.broadcast_to(pop, vis.shape), vis).astype(np.float32)


def visible(items: Items, audience: sp.csr_matrix) -> np.ndarray:
    """(members × items) True where the lesson's publisher is on the member's org chain."""
    n_pub = audience.shape[1]
    onehot = sp.csr_matrix(
        (np.ones(items.n, dtype=np.float32), (items.publisher, np.arange(items.n))), shape=(n_pub, items.n)
    )
    return np.asarray((audience @ onehot).todense()) > 0


STATIC = ("peer", "occupation", "industry", "fresh", "popular", "short")


def profiles(members: Members) -> tuple[Members, np.ndarray]:
    """The distinct (kinds of work, industries, audience) of ``members`` as a batch of their own, and
    which one each member has: the parts that depend on nothing else are computed once a profile."""
    key = np.hstack([members.kinds, members.industries, np.asarray(members.audience.todense())]).astype(
        np.float32
    )
    uniq, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    p = len(uniq)
    prof = Members(
        completed=sp.csr_matrix((p, members.completed.shape[1]), dtype=np.float32),
        started=sp.csr_matrix((p, members.completed.shape[1]), dtype=np.float32),
        kinds=members.kinds[first],
        industries=members.industries[first],
        audience=members.audience[first],
        missing=np.zeros(p, dtype=np.float32),
        required=np.zeros(p, dtype=np.float32),
        slot=members.slot,
        history=sp.csr_matrix((p, 0), dtype=np.float32),
    )
    return prof, inverse.ravel()


def personal_scores(items: Items, sim, members: Members, weights: Weights = WEIGHTS):
    """The weighted sum of the parts, (members × items); -inf where the lesson is completed or not
    visible. The parts that depend only on a member's profile are summed once a profile, in the
    order of ``STATIC``, then the member's own (``cf``, ``requirement``, ``started``) added."""
    prof, inverse = profiles(members)
    prof_vis = visible(items, prof.audience)
    prof_parts = parts(items, sp.csr_matrix((0, items.n), dtype=np.float32), prof, prof_vis, only=STATIC)
    static = np.zeros((len(prof_vis), items.n), dtype=np.float32)
    for name in STATIC:
        static += np.float32(getattr(weights, name)) * prof_parts[name]
    vis = prof_vis[inverse]
    own = parts(items, sim, members, vis, only=("cf", "requirement", "started"))
    score = static[inverse]
    for name in ("cf", "requirement", "started"):
        score += np.float32(getattr(weights, name)) * own[name]
    score[~vis | (np.asarray(members.completed.todense()) > 0)] = -np.inf
    return score


def common_scores(items: Items, audience: sp.csr_matrix) -> np.ndarray:
    """The list that is the same for everyone who sees the same lessons: popularity and freshness."""
    vis = visible(items, audience)
    score = WEIGHTS.popular * popular(items, vis) + WEIGHTS.fresh * freshness(items)[None, :]
    score[~vis] = -np.inf
    return score


def top_k(scores: np.ndarray, k: int) -> list[np.ndarray]:
    """Each row's ``k`` best columns (finite scores only), best first; ties by column (lesson) order,
    so the batch and one member on request pick the same among equals. Vectorised: the k-th largest of
    each row, every column at or above it, one sort by (row, score, column)."""
    m, n = scores.shape
    if m == 0:
        return []
    k = min(k, n)
    thr = np.partition(scores, n - k, axis=1)[:, n - k]
    rows, cols = np.nonzero((scores >= thr[:, None]) & np.isfinite(scores))
    vals = scores[rows, cols]
    order = np.lexsort((cols, -vals, rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(m))
    rank = np.arange(len(rows)) - starts[rows]
    keep = rank < k
    rows, cols = rows[keep], cols[keep]
    bounds = np.searchsorted(rows, np.arange(m + 1))
    return [cols[bounds[i] : bounds[i + 1]].astype(np.int64) for i in range(m)]


def batch(items: Items, sim, members: Members, k: int = 10, *, chunk: int = 1000, personal: bool = True):
    """Top ``k`` column indices for every member, ``chunk`` members at a time (the dense score block
    is chunk × items)."""
    out: list[np.ndarray] = []
    for lo in range(0, members.m, chunk):
        part = slice_members(members, lo, min(lo + chunk, members.m))
        if personal:
            scores = personal_scores(items, sim, part)
        else:
            scores = common_scores(items, part.audience)
        out.extend(top_k(scores, k))
    return out


def slice_members(members: Members, lo: int, hi: int) -> Members:
    return Members(
        completed=members.completed[lo:hi],
        started=members.started[lo:hi],
        kinds=members.kinds[lo:hi],
        industries=members.industries[lo:hi],
        audience=members.audience[lo:hi],
        missing=members.missing[lo:hi],
        required=members.required[lo:hi],
        slot=members.slot,
        history=None if members.history is None else members.history[lo:hi],
    )


# --- reasons -------------------------------------------------------------------------------------------


def reasons(
    part_values: dict[str, float],
    *,
    weights: Weights = WEIGHTS,
    kinds: list[str] = (),
    age_days: float = 1e9,
    missing: float = 0.0,
    short: int = SHORT_NONE,
    like_title: str | None = None,
    most: int = 2,
) -> list[str]:
    """Up to ``most`` reasons in Chinese, the strongest weighted parts first."""
    said = []
    ranked = sorted(PARTS, key=lambda name: -getattr(weights, name) * part_values.get(name, 0.0))
    for name in ranked:
        value = part_values.get(name, 0.0)
        if getattr(weights, name) * value < 0.25:
            break
        text = None
        if name == "cf" and like_title:
            text = f"与你学过的《{like_title}》相近"
        elif name == "peer":
            text = "同岗位的党员都在学"
        elif name == "occupation" and value >= 1.0 and kinds:
            text = f"面向{KIND_LABELS.get(kinds[0], '新就业群体')}"
        elif name == "industry":
            text = "本行业党组织发布"
        elif name == "fresh" and age_days <= NEW_DAYS:
            text = "新上线"
        elif name == "popular":
            text = "大家都在学"
        elif name == "requirement" and missing > 0:
            text = f"本年学时还差 {missing:g}"
        elif name == "short":
            text = "午间一刻钟，正好学一课" if short == SHORT_NOON else "班前班后五分钟，随手学一课"
        elif name == "started":
            text = "已经开始学，接着学完"
        if text and text not in said:
            said.append(text)
        if len(said) >= most:
            break
    return said


def common_reasons(*, popular: float, age_days: float) -> list[str]:
    out = []
    if age_days <= NEW_DAYS:
        out.append("新上线")
    if popular >= 0.5:
        out.append("大家都在学")
    return out or ["可学课程"]
