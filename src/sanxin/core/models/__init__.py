from .audit import AuditLog
from .base import TimeStampedModel
from .calendar import CalendarDay
from .events import Event, EventDelivery
from .imports import ImportJob, ImportMapping
from .industries import Industry
from .notices import Objection, PublicNotice
from .notifications import Notification, NotificationPreference
from .periods import DatedModel
from .regions import Region
from .uploads import StoredFile

__all__ = [
    "AuditLog",
    "CalendarDay",
    "DatedModel",
    "Event",
    "EventDelivery",
    "ImportJob",
    "ImportMapping",
    "Industry",
    "Notification",
    "NotificationPreference",
    "Objection",
    "PublicNotice",
    "Region",
    "StoredFile",
    "TimeStampedModel",
]
