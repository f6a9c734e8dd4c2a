"""When a non-urgent message may arrive: inside her local delivery window, spread out."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

SPREAD = timedelta(hours=1)


def spread_offset(key: int, width: timedelta = SPREAD) -> timedelta:
    """A stable offset in [0, width) per person, so the morning queue is not all at 09:00:00."""
    seconds = int(width.total_seconds())
    return timedelta(seconds=(key * 2_654_435_761) % seconds) if seconds > 0 else timedelta(0)


def in_window(moment: datetime, tz: tzinfo, window: tuple[time, time]) -> bool:
    local = moment.astimezone(tz).time()
    return window[0] <= local < window[1]


def next_delivery_time(moment: datetime, tz: tzinfo, window: tuple[time, time], spread_key: int) -> datetime:
    """`moment` itself if it falls inside the window; otherwise the next opening plus her spread."""
    if in_window(moment, tz, window):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.time() < window[0] else local.date() + timedelta(days=1)
    opening = datetime.combine(day, window[0], tzinfo=tz)
    closing = datetime.combine(day, window[1], tzinfo=tz)
    width = min(SPREAD, closing - opening)
    return (opening + spread_offset(spread_key, width)).astimezone(UTC)
