"""Who acts for an org: the users to tell when something waits for that org's step."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from sanxin.orgs.models import COMMITTEE_TYPES, Org

from .matrix import ASG, ORG, REG, anchors_for
from .models import Grant


def actors_for(org, module: str, action: str) -> list[int]:
    """Users who act for ``org`` itself: a current grant anchored at that org, or — for the top committee
    of a region — at the region it governs (an organization department's grant is its region's), whose
    role allows ``module``/``action`` over that anchor. Grants over a wider subtree or region (a street
    over the branches located in it) are not told of every branch's step; they see the queues."""
    today = timezone.localdate()
    anchored = Q(anchor=ORG, org_id=org.pk)
    if org.org_type in COMMITTEE_TYPES:
        parent = Org.objects.get_parent(org)
        if parent is None or parent.region_id != org.region_id:  # the region's top committee
            anchored |= Q(anchor=REG, region_id=org.region_id)
    grants = Grant.objects.filter(anchored, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=today)
    )
    return sorted(
        {
            user_id
            for user_id, role, anchor in grants.values_list("user_id", "role", "anchor")
            if anchor in anchors_for(role, module, action)
        }
    )


def assignees(kind: str, object_id, module: str, action: str) -> list[int]:
    """Users whose current assignment grant of ``kind`` lists ``object_id`` (a department's staff, a
    partner's) and whose role allows ``module``/``action`` over an assignment."""
    today = timezone.localdate()
    grants = Grant.objects.filter(
        anchor=ASG, assignment_kind=kind, assignments__object_id=str(object_id), valid_from__lte=today
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
    return sorted(
        {
            user_id
            for user_id, role in grants.values_list("user_id", "role")
            if ASG in anchors_for(role, module, action)
        }
    )
