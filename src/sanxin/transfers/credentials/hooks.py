def ready() -> None:
    """Called from ``TransfersConfig.ready``: scope registrations, nav entries, cards, subscriptions,
    demo steps."""
