def ready() -> None:
    """Called from ``MembersConfig.ready``: scope registrations, nav entries, cards, subscriptions."""
