import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import AuditLog, Event
from sanxin.members.selectors import org_on
from sanxin.members.services import membership_move
from sanxin.orgs import selectors, services
from sanxin.orgs.models import EventKind, Org, OrgStatus, OrgType, OrgVersion, Post, PostTitle
from tests.world import LEAK_MARKER, D, build_world, regions

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_codes_are_region_plus_sequence(w):
    assert w.branch_a.code == "3901020010000001"
    assert w.branch_c.code == "3901020010000002"
    assert w.city.code == "3901000000000001"
    assert Org.objects.count() == len({o.code for o in Org.objects.all()})


def test_create_records_version_event_audit_and_event(w):
    assert OrgVersion.objects.filter(org=w.branch_a, valid_to__isnull=True).count() == 1
    assert w.branch_a.events.get().kind == EventKind.FOUND
    assert AuditLog.objects.filter(
        object_type="orgs.org", object_id=str(w.branch_a.pk), action="create"
    ).exists()
    assert Event.objects.filter(name="orgs.founded", payload__org_id=w.branch_a.pk).exists()


def test_group_only_under_branch_and_branch_holds_only_groups(w):
    with pytest.raises(InvalidInput) as exc:
        services.org_create(
            actor=None,
            parent=w.committee_x,
            name="党小组",
            org_type=OrgType.GROUP,
            region=w.branch_a.region,
            founded_on=D(2022, 1, 1),
        )
    assert "党小组只能设在党支部" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.org_create(
            actor=None,
            parent=w.branch_a,
            name="下级支部",
            org_type=OrgType.BRANCH,
            region=w.branch_a.region,
            founded_on=D(2022, 1, 1),
        )
    assert "只能设立党小组" in exc.value.message
    group = services.org_create(
        actor=None,
        parent=w.branch_a,
        name="午班党小组",
        org_type=OrgType.GROUP,
        region=w.branch_a.region,
        founded_on=D(2022, 1, 1),
    )
    assert group.term_ends_on is None
    with pytest.raises(InvalidInput):
        services.org_create(
            actor=None,
            parent=group,
            name="x",
            org_type=OrgType.GROUP,
            region=w.branch_a.region,
            founded_on=D(2022, 1, 1),
        )


def test_founding_before_parent_refused(w):
    with pytest.raises(InvalidInput) as exc:
        services.org_create(
            actor=None,
            parent=w.committee_x,
            name="早产支部",
            org_type=OrgType.BRANCH,
            region=w.branch_a.region,
            founded_on=D(2019, 1, 1),
        )
    assert exc.value.field == "founded_on"


def test_no_cycles(w):
    with pytest.raises(RuleViolation) as exc:
        services.org_move(actor=None, org=w.city, new_parent=w.committee_x, on=D(2024, 1, 1))
    assert exc.value.code == "cycle"
    with pytest.raises(RuleViolation):
        services.org_move(actor=None, org=w.committee_x, new_parent=w.committee_x, on=D(2024, 1, 1))


def test_move_keeps_descendant_history_and_rewrites_paths(w):
    group = services.org_create(
        actor=None,
        parent=w.branch_a,
        name="午班党小组",
        org_type=OrgType.GROUP,
        region=w.branch_a.region,
        founded_on=D(2022, 1, 1),
    )
    services.org_move(actor=None, org=w.branch_a, new_parent=w.committee_y, on=D(2024, 6, 1))
    a = Org.objects.get(pk=w.branch_a.pk)
    group = Org.objects.get(pk=group.pk)
    cy = Org.objects.get(pk=w.committee_y.pk)
    assert a.path.startswith(cy.path) and group.path.startswith(a.path)
    assert Org.objects.get_parent(a).pk == cy.pk
    # The group's own versions are untouched; it followed its parent.
    assert OrgVersion.objects.filter(org=group).count() == 1
    before = {n.org_id: n for n in _flatten(selectors.tree_as_of(_all(), D(2024, 5, 31)))}
    after = {n.org_id: n for n in _flatten(selectors.tree_as_of(_all(), D(2024, 6, 1)))}
    assert before[a.pk].parent_id == w.committee_x.pk and after[a.pk].parent_id == w.committee_y.pk
    assert after[group.pk].parent_id == a.pk == before[group.pk].parent_id


def test_events_must_be_dated_in_order(w):
    services.org_rename(actor=None, org=w.branch_a, name="骑手第一流动党员党支部", on=D(2024, 3, 1))
    with pytest.raises(RuleViolation) as exc:
        services.org_rename(actor=None, org=w.branch_a, name="骑手第二流动党员党支部", on=D(2024, 2, 1))
    assert exc.value.code == "date_order"


