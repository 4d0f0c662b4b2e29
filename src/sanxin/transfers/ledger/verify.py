"""``sanxin ledger verify``: the whole ledger checked against itself and against the membership history.

1. the leaves are dense (0..size-1) and each stored leaf hash is H(0x00 || commitment);
2. every stored perfect subtree is the hash of its two children, and exactly the expected ones exist;
3. every signed tree head's root is the root of the stored tree of its size, and its signature verifies;
4. every commitment that still has its opening re-opens (SHA-256(salt || event)) to a canonical event of
   the leaf's kind;
5. each member's formal org history (``members.OrgRelation``) is what the ledger's membership events
   say, row by row.

Work is chunked: the leaves and nodes are read a range at a time, never all at once.
"""

from __future__ import annotations

import dataclasses
import json

import rfc8785

from sanxin.transfers import merkle

from . import note, selectors
from .models import LEVEL_SHIFT, LedgerHead, LedgerLeaf, LedgerNode, LedgerOpening, node_key

CHUNK = 5000


@dataclasses.dataclass
class Report:
    size: int = 0
    heads: int = 0
    opened: int = 0
    shredded: int = 0
    members: int = 0
    failures: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, message: str) -> None:
        self.failures.append(message)


def _range(level: int, start: int, end: int) -> dict[int, bytes]:
    lo, hi = node_key(level, start), node_key(level, end)
    return {
        k & ((1 << LEVEL_SHIFT) - 1): bytes(h)
        for k, h in LedgerNode.objects.filter(key__gte=lo, key__lt=hi).values_list("key", "hash")
    }


def _leaves(report: Report, size: int) -> None:
    expected = 0
    for start in range(0, size, CHUNK):
        end = min(size, start + CHUNK)
        stored = _range(0, start, end)
        for index, commitment in (
            LedgerLeaf.objects.filter(index__gte=start, index__lt=end)
            .order_by("index")
            .values_list("index", "commitment")
        ):
            if index != expected:
                report.fail(f"叶子 {expected}：缺失（下一个是 {index}）")
                expected = index
            h = stored.get(index)
            if h is None:
                report.fail(f"叶子 {index}：没有对应的叶子哈希节点")
            elif merkle.leaf_hash(bytes(commitment)) != h:
                report.fail(f"叶子 {index}：承诺值与树中的叶子哈希不符（叶子被篡改）")
            expected += 1
    if expected != size:
        report.fail(f"叶子 {expected}：账本记录的大小是 {size}，叶子只到 {expected - 1}")
    if LedgerLeaf.objects.filter(index__gte=size).exists():
        report.fail(f"叶子 {size}：超出账本大小的叶子")


def _nodes(report: Report, size: int) -> None:
    level = 1
    while (size >> level) > 0:
        count = size >> level
        for start in range(0, count, CHUNK):
            end = min(count, start + CHUNK)
            parents = _range(level, start, end)
            children = _range(level - 1, 2 * start, 2 * end)
            for j in range(start, end):
                h = parents.get(j)
                first = j << level
                span = f"（叶子 {first}–{first + (1 << level) - 1}）"
                if h is None:
                    report.fail(f"节点 第{level}层 {j}{span}：缺失")
                elif h != merkle.node_hash(children.get(2 * j, b""), children.get(2 * j + 1, b"")):
                    report.fail(f"节点 第{level}层 {j}{span}：与其两个子节点的哈希不符（节点被篡改）")
        level += 1
    expected = 2 * size - bin(size).count("1")
    stored = LedgerNode.objects.count()
    if stored != expected:
        report.fail(f"节点：应有 {expected} 个，存有 {stored} 个")


def _heads(report: Report, size: int) -> None:
    from .services import public_keys

    keys = public_keys()
    for h in LedgerHead.objects.order_by("size").iterator(chunk_size=1000):
        report.heads += 1
        if h.size > size:
            report.fail(f"树头 {h.size}：大于账本大小 {size}")
            continue
        if selectors.root(h.size) != bytes(h.root):
            report.fail(f"树头 {h.size}：根哈希与账本不符")
        public = keys.get(h.key_id)
        if public is None or not note.verify_signature(selectors.checkpoint(h), bytes(h.signature), public):
            report.fail(f"树头 {h.size}：签名无效（密钥 {h.key_id}）")


