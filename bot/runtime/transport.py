"""The Bot API transport: python-telegram-bot's BaseRequest on aiohttp, or PTB's own on httpx.

PTB sends every Bot API call through a ``BaseRequest``; its own is built on httpx, which
costs about 0.65 ms of CPU a request (bench/README.md). ``AiohttpRequest`` does the same job
on aiohttp for a fraction of that. Hazards it handles, each found by measurement:

* Every request gets its own ``ClientTimeout``: the session's default is 300 s in all.
  PTB's read timeout is aiohttp's ``sock_read``; its connect and pool timeouts add up to
  aiohttp's ``connect``, whose timer also covers waiting for a pooled connection.
  aiohttp has no write timeout, so a POST is also capped in all by the sum of the four.
* aiohttp's timeout errors are OSErrors too: they are caught first, as ``TimedOut``.
* Error texts are rebuilt without the URL, which holds the bot token; other errors are named
  but not quoted (aiohttp's own text can quote a whole upload).
* Parameters go as one JSON object (``json_parameters`` would encode nested values twice);
  uploads go as multipart form data, with file handles read here (aiohttp would close them,
  and a retried upload must send them again).
* ``trust_env`` stays off: aiohttp would then look the proxy up in a thread on every request.
  ``environment_proxy`` reads the environment once instead.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import urllib.request
from dataclasses import dataclass
from http import HTTPStatus
from typing import IO, Any, Literal, cast
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from yarl import URL

log = logging.getLogger(__name__)

Transport = Literal["aiohttp", "httpx"]

# What python-telegram-bot's HTTPXRequest uses when not told otherwise.
DEFAULT_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 1.0
DEFAULT_MEDIA_WRITE_TIMEOUT = 20.0
# httpx checks every pooled connection on each request, so a bigger pool costs it CPU.
HTTPX_POOL_SIZE = 8


class AiohttpRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` on an aiohttp ``ClientSession``."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        media_write_timeout: float | None = DEFAULT_MEDIA_WRITE_TIMEOUT,
        proxy: str | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds getUpdates' poll timeout to it."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown); it must be made inside the running loop."""
        if self._session is not None and not self._session.closed:
            return
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size),
            headers={"User-Agent": self.USER_AGENT},
            proxy=self._proxy,
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def shutdown(self) -> None:
        """Close the session and its connections; initialize() opens a new one."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; answer its status and body, or raise TimedOut or NetworkError."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if uploads else self._write_timeout
        timeout = _client_timeout(
            self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout,
            write_timeout,
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout,
            bounded=method == "POST",
        )
        body: aiohttp.FormData | None = None
        json_body: object = None
        if request_data is not None:
            if uploads:
                body = _form(request_data)
            else:
                json_body = request_data.parameters
        try:
            async with session.request(
                method, url, json=json_body, data=body, timeout=timeout
            ) as response:
                return response.status, await response.read()
        # Before OSError and ClientError: aiohttp's timeouts are both.
        except TimeoutError as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise TimedOut(
                    "Timed out waiting for a free connection or connecting to the Bot API; "
                    "the request was not sent"
                ) from None
            raise TimedOut from None
        except (aiohttp.ClientError, OSError) as exc:
            # from None: aiohttp's own text may hold the URL, and with it the token.
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {_without(url, exc)}") from None
        except Exception as exc:
            # Anything else is named, never quoted: its text could hold what people wrote.
            raise NetworkError(f"aiohttp: unexpected {type(exc).__name__}") from None


@functools.lru_cache(maxsize=64)
def _client_timeout(
    read: float | None,
    write: float | None,
    connect: float | None,
    pool: float | None,
    *,
    bounded: bool,
) -> aiohttp.ClientTimeout:
    """PTB's four timeouts as aiohttp's; few distinct values, so each is made once.

    ``bounded`` (a POST) caps the whole request, aiohttp having no write timeout; a GET
    (a file download) may take as long as its data keeps coming."""
    waiting = None if connect is None or pool is None else connect + pool
    total = None
    if bounded and None not in (read, write, waiting):
        total = cast(float, read) + cast(float, write) + cast(float, waiting)
    return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)


def _form(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        # A stream, not bytes: aiohttp warns about (and the tests fail on) bytes over 1 MB.
        stream = io.BytesIO(_bytes_of(content))
        form.add_field(name, stream, filename=filename, content_type=mimetype)
    return form


def _bytes_of(content: bytes | IO[bytes]) -> bytes:
    if isinstance(content, bytes):
        return content
    if content.seekable():
        content.seek(0)
    return content.read()


def _without(url: str, exc: BaseException) -> str:
    """The error's text with the request's URL (which holds the token) cut to its method."""
    text = str(exc)
    method = url.rsplit("/", 1)[-1]
    for form in {url, str(URL(url))}:
        text = text.replace(form, f"<Bot API>/{method}")
    return text


@dataclass(frozen=True)
class Requests:
    """The two request objects the Application uses: one for getUpdates, one for the rest."""

    calls: BaseRequest
    get_updates: BaseRequest


def build_requests(
    transport: Transport,
    *,
    base_url: str,
    proxy: str | None,
    connection_pool_size: int,
    pool_timeout: float,
) -> Requests:
    """The request objects for ``ApplicationBuilder().request()`` and ``.get_updates_request()``.

    getUpdates gets its own pool of one connection, so a long poll never holds a slot that a
    reply needs; the timeouts are PTB's defaults, as the builder would make them.
    """
    calls: BaseRequest
    get_updates: BaseRequest
    if transport == "httpx":
        # httpx reads HTTPS_PROXY and friends itself when no proxy is given.
        calls = HTTPXRequest(
            connection_pool_size=min(connection_pool_size, HTTPX_POOL_SIZE),
            pool_timeout=pool_timeout,
            proxy=proxy,
        )
        get_updates = HTTPXRequest(connection_pool_size=1, proxy=proxy)
    else:
        proxy = proxy or environment_proxy(base_url)
        if proxy is not None and urlsplit(proxy).scheme not in ("http", "https"):
            # As httpx refuses one at build time: an environment proxy that can't be used.
            raise ValueError(f"unsupported proxy scheme {urlsplit(proxy).scheme!r}")
        calls = AiohttpRequest(
            connection_pool_size=connection_pool_size, pool_timeout=pool_timeout, proxy=proxy
        )
        get_updates = AiohttpRequest(connection_pool_size=1, proxy=proxy)
    return Requests(calls=ReadableErrors(calls), get_updates=ReadableErrors(get_updates))


def environment_proxy(url: str) -> str | None:
    """The proxy that HTTPS_PROXY / HTTP_PROXY / ALL_PROXY name for ``url``, unless NO_PROXY
    excludes its host; read once, as httpx would. Never for this machine (a Bot API server of
    one's own, or `glimmers-bot try`'s stand-in): a proxy elsewhere can't reach it."""
    parts = urlsplit(url)
    if parts.hostname in ("localhost", "::1") or (parts.hostname or "").startswith("127."):
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if not proxy or bypass(parts.hostname or ""):
        return None
    return proxy


def describe(transport: Transport, proxy: str | None) -> str:
    """For the start-up log line: the transport and the proxy's address, never its password."""
    if not proxy:
        return transport
    parts = urlsplit(proxy)
    port = f":{parts.port}" if parts.port else ""
    return f"{transport} via proxy {parts.scheme}://{parts.hostname}{port}"


class Wrapped(BaseRequest):
    """Another request object, with something done around each call (subclasses say what)."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def inner(self) -> BaseRequest:
        """The request object underneath."""
        return self._inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return await self._inner.do_request(*args, **kwargs)


class ReadableErrors(Wrapped):
    """An error page in place of the Bot API's JSON (Telegram's front end answers a 502 with
    HTML) becomes the JSON error PTB expects. PTB then raises the same NetworkError, but
    without first logging a traceback for a body it couldn't read: network trouble is one
    WARNING line (the rate limiter's), and a traceback in the log stays the sign of a bug."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await super().do_request(*args, **kwargs)
        if status >= 400 and not body.lstrip().startswith(b"{"):
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = f"HTTP error {status}"
            error = {"ok": False, "error_code": status, "description": f"{reason} ({status})"}
            body = json.dumps(error).encode()
        return status, body