def test_same_day_changes_amend_the_days_version(w):
    services.org_rename(actor=None, org=w.branch_a, name="甲", on=D(2024, 3, 1))
    services.org_rename(actor=None, org=w.branch_a, name="乙", on=D(2024, 3, 1))
    names = list(
        OrgVersion.objects.filter(org=w.branch_a).order_by("valid_from").values_list("name", flat=True)
    )
    assert names == ["骑手流动党员党支部", "乙"]


def test_dissolve_refused_with_active_children_people_or_posts(w):
    with pytest.raises(RuleViolation) as exc:
        services.org_dissolve(actor=None, org=w.committee_x, on=D(2024, 1, 1))
    assert "下级组织" in exc.value.message
    with pytest.raises(RuleViolation) as exc:
        services.org_dissolve(actor=None, org=w.branch_a, on=D(2024, 1, 1))
    assert "人员" in exc.value.message and "离任" in exc.value.message
    post = Post.objects.get(org=w.branch_a)
    services.post_end(actor=None, post=post, end_on=D(2023, 12, 31))
    for person in (post.person, w.case_a.person):  # the secretary and the branch's applicant leave
        person.org = None
        person.save()
    with pytest.raises(RuleViolation):  # a member's relation is still here: members move out first
        services.org_dissolve(actor=None, org=w.branch_a, on=D(2024, 1, 1))
    membership_move(actor=None, member=w.member_a, org=w.branch_c, on=D(2023, 12, 1))
    services.org_dissolve(actor=None, org=w.branch_a, on=D(2024, 1, 1))
    a = Org.objects.get(pk=w.branch_a.pk)
    assert a.status == OrgStatus.DISSOLVED and a.ended_on == D(2024, 1, 1)
    with pytest.raises(RuleViolation):
        services.org_create(
            actor=None, parent=a, name="x", org_type=OrgType.GROUP, region=a.region, founded_on=D(2024, 2, 1)
        )


def test_merge_moves_children_people_and_closes_source(w):
    group = services.org_create(
        actor=None,
        parent=w.branch_b,
        name="冷链党小组",
        org_type=OrgType.GROUP,
        region=w.branch_b.region,
        founded_on=D(2022, 1, 1),
    )
    services.org_merge(
        actor=None, sources=[w.branch_b], target=w.branch_c, on=D(2024, 1, 15), document_no="文1号"
    )
    b = Org.objects.get(pk=w.branch_b.pk)
    assert b.status == OrgStatus.MERGED
    assert Org.objects.get_parent(Org.objects.get(pk=group.pk)).pk == w.branch_c.pk
    # the secretary moves with the org; the member through the membership service, dated
    assert set(w.branch_c.people.values_list("name", flat=True)) == {
        w.member_b.person.name,
        "李司机" + LEAK_MARKER,
        w.case_b.person.name,  # the applicant follows the branch
    }
    assert org_on(w.member_b, D(2024, 1, 14)) == b and org_on(w.member_b, D(2024, 1, 15)) == w.branch_c
    assert not Post.objects.filter(org=b, end_on__isnull=True).exists()
    assert Event.objects.filter(name="orgs.merged", payload__into_id=w.branch_c.pk).exists()


def test_split_creates_parts_and_closes_source(w):
    services.person_create(actor=None, name="孙司机", org=w.branch_c)
    with pytest.raises(RuleViolation):  # a person is still there
        services.org_split(
            actor=None, org=w.branch_c, on=D(2024, 1, 1), parts=[{"name": "甲支部"}, {"name": "乙支部"}]
        )
    parts = services.org_split(
        actor=None, org=w.branch_c, on=D(2024, 1, 1), close_source=False, parts=[{"name": "网约车第二党支部"}]
    )
    assert parts[0].founded_on == D(2024, 1, 1)
    assert Org.objects.get_parent(parts[0]).pk == w.committee_y.pk
    assert Org.objects.get(pk=w.branch_c.pk).status == OrgStatus.ACTIVE


def test_renew_sets_term_and_alerts(w):
    services.org_renew(actor=None, org=w.branch_a, on=D(2024, 1, 10), term_years=3)
    a = Org.objects.get(pk=w.branch_a.pk)
    assert a.term_ends_on == D(2027, 1, 10)
    assert a.term_state(D(2026, 11, 24)) == "due"
    assert a.term_state(D(2027, 1, 11)) == "overdue"
    assert a.term_state(D(2026, 1, 1)) == ""


