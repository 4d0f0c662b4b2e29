"""Who is told when a transfer moves: the users acting for the org that holds it, for the step it waits
for, and the member at each state — once each, however often an event is delivered."""

import pytest
from django.utils import timezone

from sanxin.core.models import Notification
from sanxin.members import services as member_services
from sanxin.orgs import services as org_services
from sanxin.transfers import alerts, services
from tests.factories import UserFactory, user_with_grant
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def secretary(org):
    return user_with_grant("branch_secretary", org)


def titles(user, kind=alerts.WAITING_KIND):
    return list(
        Notification.objects.filter(recipient=user, kind=kind).order_by("pk").values_list("title", flat=True)
    )


def test_each_holder_is_told_once_and_the_member_follows(w, django_capture_on_commit_callbacks):
    sec_c = secretary(w.branch_c)
    member_user = UserFactory()
    p, _ = org_services.person_create(actor=None, name="赵转接", org=w.branch_c, user=member_user)
    m = member_services.member_register(
        actor=None, person=p, org=w.branch_c, joined_on=timezone.localdate().replace(year=2018)
    )
    with django_capture_on_commit_callbacks(execute=True):
        t = services.transfer_apply(actor=sec_c, member=m, kind="out", to_org=w.branch_b, reason="换站点")
    assert titles(sec_c) == ["赵转接的组织关系转接待网约车司机党支部办理（待转出组织审批）"]
    assert titles(w.secretary_b) == []  # the in-org has nothing to do yet
    with django_capture_on_commit_callbacks(execute=True):
        t = services.transfer_approve(actor=sec_c, transfer=t)  # publishes approved and letter_issued
    assert titles(w.secretary_b) == [f"赵转接的组织关系转接待{w.branch_b.name}办理（待接收）"]
    assert len(titles(sec_c)) == 1  # told of its own step once, not of the in-org's
    assert alerts.transfer_moved(t.pk) == 0  # a redelivered event tells nobody again
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_accept(actor=w.secretary_b, transfer=t)
    progress = titles(member_user, alerts.PROGRESS_KIND)
    assert len(progress) == 3 and all(x.startswith("您的组织关系转接：") for x in progress)
    assert len(set(progress)) == 3  # applied, approved, accepted: one each
    assert (
        Notification.objects.filter(kind=alerts.WAITING_KIND)
        .exclude(recipient__in=[sec_c, w.secretary_b])
        .count()
        == 0
    )


def test_the_higher_level_is_told_and_not_the_branches_below_it(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_approve(actor=w.secretary_a, transfer=w.transfer_a)  # crosses committees → city
    assert titles(w.office) == [f"刘骑手党员的组织关系转接待{w.city.name}办理（待上级党组织审批）"]
    assert titles(w.secretary_a) == [] and titles(w.industry_x) == []
    assert alerts.actors_for(w.city, "escalate") == [w.office.pk]
    assert alerts.actors_for(w.committee_x, "escalate") == [w.industry_x.pk]
    assert alerts.actors_for(w.branch_a, "approve") == [w.secretary_a.pk]
    assert alerts.actors_for(w.branch_a, "escalate") == []  # a branch secretary never escalates
