"""The demo's transfers: one in every state (an expired one closed by the expiry, one crossing
committees waiting for the higher level), a 流出 and a 流入 through the workflow; a second run adds
nothing."""

from django.core.management import call_command

from sanxin.members.models import Mobility
from sanxin.transfers.models import Kind, State, Transfer


def test_demo_transfers(demo_db):
    assert set(Transfer.objects.values_list("state", flat=True)) == set(State.values)
    escalated = Transfer.objects.get(state=State.ESCALATED)
    assert escalated.holder == escalated.approver != escalated.from_org
    expired = Transfer.objects.get(state=State.EXPIRED)
    assert expired.steps.order_by("pk").last().action == "expire"
    out = Transfer.objects.get(kind=Kind.MOBILE_OUT)
    assert Mobility.objects.filter(member=out.member, direction="out", end_on__isnull=True).exists()
    hosted = Transfer.objects.get(kind=Kind.MOBILE_IN)
    assert (
        Mobility.objects.get(member=hosted.member, direction="in", end_on__isnull=True).host == hosted.to_org
    )
    external = Transfer.objects.get(kind=Kind.EXTERNAL)
    assert (external.state, external.holder) == (State.APPROVED, external.from_org)
    n = Transfer.objects.count()
    call_command("demo", quiet=True)
    assert Transfer.objects.count() == n