def test_one_secretary_at_a_time(w):
    person, _ = services.person_create(actor=None, name="王新", org=w.branch_a)
    with pytest.raises(RuleViolation) as exc:
        services.post_assign(
            actor=None, org=w.branch_a, person=person, title=PostTitle.SECRETARY, start_on=D(2024, 1, 1)
        )
    assert exc.value.code == "one_secretary"
    # The database refuses it too, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(org=w.branch_a, person=person, title=PostTitle.SECRETARY, start_on=D(2024, 1, 1))
    old = Post.objects.get(org=w.branch_a, title=PostTitle.SECRETARY)
    services.post_end(actor=None, post=old, end_on=D(2024, 1, 1))
    with pytest.raises(RuleViolation):  # overlaps the predecessor's term
        services.post_assign(
            actor=None, org=w.branch_a, person=person, title=PostTitle.SECRETARY, start_on=D(2023, 6, 1)
        )
    services.post_assign(
        actor=None, org=w.branch_a, person=person, title=PostTitle.SECRETARY, start_on=D(2024, 1, 2)
    )


def test_person_identifiers_are_encrypted_indexed_and_unique(w):
    person, warnings = services.person_create(
        actor=None, name="赵六", org=w.branch_a, resident_id="11010519491231002X", phone="+86 138 0013 8000"
    )
    assert warnings == []
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT resident_id, phone FROM orgs_person WHERE id = %s", [person.pk])
        raw_id, raw_phone = cur.fetchone()
    assert raw_id.startswith("enc:v1:") and "11010519491231002X" not in raw_id
    assert raw_phone.startswith("enc:v1:")
    assert person.birth_date == dt.date(1949, 12, 31) and person.gender == "F"
    with pytest.raises(RuleViolation):
        services.person_create(actor=None, name="赵六", org=w.branch_a, resident_id="11010519491231002x")
    with pytest.raises(InvalidInput) as exc:
        services.person_create(actor=None, name="钱七", org=w.branch_a, resident_id="110105194912310021")
    assert exc.value.field == "resident_id" and "校验位" in exc.value.message
    log = AuditLog.objects.filter(object_type="orgs.person", object_id=str(person.pk)).get()
    assert log.after["resident_id"] == "110*************2X"


def test_reveal_is_scoped_and_audited(w):
    from sanxin.accounts.services import grant_create
    from tests.factories import UserFactory

    person, _ = services.person_create(
        actor=None, name="赵六", org=w.branch_a, resident_id="11010519491231002X"
    )
    with pytest.raises(NotFound):
        services.person_reveal(actor=w.secretary_a, person=person, field="resident_id", reason="核对身份信息")
    admin = UserFactory()
    grant_create(actor=None, user=admin, role="security_admin", region=regions()["390102001000"])
    with pytest.raises(InvalidInput):
        services.person_reveal(actor=admin, person=person, field="resident_id", reason="")
    assert (
        services.person_reveal(actor=admin, person=person, field="resident_id", reason="核对身份")
        == "11010519491231002X"
    )
    assert AuditLog.objects.filter(action="reveal", object_id=str(person.pk), actor_id=admin.pk).exists()


def test_services_refuse_out_of_scope_actors_with_404(w):
    with pytest.raises(NotFound):
        services.org_rename(actor=w.industry_x, org=w.branch_b, name="改名", on=D(2024, 1, 1))
    with pytest.raises(NotFound):
        services.org_create(
            actor=w.secretary_a,
            parent=w.committee_x,
            name="越权组建",
            org_type=OrgType.BRANCH,
            region=w.branch_a.region,
            founded_on=D(2024, 1, 1),
        )
    services.org_create(
        actor=w.industry_x,
        parent=w.committee_x,
        name="新支部",
        org_type=OrgType.BRANCH,
        region=w.branch_a.region,
        founded_on=D(2024, 1, 1),
    )


def test_street_sees_branch_located_in_it_from_another_committee(w):
    from sanxin.core.scope import scope_for

    visible = set(selectors.org_list(scope_for(w.street_s_user, "orgs", "view")).values_list("pk", flat=True))
    assert w.branch_c.pk in visible  # under committee_y, located in street S
    assert w.branch_a.pk in visible and w.street_s.pk in visible
    assert w.branch_b.pk not in visible and w.committee_y.pk not in visible


def _all():
    from sanxin.core.scope import Scope

    return Scope.all()


def _flatten(nodes):
    for n in nodes:
        yield n
        yield from _flatten(n.children)
