"""The transfer workflow's services: every transition and refusal (with its code), the switch at
acceptance through the member registry, the higher level inserted when a transfer crosses
committees or leaves the platform, the mobile kinds, the letter's expiry by the scheduled task, and
a second acceptance that cannot move the member twice."""

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import AuditLog, Event
from sanxin.members import services as member_services
from sanxin.members.models import Direction, Mobility, OrgRelation, RelationSource
from sanxin.orgs import services as org_services
from sanxin.transfers import services, tasks
from sanxin.transfers.models import State, Transfer
from tests.factories import UserFactory, user_with_grant
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date


def today():
    return timezone.localdate()


def ago(days):
    return today() - dt.timedelta(days=days)


@pytest.fixture
def w():
    return build_world()


def secretary(org):
    return user_with_grant("branch_secretary", org)


def new_member(org, name="赵转接", user=None):
    p, _ = org_services.person_create(actor=None, name=name, org=org, user=user)
    return member_services.member_register(actor=None, person=p, org=org, joined_on=D(2018, 7, 1))


def events_of(transfer):
    return list(
        Event.objects.filter(name__startswith="transfers.", payload__transfer_id=transfer.pk)
        .order_by("pk")
        .values_list("name", flat=True)
    )


def formal_org(member):
    return OrgRelation.objects.get(member=member, kind="formal", end_on__isnull=True).org


def test_within_one_committee_applied_approved_accepted_reported(w):
    sec_c, sec_b = secretary(w.branch_c), w.secretary_b
    m = new_member(w.branch_c)
    t = services.transfer_apply(
        actor=sec_c, member=m, kind="out", to_org=w.branch_b, reason="换站点", on=ago(9)
    )
    assert (t.state, t.holder, t.from_org, t.approver) == (State.APPLIED, w.branch_c, w.branch_c, None)
    t = services.transfer_approve(actor=sec_c, transfer=t, on=ago(8))
    assert (t.state, t.holder, t.holder_since) == (State.APPROVED, w.branch_b, ago(8))
    assert t.letter.valid_until == ago(8) + dt.timedelta(days=90)  # the default validity
    assert t.letter.number.startswith("ZJ")
    # until acceptance the member belongs to the out-org, and only to it
    assert formal_org(m) == w.branch_c
    t = services.transfer_accept(actor=sec_b, transfer=t, on=ago(5))
    assert (t.state, t.holder) == (State.ACCEPTED, w.branch_b)
    m.person.refresh_from_db()
    assert m.person.org == w.branch_b and formal_org(m) == w.branch_b
    moved = OrgRelation.objects.get(member=m, kind="formal", end_on__isnull=True)
    assert (moved.source, moved.start_on) == (RelationSource.TRANSFER, ago(5))
    assert OrgRelation.objects.get(member=m, kind="formal", org=w.branch_c).end_on == ago(5)
    t = services.transfer_report(actor=sec_b, transfer=t, on=ago(3))
    assert (t.state, t.holder) == (State.REPORTED, None)
    assert [s.action for s in t.steps.order_by("on", "pk")] == [
        "apply",
        "approve",
        "letter",
        "accept",
        "report",
    ]
    assert events_of(t) == [
        "transfers.applied",
        "transfers.approved",
        "transfers.letter_issued",
        "transfers.accepted",
        "transfers.reported",
    ]
    payload = Event.objects.get(name="transfers.accepted", payload__transfer_id=t.pk).payload
    assert payload == {
        "transfer_id": t.pk,
        "member_id": m.pk,
        "from_org_id": w.branch_c.pk,
        "to_org_id": w.branch_b.pk,
        "on": ago(5).isoformat(),
    }
    assert AuditLog.objects.filter(object_type="transfers.transfer", object_id=str(t.pk)).count() >= 4


