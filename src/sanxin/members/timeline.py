"""成长档案: a member's timeline, fed live by the modules that own the facts — never a copy of them.

A *source* is a function registered under a key::

    from sanxin.members import timeline

    def my_source(member, on_or_before, *, viewer, limit):
        '''Events of ``member`` dated on or before ``on_or_before`` (None: no bound), newest first; at
        most ``limit`` of them are needed (None: all). Return [] for a viewer who may not see them.'''
        ...
        return [timeline.Event(on=..., kind="course", title="完成课程《…》", detail="2 学时", link=...)]

    timeline.register_source("learning.credits", "学习学时", my_source, order=60)

Each source reads its own module's rows (a query of its own, with the member and the date bound), and
decides what ``viewer`` (the requesting user; the page and the API have already checked that the
viewer may see the member) is allowed to see — the 口袋/隐形党员 source below answers only to holders
of ``people.flags``. The timeline merges the sources' events newest first and pages them by date:
``page(member, viewer=..., on_or_before=..., limit=...)`` returns the events and the cursor of the next
page (the date to pass as ``on_or_before``); a page never splits a day between two pages.

A later module (learning, points, awards, transfers) registers its source in its own ``ready()``, so
this module never imports it::

    class LearningConfig(AppConfig):
        def ready(self):
            from sanxin.members import timeline
            from . import archive
            timeline.register_source("learning.credits", "学习学时", archive.credits, order=60)

The member registry's own sources are registered at the bottom of this module: membership (入党,
转正), the formal and activity org changes with their reason, mobility (外出/流入 and their end),
posts held (``orgs.Post``), work on the new-employment platforms, dues paid summarised per year, and
the 口袋/隐形党员 finding. None of them reads the audit log: the archive is built from the facts
themselves, as they are now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse

from sanxin.core.scope import scope_for

from .models import Direction, Member, RelationKind, RelationSource


@dataclasses.dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str
    title: str
    detail: str = ""
    link: str = ""
    source: str = ""  # the registering key, set by the timeline

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


SourceFn = Callable[..., Iterable[Event]]


@dataclasses.dataclass(frozen=True)
class Source:
    key: str
    label: str
    fn: SourceFn
    order: int = 100


_sources: dict[str, Source] = {}


def register_source(key: str, label: str, fn: SourceFn, *, order: int = 100) -> Source:
    """Register (or replace) a source of timeline events under ``key``."""
    source = Source(key, label, fn, order)
    _sources[key] = source
    return source


def unregister_source(key: str) -> None:
    _sources.pop(key, None)


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


@dataclasses.dataclass(frozen=True)
class Page:
    events: list[Event]
    next_on_or_before: dt.date | None  # None: no older events


DEFAULT_LIMIT = 30
MAX_LIMIT = 200


def _collect(member: Member, viewer, on_or_before: dt.date | None, limit: int | None) -> list[Event]:
    """Each source's newest ``limit`` events on or before the date, merged newest first (a day's
    events in the sources' order)."""
    ranked: list[tuple[int, int, int, Event]] = []
    for rank, source in enumerate(sources()):
        events = source.fn(member, on_or_before, viewer=viewer, limit=limit)
        picked = sorted(
            (e for e in events if on_or_before is None or e.on <= on_or_before),
            key=lambda e: e.on,
            reverse=True,
        )
        if limit is not None:
            picked = picked[:limit]
        for i, e in enumerate(picked):
            ranked.append((-e.on.toordinal(), rank, i, dataclasses.replace(e, source=source.key)))
    ranked.sort(key=lambda t: t[:3])
    return [t[3] for t in ranked]


def page(member: Member, *, viewer, on_or_before: dt.date | None = None, limit: int = DEFAULT_LIMIT) -> Page:
    """The newest ``limit`` events on or before ``on_or_before`` — whole days only, so a day never
    spans two pages — and the cursor of the next page."""
    limit = max(1, min(limit, MAX_LIMIT))
    merged = _collect(member, viewer, on_or_before, limit + 1)
    if len(merged) <= limit:
        return Page(merged, None)
    # Every event newer than the first one left out was fetched: a source that filled its limit+1
    # reaches back at least that far.
    cut = merged[limit].on
    events = [e for e in merged if e.on > cut]
    if events:
        return Page(events, cut)
    # More than ``limit`` events on the newest day: that whole day is the page.
    day = [e for e in _collect(member, viewer, cut, None) if e.on == cut]
    return Page(day, cut - dt.timedelta(days=1))


# --- the member registry's own sources ------------------------------------------------------------


def _member_link(member: Member) -> str:
    return reverse("members:detail", args=[member.pk])


def _org_link(org_id: int) -> str:
    return reverse("orgs:detail", args=[org_id])


def membership(member: Member, on_or_before, *, viewer, limit):
    events = [Event(member.joined_on, "joined", "入党", "成为预备党员", _member_link(member))]
    if member.converted_on:
        events.append(Event(member.converted_on, "converted", "转为正式党员", "", _member_link(member)))
    return events


