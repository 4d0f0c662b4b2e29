"""Property test of the pipeline's waiting times: for random sequences of dated steps, a step is
accepted exactly when a small independent model of the rules says so — order, 18 at application,
a year as 积极分子 before 发展对象, a year of probation (or the extended end) before conversion."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanxin.core.errors import RuleViolation
from sanxin.core.models import PublicNotice
from sanxin.members.pipeline import services
from sanxin.members.pipeline.models import DevelopmentCase
from sanxin.orgs import services as org_services
from tests.world import build_world

D = dt.date
STAGES = ["applicant", "activist", "candidate", "probationary", "full"]
BASE = D(2012, 1, 2)


def years_later(d: dt.date, n: int) -> dt.date:
    # written out here rather than borrowed from the service: 29 February goes to the 28th
    if d.month == 2 and d.day == 29:
        return D(d.year + n, 2, 28)
    return D(d.year + n, d.month, d.day)


class Model:
    """What the rules say, independently of the service."""

    def __init__(self, born: dt.date):
        self.born = born
        self.stage = None
        self.dates: dict[str, dt.date] = {}
        self.last = None
        self.extended_to = None

    def accepts(self, stage: str, on: dt.date) -> bool:
        index = STAGES.index(stage)
        current = -1 if self.stage is None else STAGES.index(self.stage)
        if index != current + 1 or (self.last is not None and on < self.last):
            return False
        if stage == "applicant":
            return on >= years_later(self.born, 18)
        if stage == "candidate":
            return on >= years_later(self.dates["activist"], 1)
        if stage == "probationary":
            return on > self.notice_end
        if stage == "full":
            return on >= (self.extended_to or years_later(self.dates["probationary"], 1))
        return True

    def record(self, stage, on):
        self.stage, self.last, self.dates[stage] = stage, on, on


# A sequence: for each stage, a gap in days after the previous attempt; sometimes a second try.
gaps = st.lists(st.integers(min_value=-40, max_value=500), min_size=5, max_size=9)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    born_offset=st.integers(min_value=-400, max_value=400),
    gaps=gaps,
    stages=st.lists(st.sampled_from(STAGES), min_size=5, max_size=9),
    extend_days=st.one_of(st.none(), st.integers(min_value=185, max_value=365)),
    in_order=st.booleans(),
)
def test_a_step_is_accepted_iff_the_rules_allow_it(
    born_offset, gaps, stages, extend_days, in_order, django_capture_on_commit_callbacks
):
    from django.db import transaction

    sid = transaction.savepoint()
    try:
        _run(born_offset, gaps, stages, extend_days, in_order, django_capture_on_commit_callbacks)
    finally:
        transaction.savepoint_rollback(sid)


def _run(born_offset, gaps, stages, extend_days, in_order, capture):
    w = build_world()
    for year in range(2012, 2027):
        services.quota_set(actor=None, committee=w.committee_x, year=year, total=50)
    born = years_later(BASE, -18) + dt.timedelta(days=born_offset)
    person, _ = org_services.person_create(actor=None, name="性质测试", org=w.branch_a, birth_date=born)
    model = Model(born)
    case = None
    on = BASE
    today = dt.date.today()
    # in_order walks the stages in sequence (with random dates); otherwise the stages are random too
    plan = (STAGES + stages) if in_order else stages
    for i, stage in enumerate(plan[: len(gaps)]):
        on = on + dt.timedelta(days=gaps[i])
        if on > today:
            break
        if (case is None) != (stage == "applicant"):
            continue  # nothing to advance yet, or a second application (another case, not a step)
        if stage == "probationary" and model.stage == "candidate" and case.notice_id is None:
            start = max(on - dt.timedelta(days=20), model.dates["candidate"])
            notice = services.case_notice_open(actor=None, case=case, starts_on=start, window_days=3)
            with capture(execute=True):
                from sanxin.core import notices

                notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
            case.refresh_from_db()
            assert case.notice_result == PublicNotice.Status.PASSED
            model.notice_end = notice.ends_on
        expected = model.accepts(stage, on)
        try:
            if stage == "applicant":
                case = services.case_create(actor=None, person=person, org=w.branch_a, applied_on=on)
            else:
                case = services.case_advance(actor=None, case=case, stage=stage, on=on)
            accepted = True
        except RuleViolation as exc:
            accepted = False
            assert exc.code in {
                "too_young",
                "step_order",
                "date_order",
                "activist_period",
                "probation",
                "case_closed",
            }, exc.code
        assert accepted == expected, (stage, on, model.__dict__)
        if accepted:
            model.record(stage, on)
            if stage == "probationary" and extend_days is not None:
                # six months to a year beyond the first year: 185..365 days is inside it whatever the months
                until = years_later(on, 1) + dt.timedelta(days=extend_days)
                case = services.case_extend(actor=None, case=case, on=on, until=until, reason="继续考察")
                model.extended_to = until
    if case is not None:
        case = DevelopmentCase.objects.get(pk=case.pk)
        assert case.stage == (model.stage or "applicant")
        assert [s.stage for s in case.steps.order_by("on", "pk")] == STAGES[: STAGES.index(case.stage) + 1]
