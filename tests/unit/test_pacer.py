"""The in-process pacer: the global rate, one message a second to one chat, and a 429's pause."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.delivery.pacer import Pacer, slot_interval
from tests.unit.pace_checks import OrderedClock, assert_paced

START = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def test_slots_are_rounded_up_so_no_second_holds_more_than_the_rate() -> None:
    assert slot_interval(25) == timedelta(milliseconds=40)
    assert slot_interval(30) == timedelta(microseconds=33_334)  # 1/30 s is 33,333.3 µs: 30 fit in a second, not 31
    assert slot_interval(1000) == timedelta(milliseconds=1)


async def test_a_chat_not_ready_waits_without_holding_back_the_others() -> None:
    clock = OrderedClock(START)
    pacer = Pacer(clock, rate_per_second=25)
    first = await pacer.wait_turn(1)
    assert await pacer.chat_ready_at(1) == first + timedelta(seconds=1)
    assert await pacer.chat_ready_at(2) is None
    again, other = await asyncio.gather(pacer.wait_turn(1), pacer.wait_turn(2))
    assert again >= first + timedelta(seconds=1)
    # Chat 2 took the next slot; it was not pushed a second back behind chat 1's wait.
    assert other == first + pacer.interval


async def test_a_pause_holds_everyone_and_is_never_shortened() -> None:
    clock = ManualClock(START)
    pacer = Pacer(clock)
    await pacer.pause(7)
    await pacer.pause(2)
    assert await pacer.wait_turn(5) == START + timedelta(seconds=7)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.sampled_from([1.0, 7.0, 25.0, 30.0, 1000.0]),
    steps=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 1500)), min_size=1, max_size=60),
)
def test_whatever_the_order_no_chat_twice_a_second_and_never_above_the_rate(rate: float, steps: list[tuple[int, int]]) -> None:
    """`steps`: (chat, milliseconds the clock moves first); every turn reserved at once, as many senders do."""

    async def scenario() -> list[tuple[int, datetime]]:
        clock = ManualClock(START)
        pacer = Pacer(clock, rate_per_second=rate)

        async def turn(chat_id: int, after: int) -> tuple[int, datetime]:
            clock.advance(timedelta(milliseconds=after))
            return chat_id, await pacer.wait_turn(chat_id)

        return list(await asyncio.gather(*(turn(chat_id, after) for chat_id, after in steps)))

    assert_paced(asyncio.run(scenario()), rate)