def test_crossing_committees_goes_through_the_higher_level(w):
    t = w.transfer_a  # member_a: branch_a (committee X) → branch_c (committee Y), registered away (外出)
    assert t.approver == w.city
    sec_c = secretary(w.branch_c)
    t = services.transfer_approve(actor=w.secretary_a, transfer=t)
    assert (t.state, t.holder) == (State.ESCALATED, w.city)
    assert "transfers.escalated" in events_of(t)
    with pytest.raises(RuleViolation) as exc:  # the in-org cannot accept before the higher level
        services.transfer_accept(actor=sec_c, transfer=t)
    assert exc.value.code == "wrong_state"
    with pytest.raises(RuleViolation) as exc:  # the out-org sees it but is not the higher level
        services.transfer_escalation_approve(actor=w.secretary_a, transfer=t)
    assert exc.value.code == "not_holder"
    with pytest.raises(NotFound):  # the other side does not even see it
        services.transfer_escalation_approve(actor=w.secretary_b, transfer=t)
    t = services.transfer_escalation_approve(actor=w.office, transfer=t)
    assert (t.state, t.holder) == (State.APPROVED, w.branch_c)
    with pytest.raises(RuleViolation) as exc:  # only the in-org accepts
        services.transfer_accept(actor=w.secretary_a, transfer=t)
    assert exc.value.code == "not_holder"
    t = services.transfer_accept(actor=sec_c, transfer=t)
    assert formal_org(w.member_a) == w.branch_c
    # the member's 外出 ended with the transfer (through mobility_end)
    assert not Mobility.objects.filter(member=w.member_a, end_on__isnull=True).exists()


def test_refusals_carry_codes_and_change_nothing(w):
    m = new_member(w.branch_b)
    sec = w.secretary_b
    with pytest.raises(NotFound):  # another branch's member
        services.transfer_apply(actor=w.secretary_a, member=m, kind="external", to_name="某地", reason="x")
    with pytest.raises(RuleViolation) as exc:
        services.transfer_apply(actor=sec, member=m, kind="out", to_org=w.branch_b, reason="x")
    assert exc.value.code == "same_org"
    with pytest.raises(RuleViolation) as exc:
        services.transfer_apply(actor=sec, member=m, kind="out", to_org=w.committee_y, reason="x")
    assert exc.value.code == "not_a_branch"
    with pytest.raises(InvalidInput) as exc:
        services.transfer_apply(actor=sec, member=m, kind="out", reason="x")
    assert exc.value.field == "to_org"
    with pytest.raises(InvalidInput) as exc:
        services.transfer_apply(actor=sec, member=m, kind="external", to_org=w.branch_c, reason="x")
    assert exc.value.field == "to_org"
    with pytest.raises(InvalidInput) as exc:
        services.transfer_apply(actor=sec, member=m, kind="external", to_name="某地", reason="  ")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput):
        services.transfer_apply(
            actor=sec,
            member=m,
            kind="external",
            to_name="某地",
            reason="x",
            on=today() + dt.timedelta(days=1),
        )
    assert not Transfer.objects.filter(member=m).exists()
    t = services.transfer_apply(actor=sec, member=m, kind="out", to_org=w.branch_c, reason="换站点")
    with pytest.raises(RuleViolation) as exc:
        services.transfer_apply(actor=sec, member=m, kind="external", to_name="某地", reason="x")
    assert exc.value.code == "already_open"
    with pytest.raises(InvalidInput):
        services.transfer_reject(actor=sec, transfer=t, reason="")
    with pytest.raises(InvalidInput):
        services.transfer_approve(actor=sec, transfer=t, valid_days=0)
    with pytest.raises(NotFound):
        services.transfer_approve(actor=w.secretary_a, transfer=t)
    with pytest.raises(RuleViolation) as exc:  # the out-org does not accept for the in-org
        services.transfer_accept(actor=sec, transfer=t)
    assert exc.value.code == "not_holder"
    with pytest.raises(RuleViolation) as exc:  # the in-org waits for the approval
        services.transfer_accept(actor=secretary(w.branch_c), transfer=t)
    assert exc.value.code == "wrong_state"
    t.refresh_from_db()
    assert t.state == State.APPLIED
    t = services.transfer_reject(actor=sec, transfer=t, reason="材料不全")
    assert (t.state, t.outcome_note, t.holder) == (State.REJECTED, "材料不全", None)
    with pytest.raises(RuleViolation) as exc:
        services.transfer_approve(actor=sec, transfer=t)
    assert exc.value.code == "wrong_state"
    assert formal_org(m) == w.branch_b


