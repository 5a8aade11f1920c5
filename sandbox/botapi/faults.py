"""Fault injection: a Telegram that is slow, refuses, answers with an HTML error page, or
drops the connection, for the tests and benchmarks that need a bad day."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.botapi.common import JsonDict, _ApiError, _Call, _default_description

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Fault:
    """What a flaky Telegram does to one call instead of answering it plainly (see
    ``FakeTelegram.faults``). Fields combine: a delay, then an error or a dropped line."""

    delay: float = 0.0
    """Seconds before anything else happens."""
    error_code: int = 0
    """Answer with this error instead (a 429 carries ``retry_after``)."""
    retry_after: int = 1
    html: bool = False
    """The error body is an HTML page, as Telegram's front end sends for a 502."""
    drop: str = ""
    """"before": the connection closes unanswered and the call is not carried out; "after":
    the call is carried out, then the connection closes before the answer."""


@dataclass
class _Failure:
    error_code: int
    description: str
    parameters: JsonDict | None


class FaultInjection:
    """FakeTelegram's controls for a bad day, and how it misbehaves on cue."""

    # What it uses of FakeTelegram (server.py), which sets them.
    _failures: dict[str, deque[_Failure]]
    _drops: dict[str, int]
    _latency: float
    _methods: dict[str, tuple[str, Any]]

    def _refuse(self, method: str, payload: JsonDict, error: _ApiError) -> web.Response:
        raise NotImplementedError  # FakeTelegram's own

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``error_code``.

        429 answers carry ``parameters.retry_after`` (PTB raises RetryAfter). Injected
        failures are not recorded in ``rejections``.
        """
        parameters: JsonDict | None = None
        if error_code == 429:
            parameters = {"retry_after": retry_after}
            text = description or f"Too Many Requests: retry after {retry_after}"
        else:
            text = description or _default_description(error_code)
        queue = self._failures.setdefault(method.lower(), deque())
        for _ in range(times):
            queue.append(_Failure(error_code, text, parameters))

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls of ``method`` without answering,
        as a network or proxy failure would; the call is not carried out."""
        self._drops[method.lower()] = self._drops.get(method.lower(), 0) + times

    def set_latency(self, seconds: float) -> None:
        """Delay every bot request by ``seconds`` before it is handled."""
        self._latency = max(0.0, seconds)

    async def _faulty(
        self, request: web.Request, name: str, call: _Call, fault: Fault
    ) -> web.Response:
        """Answer one call the way ``fault`` says."""
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop == "before":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=204)  # never arrives
        if fault.error_code:
            if fault.html:
                page = f"<html><body><h1>{fault.error_code} Bad Gateway</h1></body></html>"
                return web.Response(status=fault.error_code, text=page, content_type="text/html")
            parameters = {"retry_after": fault.retry_after} if fault.error_code == 429 else None
            error = _ApiError(
                fault.error_code,
                _default_description(fault.error_code)
                if fault.error_code != 429
                else f"Too Many Requests: retry after {fault.retry_after}",
                record=False,
                parameters=parameters,
            )
            return self._refuse(name, call.params, error)
        entry = self._methods.get(name.lower())
        assert entry is not None
        try:
            await entry[1](call)  # carried out...
        except _ApiError as exc:
            return self._refuse(name, call.params, exc)
        assert request.transport is not None
        request.transport.abort()  # ...but the answer never arrives
        return web.Response(status=204)
