"""/api/v1/learning/discovery: 为你推荐 and 搜索 for a learner, within the lessons they may open; the
member's own choice of personalised recommendations (PIPL Art. 24)."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from sanxin.core.permissions import permission

from .. import selectors as learning_selectors
from . import selectors, services

router = Router(tags=["学习教育：推荐与检索"])


class RecommendationOut(Schema):
    lesson_id: int
    title: str
    kind: str
    course_id: int
    course_title: str
    column_label: str
    credit_hours: float
    duration_s: int | None
    short: str
    reasons: list[str] = Field(description="推荐理由")
    started: bool = Field(description="已开始学习，尚未完成")
    done: bool = Field(description="已完成（仅在非个性化列表中出现）")


class RecommendedOut(Schema):
    personalised: bool = Field(description="false：未使用个人特征，同一范围内的党员看到同一列表")
    items: list[RecommendationOut]


def recommended_out(user, rec) -> RecommendedOut:
    items = selectors.mark_done(user, rec.items) if not rec.personalised else rec.items
    return RecommendedOut(
        personalised=rec.personalised,
        items=[
            RecommendationOut(
                lesson_id=r.lesson.pk,
                title=r.lesson.title,
                kind=r.lesson.kind,
                course_id=r.lesson.course_id,
                course_title=r.lesson.course.title,
                column_label=str(r.lesson.course.column_label),
                credit_hours=float(r.lesson.credit_hours),
                duration_s=r.lesson.duration_s,
                short=r.lesson.short,
                reasons=r.reasons,
                started=r.started,
                done=r.done,
            )
            for r in items
        ],
    )


@router.get("/recommended", response=RecommendedOut, summary="为你推荐（可学范围内，附推荐理由）")
@permission.own()
def recommended(request, limit: int = Query(10, ge=1, le=50)):
    return recommended_out(request.auth, selectors.recommended(request.auth, limit=limit))


class PreferenceOut(Schema):
    personalised: bool


class PreferenceIn(Schema):
    personalised: bool = Field(description="false 关闭个性化推荐（不使用岗位、学习记录等个人特征）")


@router.get("/preference", response=PreferenceOut, summary="本人的个性化推荐设置")
@permission.own()
def preference(request):
    member = learning_selectors.member_of(request.auth)
    return PreferenceOut(personalised=selectors.personalised(member))


@router.put("/preference", response=PreferenceOut, summary="开启或关闭个性化推荐")
@permission.own()
def preference_set(request, payload: PreferenceIn):
    pref = services.preference_set(actor=request.auth, personalised=payload.personalised)
    return PreferenceOut(personalised=pref.personalised)


class HitOut(Schema):
    kind: str = Field(description="course 课程 / lesson 课时")
    course_id: int
    lesson_id: int | None
    course_title: str
    title_html: str = Field(description="标题，命中词以 <mark> 标出（已转义的 HTML）")
    snippet_html: str = Field(description="摘要，命中词以 <mark> 标出（已转义的 HTML）")
    url: str


class SearchOut(Schema):
    q: str
    page: int
    items: list[HitOut]
    more: bool


PAGE = 20


@router.get("/search", response=SearchOut, summary="全文检索课程与课时（中文分词）")
@permission.own()
def search(request, q: str = Query(..., min_length=1, max_length=50), page: int = Query(1, ge=1, le=50)):
    hits = selectors.search_lessons(request.auth, q, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return SearchOut(
        q=q,
        page=page,
        more=len(hits) > PAGE,
        items=[
            HitOut(
                kind=h.kind,
                course_id=h.course.pk,
                lesson_id=h.lesson.pk if h.lesson else None,
                course_title=h.course.title,
                title_html=str(h.title),
                snippet_html=str(h.snippet),
                url=h.url,
            )
            for h in hits[:PAGE]
        ],
    )