def test_return_and_cancel_leave_the_registry_alone(w):
    sec_c = secretary(w.branch_c)
    m = new_member(w.branch_b)
    t = services.transfer_apply(actor=w.secretary_b, member=m, kind="out", to_org=w.branch_c, reason="换站点")
    t = services.transfer_approve(actor=w.secretary_b, transfer=t)
    with pytest.raises(InvalidInput):
        services.transfer_return(actor=sec_c, transfer=t, reason="")
    t = services.transfer_return(actor=sec_c, transfer=t, reason="本支部不接收")
    assert t.state == State.RETURNED and formal_org(m) == w.branch_b
    assert events_of(t)[-1] == "transfers.returned"
    t2 = services.transfer_apply(
        actor=w.secretary_b, member=m, kind="out", to_org=w.branch_c, reason="再申请"
    )
    t2 = services.transfer_cancel(actor=w.secretary_b, transfer=t2, reason="不调动了")
    assert t2.state == State.CANCELLED and events_of(t2)[-1] == "transfers.cancelled"
    with pytest.raises(RuleViolation) as exc:
        services.transfer_cancel(actor=w.secretary_b, transfer=t2, reason="再撤一次")
    assert exc.value.code == "wrong_state"


def test_a_member_applies_for_themself_and_reports(w):
    me = UserFactory()
    m = new_member(w.branch_c, name="钱本人", user=me)
    other = UserFactory()
    new_member(w.branch_c, name="孙旁人", user=other)
    with pytest.raises(NotFound):  # a member is not the secretary of the others
        services.transfer_apply(actor=other, member=m, kind="out", to_org=w.branch_b, reason="x")
    t = services.transfer_apply(actor=me, member=m, kind="out", to_org=w.branch_b, reason="搬家")
    assert t.steps.get().note == "本人申请"
    with pytest.raises(RuleViolation) as exc:  # approving is the branch's
        services.transfer_approve(actor=me, transfer=t)
    assert exc.value.code == "not_holder"
    t = services.transfer_approve(actor=None, transfer=t, on=ago(0))
    t = services.transfer_accept(actor=w.secretary_b, transfer=t)
    t = services.transfer_report(actor=me, transfer=t)
    assert t.state == State.REPORTED


def test_an_expired_letter_cannot_be_accepted_and_the_task_closes_it(w):
    sec_c = secretary(w.branch_c)
    m = new_member(w.branch_b)
    t = services.transfer_apply(
        actor=w.secretary_b, member=m, kind="out", to_org=w.branch_c, reason="x", on=ago(20)
    )
    t = services.transfer_approve(actor=w.secretary_b, transfer=t, on=ago(15), valid_days=10)
    assert t.letter.valid_until == ago(5)
    with pytest.raises(RuleViolation) as exc:
        services.transfer_accept(actor=sec_c, transfer=t)
    assert exc.value.code == "letter_expired"
    assert formal_org(m) == w.branch_b
    fresh = services.transfer_apply(
        actor=None, member=new_member(w.branch_b, "李有效"), kind="out", to_org=w.branch_c, reason="x"
    )
    fresh = services.transfer_approve(actor=None, transfer=fresh)
    tasks.expire_letters_task.call_local()
    t.refresh_from_db()
    fresh.refresh_from_db()
    assert (t.state, t.holder) == (State.EXPIRED, None)
    assert fresh.state == State.APPROVED  # a letter still valid stays
    assert events_of(t)[-1] == "transfers.expired"
    assert t.steps.order_by("pk").last().action == "expire"
    assert services.transfers_expire() == 0  # once
    with pytest.raises(RuleViolation) as exc:
        services.transfer_accept(actor=sec_c, transfer=t)
    assert exc.value.code == "wrong_state"