def _openings(report: Report) -> None:
    rows = LedgerOpening.objects.order_by("leaf_id").values_list(
        "leaf_id", "salt", "event", "leaf__commitment", "leaf__kind"
    )
    for index, salt, event, commitment, kind in rows.iterator(chunk_size=CHUNK):
        if salt is None or event is None:
            report.shredded += 1
            continue
        report.opened += 1
        if note.commitment(bytes(salt), event) != bytes(commitment):
            report.fail(f"叶子 {index}：打开值与承诺值不符")
            continue
        try:
            data = json.loads(event)
        except ValueError:
            report.fail(f"叶子 {index}：事件不是 JSON")
            continue
        if rfc8785.dumps(data).decode() != event or data.get("kind") != kind:
            report.fail(f"叶子 {index}：事件不是规范编码，或与叶子的事件类型不符")


def _history_from_ledger(events: list[tuple[int, dict]]) -> list[list]:
    """[org_id, start_on, end_on, index] periods of the formal relation, as the ledger tells them."""
    periods: list[list] = []
    for index, e in events:
        kind = e.get("kind")
        if kind == "members.registered":
            periods.append([e.get("org_id"), e.get("on"), None, index])
        elif kind == "members.moved" and e.get("relation") == "formal":
            if periods and periods[-1][2] is None:
                periods[-1][2] = e.get("on")
            periods.append([e.get("to_org_id"), e.get("on"), None, index])
        elif kind == "members.membership_ended" and periods and periods[-1][2] is None:
            periods[-1][2] = e.get("on")
    return periods


def _membership(report: Report) -> None:
    from sanxin.members.models import OrgRelation, RelationKind

    ledger: dict[int, list[tuple[int, dict]]] = {}
    for index, member_id, event in (
        LedgerOpening.objects.filter(member__isnull=False, event__isnull=False)
        .order_by("leaf_id")
        .values_list("leaf_id", "member_id", "event")
        .iterator(chunk_size=CHUNK)
    ):
        ledger.setdefault(member_id, []).append((index, json.loads(event)))
    shredded = set(
        LedgerOpening.objects.filter(member__isnull=False, event__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    rows: dict[int, list[tuple]] = {}
    for row in (
        OrgRelation.objects.filter(kind=RelationKind.FORMAL)
        .order_by("member_id", "start_on")
        .values_list("pk", "member_id", "org_id", "start_on", "end_on")
        .iterator(chunk_size=CHUNK)
    ):
        rows.setdefault(row[1], []).append(row)
    for member_id in sorted(set(rows) | set(ledger)):
        if member_id in shredded:
            continue  # erased: the history can no longer be compared, and need not be
        report.members += 1
        periods = _history_from_ledger(ledger.get(member_id, []))
        relations = rows.get(member_id, [])
        for i in range(max(len(periods), len(relations))):
            p = periods[i] if i < len(periods) else None
            r = relations[i] if i < len(relations) else None
            if r is None:
                report.fail(f"党员 {member_id}：账本叶子 {p[3]} 记录的组织关系在组织关系表中不存在")
                break
            if p is None:
                report.fail(f"党员 {member_id}：组织关系记录 {r[0]} 在账本中没有对应的事件")
                break
            got = [r[2], r[3].isoformat(), r[4].isoformat() if r[4] else None]
            if got != p[:3]:
                report.fail(
                    f"党员 {member_id}：组织关系记录 {r[0]}（组织 {got[0]}，{got[1]}–{got[2] or '至今'}）"
                    f"与账本叶子 {p[3]}（组织 {p[0]}，{p[1]}–{p[2] or '至今'}）不符"
                )
                break


def verify(*, membership: bool = True) -> Report:
    report = Report(size=selectors.size())
    _leaves(report, report.size)
    _nodes(report, report.size)
    _heads(report, report.size)
    _openings(report)
    if membership:
        _membership(report)
    return report
