"""Property: random sequences of lifecycle events and moves keep the invariants, and the tree as of
every step's date equals the tree recorded at that step (the last step of that date)."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanxin.core.errors import ServiceError
from sanxin.core.scope import Scope
from sanxin.orgs import selectors, services
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, OrgType, OrgVersion
from tests.world import regions

TYPES = [
    OrgType.PARTY_COMMITTEE,
    OrgType.GENERAL_BRANCH,
    OrgType.BRANCH,
    OrgType.MOBILE_BRANCH,
    OrgType.GROUP,
]

op = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 30), st.sampled_from(TYPES)),
    st.tuples(st.just("rename"), st.integers(0, 30), st.integers(0, 999)),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("dissolve"), st.integers(0, 30), st.just(0)),
    st.tuples(st.just("merge"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("renew"), st.integers(0, 30), st.integers(1, 5)),
)
steps = st.lists(st.tuples(op, st.integers(0, 40)), min_size=1, max_size=25)


def current_tree() -> frozenset:
    rows = []
    for org in Org.objects.all():
        parent = Org.objects.get_parent(org)
        rows.append((org.pk, org.name, org.org_type, org.status, parent.pk if parent else None))
    return frozenset(rows)


def as_of_tree(on: dt.date) -> frozenset:
    out = []

    def walk(nodes):
        for n in nodes:
            out.append((n.org_id, n.name, n.org_type, n.status, n.parent_id))
            walk(n.children)

    walk(selectors.tree_as_of(Scope.all(), on, include_ended=True))
    return frozenset(out)


def check_invariants() -> None:
    for org in Org.objects.all():
        parent = Org.objects.get_parent(org)
        assert OrgVersion.objects.filter(org=org, valid_to__isnull=True).count() == 1
        if org.org_type == OrgType.GROUP:
            assert parent is not None and parent.org_type in BRANCH_TYPES
        if parent is not None and parent.org_type in BRANCH_TYPES:
            assert org.org_type == OrgType.GROUP
        if org.status != OrgStatus.ACTIVE:
            assert not Org.objects.get_children(org).filter(status=OrgStatus.ACTIVE).exists()
            assert not org.people.exists()
        if parent is not None:
            assert org.path.startswith(parent.path) and org.depth == parent.depth + 1


def apply(step, orgs: list[Org], on: dt.date) -> None:
    kind, a, b = step
    pick = lambda i: Org.objects.get(pk=orgs[i % len(orgs)].pk)  # noqa: E731
    if kind == "create":
        parent = pick(a)
        orgs.append(
            services.org_create(
                actor=None,
                parent=parent,
                name=f"组织{len(orgs)}",
                org_type=b,
                region=parent.region,
                founded_on=max(on, parent.founded_on),
            )
        )
    elif kind == "rename":
        services.org_rename(actor=None, org=pick(a), name=f"更名{b}", on=on)
    elif kind == "move":
        services.org_move(actor=None, org=pick(a), new_parent=pick(b), on=on)
    elif kind == "dissolve":
        services.org_dissolve(actor=None, org=pick(a), on=on)
    elif kind == "merge":
        services.org_merge(actor=None, sources=[pick(a)], target=pick(b), on=on)
    elif kind == "renew":
        services.org_renew(actor=None, org=pick(a), on=on, term_years=b)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_random_histories_keep_invariants_and_as_of_matches(plan):
    with transaction.atomic():
        r = regions()["390100000000"]
        start = dt.date(2010, 1, 1)
        root = services.org_create(
            actor=None, parent=None, name="市委", org_type=OrgType.PARTY_COMMITTEE, region=r, founded_on=start
        )
        orgs = [root]
        for t in (OrgType.INDUSTRY_COMMITTEE, OrgType.PARTY_COMMITTEE):
            orgs.append(
                services.org_create(
                    actor=None, parent=root, name=f"委{len(orgs)}", org_type=t, region=r, founded_on=start
                )
            )
        recorded: dict[dt.date, frozenset] = {start: current_tree()}
        on = start
        for step, gap in plan:
            on = on + dt.timedelta(days=gap)
            before = current_tree()
            try:
                with transaction.atomic():
                    apply(step, orgs, on)
            except ServiceError:
                assert current_tree() == before  # a refused change leaves no trace
            check_invariants()
            recorded[on] = current_tree()
        for day, tree in recorded.items():
            assert as_of_tree(day) == tree, day
        transaction.set_rollback(True)
