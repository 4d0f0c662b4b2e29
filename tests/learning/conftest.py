"""Two committees of the city, each with a branch: committee X publishes a course (a video with a check
question, an audio, an article, a short lesson) to its subtree; branch A has a secretary (a post, so the
higher requirement) and members with accounts; branch B's member must never see X's course."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from sanxin.accounts.matrix import Role
from sanxin.core import uploads
from sanxin.learning import services
from sanxin.learning.media import silent_wav
from sanxin.learning.models import Course, Lesson
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType, PostTitle
from tests.factories import user_with_grant
from tests.meetings.conftest import _org, member
from tests.world import regions

D = dt.date
VIDEO = (Path(services.__file__).parent / "data" / "demo-video.mp4").read_bytes()
ARTICLE = "新就业群体党员要把学习融入日常。" * 40  # 640 characters: 96 seconds at 400 a minute


@dataclasses.dataclass
class LearningWorld:
    city: Org
    committee_x: Org
    committee_y: Org
    branch_a: Org
    branch_b: Org
    publisher: object  # committee X's publisher
    reviewer: object  # another of committee X's users
    secretary: object  # branch A's secretary grant (and a member holding the post)
    members: list
    users: list
    outsider: object  # member of branch B
    outsider_user: object
    course: Course
    video: Lesson  # 7 s, check question (answer 1)
    audio: Lesson  # 20 s WAV
    article: Lesson
    short: Lesson  # a 午间一刻钟 audio


def media(user, name: str, data: bytes):
    return uploads.store(actor=user, purpose_name="learning.media", name=name, chunks=data)


def publish(course: Course, submitter, reviewer) -> Course:
    services.course_submit(actor=submitter, course=course)
    return services.course_review(actor=reviewer, course=course, approve=True)


def make_world() -> LearningWorld:
    r = regions()
    city = _org(None, "中共新河市委员会", OrgType.PARTY_COMMITTEE, r["390100000000"], D(2000, 1, 1))
    cx = _org(city, "快递外卖行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1))
    cy = _org(city, "交通运输行业党委", OrgType.INDUSTRY_COMMITTEE, r["390100000000"], D(2019, 1, 1))
    ba = _org(cx, "骑手流动党员党支部", OrgType.MOBILE_BRANCH, r["390102001000"], D(2019, 6, 1))
    bb = _org(cy, "货车司机党支部", OrgType.BRANCH, r["390103001000"], D(2019, 6, 1))
    people = [member(ba, name) for name in ("李书记", "王骑手", "张骑手", "陈骑手")]
    org_services.post_assign(
        actor=None, org=ba, person=people[0][0].person, title=PostTitle.SECRETARY, start_on=D(2020, 1, 1)
    )
    secretary = people[0][1]
    from sanxin.accounts.services import grant_create

    grant_create(actor=None, user=secretary, role=Role.BRANCH_SECRETARY, org=ba)
    outsider, outsider_user = member(bb, "赵司机")
    publisher = user_with_grant(Role.INDUSTRY_COMMITTEE, cx)
    reviewer = user_with_grant(Role.INDUSTRY_COMMITTEE, cx)
    course = services.course_create(
        actor=publisher, publisher=cx, title="骑手安全与权益", column="skills", sub_column="legal",
        summary="送单路上的安全常识和劳动权益", tags=["安全"], occupations=["rider"],
    )  # fmt: skip
    video = services.lesson_add(
        actor=publisher, course=course, title="电动车安全驾驶", kind="video", credit_hours=Decimal("0.5"),
        media=media(publisher, "safety.mp4", VIDEO), question="闯红灯是否安全？", choices=["安全", "不安全"],
        answer=1,
    )  # fmt: skip
    audio = services.lesson_add(
        actor=publisher, course=course, title="劳动合同要点", kind="audio", credit_hours=Decimal("1"),
        media=media(publisher, "contract.wav", silent_wav(20)),
    )  # fmt: skip
    article = services.lesson_add(
        actor=publisher, course=course, title="学习心得", kind="article", credit_hours=Decimal("0.25"),
        body=ARTICLE,
    )  # fmt: skip
    short = services.lesson_add(
        actor=publisher, course=course, title="午间一刻钟：防暑", kind="audio", credit_hours=Decimal("0.1"),
        media=media(publisher, "heat.wav", silent_wav(10)), short="noon",
    )  # fmt: skip
    publish(course, publisher, reviewer)
    return LearningWorld(
        city=city, committee_x=cx, committee_y=cy, branch_a=ba, branch_b=bb, publisher=publisher,
        reviewer=reviewer, secretary=secretary, members=[m for m, _ in people], users=[u for _, u in people],
        outsider=outsider, outsider_user=outsider_user, course=course, video=video, audio=audio,
        article=article, short=short,
    )  # fmt: skip


@pytest.fixture
def lw(db):
    return make_world()


class Clock:
    """Server times for heartbeats: ``clock.after(10)`` is ten seconds after the previous one."""

    def __init__(self):
        self.now = timezone.now() - dt.timedelta(hours=1)

    def after(self, seconds: float):
        self.now += dt.timedelta(seconds=seconds)
        return self.now


def watch(user, lesson, *, seconds: float, step: float = 10, clock: Clock | None = None):
    """Play ``lesson`` honestly for ``seconds``: a heartbeat every ``step`` seconds of wall time."""
    clock = clock or Clock()
    services.heartbeat(actor=user, lesson=lesson, position=0, playing=False, now=clock.after(0))
    position = 0.0
    while position < seconds:
        position = min(position + step, seconds)
        services.heartbeat(actor=user, lesson=lesson, position=position, now=clock.after(step))
    return clock
