"""Membership history: one formal org at every instant, moves through one service, mobility, merges,
the 口袋/隐形 flags seen by the organization department only."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import AuditLog, Event
from sanxin.core.scope import scope_for
from sanxin.members import selectors, services
from sanxin.members.models import Direction, Hidden, Member, OrgRelation, RelationKind, Standing
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType, Person
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date
BORN = D(1995, 5, 1)
JOINED = D(2020, 7, 1)


@pytest.fixture
def w():
    return build_world()


def person(name="王快递", org=None, birth=BORN):
    p, _ = org_services.person_create(actor=None, name=name, org=org, birth_date=birth)
    return p


def member(w, name="王快递", org=None, joined=JOINED, **kw):
    return services.member_register(
        actor=w.office, person=person(name), org=org or w.branch_a, joined_on=joined, **kw
    )


def test_register_move_and_the_org_on_any_date(w):
    m = member(w, since=D(2021, 3, 1))
    assert m.standing == Standing.PROBATIONARY and m.person.org == w.branch_a
    services.membership_move(actor=w.office, member=m, org=w.branch_c, on=D(2023, 6, 1), note="工作调动")
    m.person.refresh_from_db()
    assert m.person.org == w.branch_c  # scopes and pages read the current formal org
    assert selectors.org_on(m, D(2021, 2, 28)) is None
    assert selectors.org_on(m, D(2021, 3, 1)) == w.branch_a
    assert selectors.org_on(m, D(2023, 5, 31)) == w.branch_a
    assert selectors.org_on(m, D(2023, 6, 1)) == w.branch_c
    # the activity org followed the formal org
    assert selectors.org_on(m, D(2023, 6, 1), RelationKind.ACTIVITY) == w.branch_c
    assert set(selectors.members_of(w.branch_a, D(2022, 1, 1))) == {m, w.member_a}
    assert set(selectors.members_of(w.branch_a, D(2024, 1, 1))) == {w.member_a}
    assert set(selectors.members_of(w.committee_y, D(2024, 1, 1), subtree=True)) == {m, w.member_b}
    moved = Event.objects.get(name="members.moved")
    assert moved.payload["from_org_id"] == w.branch_a.pk and moved.payload["to_org_id"] == w.branch_c.pk
    assert AuditLog.objects.filter(action="end", object_type="members.orgrelation").exists()


def test_the_database_refuses_overlapping_relations(w):
    m = member(w)
    with pytest.raises(IntegrityError), transaction.atomic():  # a second open formal relation
        OrgRelation.objects.create(
            member=m, org=w.branch_c, kind="formal", source="move", start_on=D(2022, 1, 1)
        )
    services.membership_move(actor=w.office, member=m, org=w.branch_c, on=D(2023, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():  # a closed one overlapping the others
        OrgRelation.objects.create(
            member=m,
            org=w.branch_b,
            kind="formal",
            source="move",
            start_on=D(2021, 1, 1),
            end_on=D(2021, 6, 1),
        )
    first = OrgRelation.objects.get(member=m, kind="formal", org=w.branch_a)
    with pytest.raises(IntegrityError), transaction.atomic():  # stretching a period over the next
        OrgRelation.objects.filter(pk=first.pk).update(end_on=D(2024, 1, 1))
    # the activity relation is a kind of its own: it may cover the same time
    assert OrgRelation.objects.filter(member=m, kind="activity").count() == 2


def test_moves_are_refused_with_the_rule_that_blocks_them(w):
    m = member(w)
    with pytest.raises(RuleViolation) as e:
        services.membership_move(actor=w.office, member=m, org=w.committee_x, on=D(2023, 1, 1))
    assert e.value.code == "not_a_branch"
    with pytest.raises(RuleViolation) as e:
        services.membership_move(actor=w.office, member=m, org=w.branch_c, on=D(2020, 7, 1))
    assert e.value.code == "date_order" and "2020-07-01" in e.value.message
    with pytest.raises(RuleViolation) as e:
        services.membership_move(actor=w.office, member=m, org=w.branch_a, on=D(2023, 1, 1))
    assert e.value.code == "unchanged"
    with pytest.raises(InvalidInput):
        services.membership_move(
            actor=w.office, member=m, org=w.branch_c, on=dt.date.today() + dt.timedelta(1)
        )
    # a branch secretary cannot move a member into a branch outside their scope (nor out of one)
    with pytest.raises(NotFound):
        services.membership_move(actor=w.secretary_a, member=m, org=w.branch_c, on=D(2023, 1, 1))
    with pytest.raises(NotFound):
        services.membership_move(actor=w.secretary_b, member=m, org=w.branch_b, on=D(2023, 1, 1))
    assert OrgRelation.objects.filter(member=m).count() == 2  # nothing written


def test_registration_rules(w):
    young = person("少年", birth=D(2006, 6, 1))
    with pytest.raises(RuleViolation) as e:
        services.member_register(actor=w.office, person=young, org=w.branch_a, joined_on=D(2024, 5, 31))
    assert e.value.code == "too_young" and "18" in e.value.message
    with pytest.raises(InvalidInput) as e:
        services.member_register(
            actor=w.office, person=young, org=w.branch_a, joined_on=D(2024, 6, 1), standing=Standing.FULL
        )
    assert e.value.field == "converted_on"
    with pytest.raises(RuleViolation) as e:
        services.member_register(
            actor=w.office,
            person=young,
            org=w.branch_a,
            joined_on=D(2024, 6, 1),
            standing=Standing.FULL,
            converted_on=D(2025, 5, 31),
        )
    assert e.value.code == "probation"
    m = services.member_register(actor=w.office, person=young, org=w.branch_a, joined_on=D(2024, 6, 1))
    with pytest.raises(RuleViolation):
        services.member_register(actor=w.office, person=young, org=w.branch_a, joined_on=D(2024, 6, 1))
    with pytest.raises(RuleViolation) as e:
        services.member_convert(actor=w.office, member=m, on=D(2025, 5, 31))
    assert "2025-06-01" in e.value.message
    m = services.member_convert(actor=w.office, member=m, on=D(2025, 6, 1))
    assert m.standing == Standing.FULL and m.converted_on == D(2025, 6, 1)


def test_mobile_in_makes_the_host_the_activity_org_and_lets_it_see_the_member(w):
    m = member(w, org=w.branch_c)
    assert not scope_for(w.secretary_a, "people", "view").contains(m)
    stay = services.mobile_in(
        actor=w.secretary_a,
        member=m,
        host=w.branch_a,
        on=D(2024, 3, 1),
        certificate_no="LD2024001",
        certificate_valid_until=D(2025, 3, 1),
    )
    assert selectors.org_on(m, D(2024, 3, 1), RelationKind.ACTIVITY) == w.branch_a
    assert selectors.org_on(m, D(2024, 3, 1)) == w.branch_c  # the formal relation stays
    assert scope_for(w.secretary_a, "people", "view").contains(m)
    # a formal move meanwhile leaves the activity org at the host
    services.membership_move(actor=w.office, member=m, org=w.branch_b, on=D(2024, 6, 1))
    assert selectors.org_on(m, D(2024, 7, 1), RelationKind.ACTIVITY) == w.branch_a
    with pytest.raises(RuleViolation):
        services.mobile_in(actor=w.office, member=m, host=w.branch_c, on=D(2024, 7, 1))
    services.mobility_end(actor=w.secretary_a, mobility=stay, on=D(2024, 9, 1))
    assert selectors.org_on(m, D(2024, 9, 1), RelationKind.ACTIVITY) == w.branch_b
    assert not scope_for(w.secretary_a, "people", "view").contains(m)


def test_mobile_out_keeps_the_formal_relation(w):
    m = member(w)
    with pytest.raises(InvalidInput) as e:
        services.mobile_out(actor=w.secretary_a, member=m, on=D(2024, 3, 1), destination="")
    assert e.value.field == "destination"
    with pytest.raises(InvalidInput) as e:
        services.mobile_out(
            actor=w.secretary_a, member=m, on=D(2024, 3, 1), destination="广东省深圳市", certificate_no="LD1"
        )
    assert e.value.field == "certificate_valid_until"
    away = services.mobile_out(
        actor=w.secretary_a,
        member=m,
        on=D(2024, 3, 1),
        destination="广东省深圳市",
        expected_return=D(2025, 1, 1),
    )
    assert away.direction == Direction.OUT and selectors.org_on(m, D(2024, 6, 1)) == w.branch_a
    with pytest.raises(RuleViolation):
        services.mobile_out(actor=w.secretary_a, member=m, on=D(2024, 4, 1), destination="上海市")
    services.mobility_end(actor=w.secretary_a, mobility=away, on=D(2024, 12, 1))


def test_a_merge_moves_members_through_the_membership_service(w):
    other = org_services.org_create(
        actor=None,
        parent=w.committee_x,
        name="外卖骑手党支部",
        org_type=OrgType.BRANCH,
        region=w.branch_a.region,
        founded_on=D(2021, 1, 1),
    )
    m = member(w, org=other)
    guest = member(w, "赵流入", org=w.branch_c)
    services.mobile_in(actor=w.office, member=guest, host=other, on=D(2023, 1, 1))
    blockers = org_services.dissolve_blockers(other)
    assert any("流入党员" in b for b in blockers)
    org_services.org_merge(actor=w.office, sources=[other], target=w.branch_a, on=D(2024, 1, 1))
    assert selectors.org_on(m, D(2024, 1, 1)) == w.branch_a and selectors.org_on(m, D(2023, 12, 31)) == other
    assert Person.objects.get(pk=m.pk).org == w.branch_a
    assert OrgRelation.objects.get(member=m, kind="formal", org=w.branch_a).source == "merge"
    assert selectors.org_on(guest, D(2024, 1, 1), RelationKind.ACTIVITY) == w.branch_a
    assert guest.mobilities.get().host == w.branch_a


def test_hidden_flags_are_the_organization_departments_alone(w):
    m = member(w)
    with pytest.raises(NotFound):
        services.member_flag_hidden(actor=w.secretary_a, member=m, hidden=Hidden.POCKET, how="双找比对")
    with pytest.raises(InvalidInput):
        services.member_flag_hidden(actor=w.office, member=m, hidden=Hidden.POCKET, how="")
    m = services.member_flag_hidden(actor=w.office, member=m, hidden=Hidden.POCKET, how="双找比对发现")
    assert Member.objects.get(pk=m.pk).hidden == Hidden.POCKET
    assert AuditLog.objects.filter(action="flag_hidden", object_id=str(m.pk), actor_id=w.office.pk).exists()


def test_profile_and_employment(w):
    p = w.member_a.person
    p = org_services.person_update(
        actor=w.secretary_a,
        person=p,
        data={"ethnicity": "回族", "education": "college", "household_place": "东江省新河市"},
    )
    assert (p.ethnicity, p.get_education_display()) == ("回族", "大学专科")
    with pytest.raises(InvalidInput) as e:
        org_services.person_update(actor=w.secretary_a, person=p, data={"ethnicity": "火星族"})
    assert e.value.field == "ethnicity"
    with pytest.raises(InvalidInput):
        org_services.person_update(
            actor=w.secretary_a, person=p, data={"org": w.branch_c}
        )  # only via membership
    with pytest.raises(NotFound):
        org_services.person_update(actor=w.secretary_b, person=p, data={"household_place": "x"})
    job = services.employment_record(
        actor=w.secretary_a,
        person=p,
        kind="rider",
        since=D(2023, 1, 1),
        employer_name="蜂鸟配送",
        work_area="城关",
    )
    with pytest.raises(RuleViolation):
        services.employment_record(
            actor=w.secretary_a, person=p, kind="rider", since=D(2023, 2, 1), employer_name="蜂鸟配送"
        )
    with pytest.raises(InvalidInput) as e:
        services.employment_record(actor=w.secretary_a, person=p, kind="rider", since=D(2023, 2, 1))
    assert e.value.field == "employer_name"
    services.employment_record(
        actor=w.secretary_a, person=p, kind="courier", since=D(2023, 2, 1), platform=w.enterprise_a
    )
    assert p.employments.filter(end_on__isnull=True).count() == 2
    job = services.employment_end(actor=w.secretary_a, employment=job, on=D(2024, 1, 1))
    assert job.end_on == D(2024, 1, 1)
    # a worker who belongs to no org is changed by whoever holds the region where they work
    worker = person("孙骑手")
    with pytest.raises(NotFound):
        services.employment_record(
            actor=w.secretary_a,
            person=worker,
            kind="rider",
            since=D(2024, 1, 1),
            employer_name="x",
            work_region=w.branch_b.region,
        )
    services.employment_record(
        actor=w.office,
        person=worker,
        kind="rider",
        since=D(2024, 1, 1),
        employer_name="x",
        work_region=w.branch_b.region,
    )
