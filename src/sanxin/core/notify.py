"""The in-app notification centre and its outbound channels.

``notify(recipient=..., kind=..., title=...)`` stores the in-app notification (always) and, after
commit, hands it to every enabled outbound channel (SMS, WeCom, e-mail... registered by
``register_channel``). The default outbound channel only logs. Users opt out per kind and channel.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, NotificationPreference

logger = logging.getLogger("sanxin.notify")

IN_APP = "in_app"


class Channel(Protocol):
    name: str
    label: str
    default_enabled: bool

    def send(self, notification: Notification) -> None: ...


class LogChannel:
    name = "log"
    label = "日志"
    default_enabled = True

    def send(self, notification: Notification) -> None:
        logger.info(
            "notify user=%s kind=%s title=%s",
            notification.recipient_id,
            notification.kind,
            notification.title,
        )


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _channels[channel.name] = channel


def channels() -> list[Channel]:
    return list(_channels.values())


register_channel(LogChannel())

# Kinds users can see in their preferences; modules add theirs with register_kind.
_kinds: dict[str, str] = {"system": "系统通知"}


def register_kind(kind: str, label: str) -> None:
    _kinds[kind] = label


def kinds() -> dict[str, str]:
    return dict(_kinds)


def is_enabled(user_id: int, kind: str, channel: str, default: bool = True) -> bool:
    pref = NotificationPreference.objects.filter(user_id=user_id, kind=kind, channel=channel).first()
    return default if pref is None else pref.enabled


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    key: str | None = None,
) -> Notification | None:
    """Notify one user. With ``key``, a second call with the same (recipient, key) does nothing, so
    periodic reminders can be idempotent. Returns None when the user has muted in-app for the kind."""
    user_id = getattr(recipient, "pk", recipient)
    if not is_enabled(user_id, kind, IN_APP):
        return None
    if key is not None and Notification.objects.filter(recipient_id=user_id, key=key).exists():
        return None
    try:
        with transaction.atomic():
            n = Notification.objects.create(
                recipient_id=user_id, kind=kind, title=title[:200], body=body, url=url, level=level, key=key
            )
    except IntegrityError:
        return None
    for ch in channels():
        if is_enabled(user_id, kind, ch.name, ch.default_enabled):
            transaction.on_commit(lambda ch=ch, nid=n.pk: _enqueue(nid, ch.name))
    return n


def _enqueue(notification_id: int, channel: str) -> None:
    from .tasks import deliver_notification_task

    deliver_notification_task(notification_id, channel)


def deliver_outbound(notification_id: int, channel: str) -> None:
    ch = _channels.get(channel)
    n = Notification.objects.filter(pk=notification_id).first()
    if ch is None or n is None:
        return
    ch.send(n)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user):
    return Notification.objects.filter(recipient=user)


def mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all when ``ids`` is None). Others' ids are ignored."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def set_preference(*, user, kind: str, channel: str, enabled: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )
    return pref
