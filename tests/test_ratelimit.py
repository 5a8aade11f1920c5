"""The shared send limit: replies to people go ahead of bulk check-ins, RetryAfter is waited out."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.runtime.ratelimit import Lane, PriorityRateLimiter


class Recorder:
    """Stands in for the HTTP call: records the order in which requests went out."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.changed = asyncio.Event()

    def call(self, name: str) -> Any:
        async def send() -> dict[str, Any]:
            self.order.append(name)
            self.changed.set()
            return {"ok": name}

        return send

    async def wait_for(self, count: int) -> None:
        while len(self.order) < count:
            self.changed.clear()
            await self.changed.wait()


async def submit(limiter: PriorityRateLimiter, recorder: Recorder, name: str, **kw: Any) -> Any:
    data = {} if kw.pop("no_chat", False) else {"chat_id": 1}
    return await limiter.process_request(
        recorder.call(name), (), {}, "sendMessage", data, kw.get("lane")
    )


async def test_a_reply_overtakes_a_queue_of_bulk_sends() -> None:
    limiter = PriorityRateLimiter(max_per_second=50, max_retries=0)
    recorder = Recorder()
    bulk = [
        asyncio.create_task(submit(limiter, recorder, f"bulk{i}", lane=Lane.BULK))
        for i in range(80)
    ]
    await recorder.wait_for(55)  # the first burst is out; the rest queue for slots
    asked_at = len(recorder.order)
    assert await submit(limiter, recorder, "reply") == {"ok": "reply"}
    # With a first-come-first-served queue it would wait behind every bulk send still queued.
    assert recorder.order.index("reply") <= asked_at + 2, recorder.order
    await asyncio.gather(*bulk)
    assert len(recorder.order) == 81
    # Bulk sends still go out in the order they were asked for.
    assert [n for n in recorder.order if n != "reply"] == [f"bulk{i}" for i in range(80)]


async def test_requests_without_a_chat_are_not_counted() -> None:
    limiter = PriorityRateLimiter(max_per_second=1, max_retries=0)
    recorder = Recorder()
    await submit(limiter, recorder, "first")  # uses the one slot this second
    waiting = asyncio.create_task(submit(limiter, recorder, "second"))
    await submit(limiter, recorder, "answer", no_chat=True)  # e.g. answerCallbackQuery
    assert recorder.order == ["first", "answer"]
    waiting.cancel()


async def test_no_limit_when_the_rate_is_zero() -> None:
    limiter = PriorityRateLimiter(max_per_second=0, max_retries=0)
    recorder = Recorder()
    await asyncio.gather(*(submit(limiter, recorder, str(i)) for i in range(500)))
    assert len(recorder.order) == 500


async def test_retry_after_is_waited_out_then_tried_again() -> None:
    limiter = PriorityRateLimiter(max_per_second=30, max_retries=2)
    attempts: list[int] = []

    async def flaky() -> bool:
        attempts.append(len(attempts))
        if len(attempts) < 3:
            raise RetryAfter(timedelta(milliseconds=10))
        return True

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert attempts == [0, 1, 2]


async def test_retry_after_beyond_the_retries_is_raised() -> None:
    limiter = PriorityRateLimiter(max_per_second=30, max_retries=1)

    async def always_busy() -> bool:
        raise RetryAfter(timedelta(milliseconds=10))

    with pytest.raises(RetryAfter):
        await limiter.process_request(always_busy, (), {}, "sendMessage", {"chat_id": 1}, None)


async def test_sends_after_a_pause_keep_the_pace() -> None:
    # Telegram says "retry after 0.3 s" to the first send; the 30 queued behind it must not
    # all go at once when the pause ends, but at the limiter's pace.
    limiter = PriorityRateLimiter(max_per_second=100, max_retries=1)
    loop = asyncio.get_running_loop()
    sent_at: list[float] = []
    refused = [True]

    async def send() -> bool:
        if refused:
            refused.pop()
            raise RetryAfter(timedelta(milliseconds=300))
        sent_at.append(loop.time())
        return True

    async def one(lane: Lane | None) -> Any:
        return await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, lane)

    first = asyncio.create_task(one(None))
    await asyncio.sleep(0.01)  # the pause has begun
    started = loop.time()
    await asyncio.gather(first, *(one(Lane.BULK) for _ in range(150)))
    assert min(sent_at) >= started + 0.25  # nothing went out during the pause
    # 151 sends at 100 a second after the pause: the last can't be within a burst of it.
    assert max(sent_at) - min(sent_at) >= 0.4


async def test_retry_after_for_one_chat_pauses_only_that_chat() -> None:
    limiter = PriorityRateLimiter(max_per_second=0, max_retries=1)
    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}
    refused = [True]

    def send_to(chat: int) -> Any:
        async def send() -> bool:
            if chat == 1 and refused:
                refused.pop()
                raise RetryAfter(timedelta(seconds=1))
            sent[chat] = loop.time()
            return True

        return send

    started = loop.time()
    slowed = asyncio.create_task(
        limiter.process_request(send_to(1), (), {}, "sendMessage", {"chat_id": 1}, None)
    )
    await asyncio.sleep(0.05)  # chat 1 is paused now
    await limiter.process_request(send_to(2), (), {}, "sendMessage", {"chat_id": 2}, None)
    assert 2 in sent and 1 not in sent  # chat 2 went while chat 1 waited
    await slowed
    assert sent[1] - started >= 1


async def test_a_failed_connection_or_a_bad_gateway_is_tried_again() -> None:
    limiter = PriorityRateLimiter(max_per_second=0, max_retries=1, network_backoff=0.01)
    failures = [NetworkError("Bad Gateway"), NetworkError("connection dropped")]
    calls = []

    async def send() -> bool:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return True

    assert await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 3


async def test_a_time_out_is_not_sent_twice_and_failures_are_bounded() -> None:
    limiter = PriorityRateLimiter(max_per_second=0, max_retries=1, network_backoff=0.01)
    calls: list[str] = []

    async def slow() -> bool:
        calls.append("slow")
        raise TimedOut("timed out")

    async def down() -> bool:
        calls.append("down")
        raise NetworkError("Bad Gateway")

    with pytest.raises(TimedOut):
        await limiter.process_request(slow, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert calls == ["slow"]  # it may have arrived: never sent twice
    with pytest.raises(NetworkError):
        await limiter.process_request(down, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert calls.count("down") == 4  # once, then three more tries


async def test_a_request_telegram_refused_is_not_sent_again() -> None:
    limiter = PriorityRateLimiter(max_per_second=0, max_retries=1, network_backoff=0.01)
    calls = []

    async def refused() -> bool:
        calls.append(1)
        raise BadRequest("Bad Request: message can't be edited")

    with pytest.raises(BadRequest):
        await limiter.process_request(refused, (), {}, "editMessageText", {"chat_id": 1}, None)
    assert len(calls) == 1
