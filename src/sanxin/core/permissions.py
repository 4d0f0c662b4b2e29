"""Interim permission checks of the core's own office pages.

The authorization matrix (role × module × action) of the accounts module replaces these; until a user
has grants, the office pages of the core are for users holding the ``core.view_auditlog`` permission
(the organization department's administrators) and superusers.
"""

from __future__ import annotations


def is_office_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("core.view_auditlog")))