# Registration opens the activity relation with the formal one, and an activity relation that
# follows a formal move repeats it: neither is a fact of its own.
_QUIET_ACTIVITY = {RelationSource.REGISTER, RelationSource.FOLLOW}


def relations(member: Member, on_or_before, *, viewer, limit):
    qs = member.relations.select_related("org").order_by("-start_on", "-pk")
    if on_or_before is not None:
        qs = qs.filter(start_on__lte=on_or_before)
    events = []
    for r in qs:
        if r.kind == RelationKind.ACTIVITY and r.source in _QUIET_ACTIVITY:
            continue
        reason = r.get_source_display() + (f"：{r.note}" if r.note else "")
        if r.kind == RelationKind.FORMAL:
            title = (
                f"组织关系登记在{r.org.name}"
                if r.source == RelationSource.REGISTER
                else f"组织关系转入{r.org.name}"
            )
        else:
            title = f"到{r.org.name}参加组织生活"
        events.append(Event(r.start_on, f"relation_{r.kind}", title, reason, _org_link(r.org_id)))
        if limit is not None and len(events) >= limit:
            break
    return events


def mobility(member: Member, on_or_before, *, viewer, limit):
    events = []
    for m in member.mobilities.select_related("host").order_by("-start_on"):
        if m.direction == Direction.OUT:
            cert = f"，活动证 {m.certificate_no}" if m.certificate_no else ""
            events.append(Event(m.start_on, "mobile_out", "外出流动", f"去向：{m.destination}{cert}"))
            if m.end_on:
                events.append(Event(m.end_on, "mobile_return", "外出返回", f"自{m.destination}返回"))
        else:
            host = m.host.name if m.host else ""
            link = _org_link(m.host_id) if m.host_id else ""
            events.append(Event(m.start_on, "mobile_in", f"流入挂靠{host}", "", link))
            if m.end_on:
                events.append(Event(m.end_on, "mobile_in_end", f"结束在{host}的挂靠", "", link))
    return events


def posts(member: Member, on_or_before, *, viewer, limit):
    from sanxin.orgs.models import Post

    events = []
    for p in Post.objects.filter(person_id=member.pk).select_related("org").order_by("-start_on"):
        title = p.get_title_display()
        events.append(Event(p.start_on, "post", f"任{p.org.name}{title}", p.note, _org_link(p.org_id)))
        if p.end_on:
            events.append(Event(p.end_on, "post_end", f"{p.org.name}{title}离任", "", _org_link(p.org_id)))
    return events


def employment(member: Member, on_or_before, *, viewer, limit):
    from .models import Employment

    events = []
    for e in Employment.objects.filter(person_id=member.pk).order_by("-start_on"):
        where = e.employer_name + (f"，{e.work_area}" if e.work_area else "")
        events.append(Event(e.start_on, "work", f"从事{e.get_kind_display()}", where))
        if e.end_on:
            events.append(Event(e.end_on, "work_end", f"结束{e.get_kind_display()}工作", e.employer_name))
    return events


def dues(member: Member, on_or_before, *, viewer, limit):
    """One event a year: the payments made in it (one GROUP BY query), dated the year's last one — a
    fact of the whole year, so a page before that date does not show a part of it."""
    years = (
        member.payments.annotate(year=ExtractYear("paid_on"))
        .values("year")
        .annotate(n=Count("pk"), total=Sum("amount"), last=Max("paid_on"))
        .order_by("-year")
    )
    if on_or_before is not None:
        years = years.filter(last__lte=on_or_before)
    if limit is not None:
        years = years[:limit]
    return [
        Event(y["last"], "dues", f"{y['year']}年交纳党费", f"{y['n']}次，共{y['total']:.2f}元") for y in years
    ]


def hidden_flag(member: Member, on_or_before, *, viewer, limit):
    """口袋/隐形党员 labels people who have not chosen to show themselves: only for ``people.flags``."""
    if not member.hidden or member.hidden_found_on is None:
        return []
    if not scope_for(viewer, "people", "flags").contains(member):
        return []
    return [
        Event(
            member.hidden_found_on,
            "hidden",
            f"发现为{member.get_hidden_display()}",
            member.hidden_found_how,
        )
    ]


register_source("members.membership", "入党与转正", membership, order=10)
register_source("members.relations", "组织关系", relations, order=20)
register_source("members.mobility", "流动党员", mobility, order=30)
register_source("members.posts", "职务", posts, order=40)
register_source("members.employment", "从业", employment, order=50)
register_source("members.dues", "党费", dues, order=70)
register_source("members.hidden", "口袋/隐形党员", hidden_flag, order=90)


def parse_cursor(text: str | None) -> dt.date | None:
    """``on_or_before`` from a query string: a date (YYYY-MM-DD) or nothing."""
    from sanxin.core.errors import InvalidInput

    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("日期格式应为“年-月-日”，如 2026-10-01", field="on_or_before") from None
