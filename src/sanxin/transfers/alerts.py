"""Who is told when a transfer moves: the users who act for the org that now holds it (their grant is
anchored at that org and lets them take the step it waits for), and the member, of every step. Called
from the subscriptions to the workflow's events (after commit), never from the services themselves."""

from __future__ import annotations

from django.urls import reverse

from sanxin.accounts import actors as accounts_actors
from sanxin.core import notify

from .models import State, Transfer

WAITING_KIND = "transfers.waiting"
PROGRESS_KIND = "transfers.progress"
notify.register_kind(WAITING_KIND, "组织关系转接待办")
notify.register_kind(PROGRESS_KIND, "我的组织关系转接进展")


# The matrix action of the step each waiting state expects from its holder. An accepted transfer waits
# for the member to report, which is the member's own step.
STEP_ACTION = {State.APPLIED: "approve", State.ESCALATED: "escalate", State.APPROVED: "accept"}


def actors_for(org, action: str) -> list[int]:
    return accounts_actors.actors_for(org, "transfers", action)


def transfer_moved(transfer_id: int) -> int:
    """Tell the holder's users that the transfer waits for them, and the member where it stands now.
    One step publishes several events (approved, letter issued, escalated) and an event may be
    delivered again: keys per state make each tell once. Returns how many notifications were written."""
    transfer = Transfer.objects.select_related("member__person", "holder").filter(pk=transfer_id).first()
    if transfer is None:
        return 0
    person = transfer.member.person
    sent = 0
    action = STEP_ACTION.get(transfer.state)
    if action and transfer.holder_id:
        url = reverse("transfers:detail", args=[transfer.pk])
        for user_id in actors_for(transfer.holder, action):
            sent += bool(
                notify.notify(
                    recipient=user_id,
                    kind=WAITING_KIND,
                    title=f"{person.name}的组织关系转接待{transfer.holder.name}办理（{transfer.get_state_display()}）",
                    url=url,
                    key=f"{WAITING_KIND}:{transfer.pk}:{transfer.state}:{transfer.holder_id}",
                )
            )
    if person.user_id:
        sent += bool(
            notify.notify(
                recipient=person.user_id,
                kind=PROGRESS_KIND,
                title=f"您的组织关系转接：{transfer.get_state_display()}",
                url=reverse("transfers:mine"),
                key=f"{PROGRESS_KIND}:{transfer.pk}:{transfer.state}",
            )
        )
    return sent