def test_a_second_acceptance_does_not_move_twice(w):
    sec_c = secretary(w.branch_c)
    other_c = secretary(w.branch_c)
    m = new_member(w.branch_b)
    t = services.transfer_apply(actor=None, member=m, kind="out", to_org=w.branch_c, reason="x", on=ago(3))
    t = services.transfer_approve(actor=None, transfer=t, on=ago(2))
    stale = Transfer.objects.get(pk=t.pk)  # what the second secretary's page loaded
    services.transfer_accept(actor=sec_c, transfer=t)
    with pytest.raises(RuleViolation) as exc:
        services.transfer_accept(actor=other_c, transfer=stale)
    assert exc.value.code == "wrong_state"
    assert OrgRelation.objects.filter(member=m, kind="formal", source=RelationSource.TRANSFER).count() == 1
    assert Event.objects.filter(name="transfers.accepted", payload__transfer_id=t.pk).count() == 1


def test_out_of_the_platform_ends_the_membership_after_the_higher_level(w):
    t = w.transfer_b
    assert t.approver == w.city
    t = services.transfer_approve(actor=w.secretary_b, transfer=t)
    assert t.state == State.ESCALATED
    t = services.transfer_escalation_approve(actor=w.office, transfer=t)
    assert (t.state, t.holder) == (State.APPROVED, w.branch_b)  # the out-org records the receipt
    t = services.transfer_accept(actor=w.secretary_b, transfer=t)
    assert t.state == State.REPORTED
    assert not OrgRelation.objects.filter(member=w.member_b, end_on__isnull=True).exists()
    w.member_b.refresh_from_db()
    assert (w.member_b.status, w.member_b.end_kind) == ("ended", "transferred_out")
    assert events_of(t)[-2:] == ["transfers.accepted", "transfers.reported"]


def test_the_higher_level_may_reject(w):
    t = services.transfer_approve(actor=w.secretary_a, transfer=w.transfer_a)
    with pytest.raises(RuleViolation) as exc:
        services.transfer_reject(actor=w.secretary_a, transfer=t, reason="x")
    assert exc.value.code == "not_holder"
    t = services.transfer_reject(actor=w.office, transfer=t, reason="不符合规定")
    assert t.state == State.REJECTED and t.steps.order_by("pk").last().label == "上级党组织不予批准"


def test_mobile_out_and_mobile_in_through_the_workflow(w):
    sec_c = secretary(w.branch_c)
    out_member = new_member(w.branch_b, "周流出")
    t = services.transfer_apply(
        actor=w.secretary_b,
        member=out_member,
        kind="mobile_out",
        to_org=w.branch_c,
        reason="外出务工",
        on=ago(4),
    )
    assert t.approver is None  # mobility keeps the formal relation: no higher level
    t = services.transfer_approve(actor=w.secretary_b, transfer=t, on=ago(3))
    t = services.transfer_accept(actor=sec_c, transfer=t, on=ago(2))
    assert formal_org(out_member) == w.branch_b
    away = Mobility.objects.get(member=out_member, direction=Direction.OUT, end_on__isnull=True)
    hosted = Mobility.objects.get(member=out_member, direction=Direction.IN, end_on__isnull=True)
    assert (away.destination, hosted.host, hosted.certificate_no) == (
        w.branch_c.name,
        w.branch_c,
        t.letter.number,
    )
    in_member = new_member(w.branch_b, "吴流入")
    with pytest.raises(NotFound):  # the host's secretary does not apply for another branch's member
        services.transfer_apply(
            actor=sec_c, member=in_member, kind="mobile_in", to_org=w.branch_c, reason="x"
        )
    t = services.transfer_apply(
        actor=w.secretary_b, member=in_member, kind="mobile_in", to_org=w.branch_c, reason="挂靠", on=ago(3)
    )
    t = services.transfer_approve(actor=w.secretary_b, transfer=t, on=ago(2))
    t = services.transfer_accept(actor=sec_c, transfer=t, on=ago(1))
    assert (
        Mobility.objects.get(member=in_member, direction=Direction.IN, end_on__isnull=True).host == w.branch_c
    )
    assert formal_org(in_member) == w.branch_b
    t = services.transfer_report(actor=sec_c, transfer=t)
    assert t.state == State.REPORTED
