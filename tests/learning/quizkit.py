"""Shared setup of the quiz and contest tests: committee X's bank (six single choice, four multiple
choice, four true/false and three fill-in questions) and a contest of committee X open now, on top of
the learning world (``tests/learning/conftest.py``: branch A under committee X, branch B under Y)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

from sanxin.learning.quiz import services
from sanxin.learning.quiz.models import Bank, Contest

SINGLE = [
    ("党的最高理想和最终目标是？", ["实现共产主义", "实现小康", "实现温饱"], "A"),
    ("预备党员的预备期为？", ["半年", "一年", "两年"], "B"),
    ("电动自行车非机动车道内最高时速？", ["15公里", "25公里", "40公里"], "A"),
    ("交通事故报警电话是？", ["110", "119", "122", "120"], "C"),
    ("成人胸外按压频率每分钟？", ["60–80次", "100–120次", "150次"], "B"),
    ("试用期三个月以上不满一年的劳动合同，试用期最长？", ["一个月", "二个月", "六个月"], "A"),
]
MULTIPLE = [
    ("“三会”包括？", ["支部党员大会", "支部委员会", "党小组会", "民主生活会"], "ABC"),
    ("社会保险包括？", ["养老保险", "医疗保险", "工伤保险", "商业险"], "ABC"),
    ("雨天骑行应当？", ["降低车速", "保持车距", "急刹车", "穿醒目雨衣"], "ABD"),
    ("外伤出血时应？", ["压迫止血", "泥土覆盖", "抬高肢体", "拨打120"], "ACD"),
]
JUDGE = [
    ("预备党员有表决权。", "错"),
    ("驾驶电动自行车须年满16周岁。", "对"),
    ("同一用人单位与同一劳动者只能约定一次试用期。", "对"),
    ("骨折后应立即复位断骨。", "错"),
]
FILL = [
    ("党的组织原则是____。", "民主集中制"),
    ("医疗急救电话是____。", "120"),
    ("劳动者提前____日书面通知可以解除劳动合同。", "三十|30"),
]


@dataclasses.dataclass
class QuizWorld:
    lw: object  # the learning world
    bank: Bank
    contest: Contest


def make_bank(actor, owner, name="应知应会题库") -> Bank:
    bank = services.bank_create(actor=actor, owner=owner, name=name)
    for stem, options, answer in SINGLE:
        services.question_add(actor=actor, bank=bank, kind="single", stem=stem, options=options, answer=answer,
                              explanation=f"解析：{stem}", tags=["基础"])  # fmt: skip
    for stem, options, answer in MULTIPLE:
        services.question_add(actor=actor, bank=bank, kind="multiple", stem=stem, options=options,
                              answer=answer, explanation=f"解析：{stem}")  # fmt: skip
    for stem, answer in JUDGE:
        services.question_add(actor=actor, bank=bank, kind="judge", stem=stem, answer=answer,
                              explanation=f"解析：{stem}")  # fmt: skip
    for stem, answer in FILL:
        services.question_add(actor=actor, bank=bank, kind="fill", stem=stem, answer=answer,
                              explanation=f"解析：{stem}")  # fmt: skip
    return bank


def make_contest(lw, bank, *, opens=None, minutes=10, **extra) -> Contest:
    now = timezone.now()
    opens = opens or now - dt.timedelta(hours=1)
    data = {
        "title": "快递外卖行业党建知识竞赛",
        "opens_at": opens,
        "closes_at": opens + dt.timedelta(days=3),
        "time_limit_s": minutes * 60,
        "draw": {"single": 3, "multiple": 2, "judge": 2, "fill": 1},
        "points": {"single": 10, "multiple": 15, "judge": 10, "fill": 10},
        "pass_score": 60,
        "award_top": 2,
    }
    data.update(extra)
    contest = services.contest_create(actor=lw.publisher, organiser=lw.committee_x, bank=bank, **data)
    return services.contest_publish(actor=lw.reviewer, contest=contest, now=opens - dt.timedelta(hours=1))


def right_answers(attempt) -> dict:
    """The key of a paper as a participant would submit it (for tests: the service's own key)."""
    return {q["id"]: attempt.key[i]["answer"] for i, q in enumerate(attempt.questions)}


def build(lw) -> QuizWorld:
    """Use as ``@pytest.fixture def qw(lw): return quizkit.build(lw)`` in a test module."""
    bank = make_bank(lw.publisher, lw.committee_x)
    return QuizWorld(lw=lw, bank=bank, contest=make_contest(lw, bank))
