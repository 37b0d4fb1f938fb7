"""The bot's count of its own REST requests against Discord's global limit."""
from __future__ import annotations

import asyncio

from bot.adapters.discord.pacing import GLOBAL_PER_SECOND, RestPace, count_requests


def test_requests_count_for_one_second_then_drop_out():
    now = [100.0]
    pace = RestPace(clock=lambda: now[0])
    for _ in range(GLOBAL_PER_SECOND // 2 - 1):
        pace.note()
    assert pace.recent() == GLOBAL_PER_SECOND // 2 - 1 and not pace.low()
    pace.note()
    assert pace.low()  # half the global bucket spent in the last second
    now[0] += 0.5
    assert pace.low()
    now[0] += 0.6  # more than a second after them: they no longer count
    assert pace.recent() == 0 and not pace.low()


def test_a_global_rate_limit_in_force_counts_as_low():
    class Http:
        _global_over = asyncio.Event()

    pace = RestPace(clock=lambda: 0.0)
    assert pace.low(Http())  # discord.py clears the event while the bot is globally limited
    Http._global_over.set()
    assert not pace.low(Http())


def test_every_request_through_the_client_is_counted():
    sent = []

    class Http:
        async def request(self, route, **kw):
            sent.append(route)
            return "ok"

    http, pace = Http(), RestPace(clock=lambda: 0.0)
    count_requests(http, pace)
    assert asyncio.run(http.request("r1", json={})) == "ok"
    asyncio.run(http.request("r2"))
    assert sent == ["r1", "r2"] and pace.recent() == 2
