"""The credit rules of learning, as arithmetic (no Django): how much of the time between two heartbeats
counts as watched, how long a lesson must be watched or read, and the annual requirement.

A heartbeat is what the player reports (its position in the media) and when the *server* received it.
The interval between two accepted heartbeats counts as watched for at most its wall time: a player that
jumps from 0:10 to 9:50 between two heartbeats ten seconds apart gains ten seconds, not 580; a player
that moves backwards, stands still (paused) or reports after a longer silence than ``max_gap`` gains
nothing for that interval, and the new heartbeat starts the next one.
"""

from __future__ import annotations

import dataclasses
import math
from decimal import ROUND_HALF_UP, Decimal


@dataclasses.dataclass(frozen=True)
class Step:
    counted: float  # seconds to add to the watched time
    position: float  # the position to remember (clamped to the media)


def advance(
    *,
    last_at: float | None,
    last_position: float,
    now: float,
    position: float,
    duration: float | None,
    reading: bool,
    max_gap: float,
) -> Step:
    """What one heartbeat at server time ``now`` (seconds) adds. ``last_at`` is the server time of the
    previous accepted heartbeat (None: this one opens the first interval). ``reading``: an article,
    where only the time counts (the page sends heartbeats while it is visible)."""
    if not math.isfinite(position):
        position = last_position
    position = max(0.0, position)
    if duration:
        position = min(position, float(duration))
    if last_at is None:
        return Step(0.0, position)
    wall = now - last_at
    if wall <= 0 or wall > max_gap:
        return Step(0.0, position)
    if reading:
        return Step(wall, position)
    moved = position - last_position
    if moved <= 0:
        return Step(0.0, position)
    return Step(min(moved, wall), position)


def required_seconds(*, duration: int | None, reading: bool, share: Decimal) -> int | None:
    """Watched (or read) seconds a lesson needs: all of an article's minimum reading time, ``share`` of
    a media's duration (rounded up). None: the lesson cannot be completed yet (no media length)."""
    if not duration:
        return None
    if reading:
        return int(duration)
    return max(1, math.ceil(Decimal(duration) * share))


def reading_seconds(text: str, *, chars_per_minute: int, minimum: int) -> int:
    """An article's minimum reading time: its characters at a steady reading pace, at least ``minimum``."""
    chars = sum(1 for c in text if not c.isspace())
    return max(minimum, math.ceil(chars * 60 / chars_per_minute))


def to_credits(hours: Decimal, per_hour: Decimal) -> Decimal:
    """学分 for ``hours`` 学时 at the configured conversion, to the hundredth."""
    return (Decimal(hours) * Decimal(per_hour)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
