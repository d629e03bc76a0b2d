"""HTTP to the router for async-upnp-client, with the defences a hostile LAN calls for.

async-upnp-client's own AiohttpRequester follows redirects, reads bodies of any size and
talks to whatever host a document names. Any device on the LAN can answer an M-SEARCH, so
this requester (DESIGN.md section 4) talks only to the one host that answered, never
follows a redirect, refuses compressed bodies, caps every body and every request's time.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp
from async_upnp_client.client import UpnpRequester
from async_upnp_client.const import HttpRequest, HttpResponse
from async_upnp_client.exceptions import (
    UpnpCommunicationError,
    UpnpConnectionError,
    UpnpConnectionTimeoutError,
)

MAX_BODY_BYTES = 256 * 1024  # real IGD descriptions and SCPDs are 2-20 KiB
CHUNK_BYTES = 16 * 1024


class UnsafeRouterReply(UpnpCommunicationError):
    """The router (or something pretending to be it) sent what we refuse to follow."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


class RouterRequester(UpnpRequester):
    """HTTP requests to one router host only, bounded in size and time."""

    def __init__(self, host: str, timeout: float, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.host = host
        self.timeout = timeout
        self.max_bytes = max_bytes

    async def async_http_request(self, http_request: HttpRequest) -> HttpResponse:
        url = urlsplit(http_request.url)
        if url.scheme != "http" or url.hostname != self.host:
            raise UnsafeRouterReply(
                f"the router's description points to {http_request.url}, another host than "
                f"the router at {self.host}")
        timeout = http_request.timeout if http_request.timeout is not None else self.timeout
        headers = {**(http_request.headers or {}), "Accept-Encoding": "identity"}
        try:
            async with aiohttp.ClientSession(
                    auto_decompress=False, timeout=aiohttp.ClientTimeout(total=timeout),
            ) as session, session.request(
                http_request.method, http_request.url, headers=headers,
                data=http_request.body, allow_redirects=False,
            ) as response:
                if 300 <= response.status < 400:
                    raise UnsafeRouterReply(
                        f"the router at {self.host} answered with a redirect to "
                        f"{response.headers.get('Location', '(nowhere)')}; redirects are "
                        "not followed")
                if response.headers.get("Content-Encoding", "identity") != "identity":
                    raise UnsafeRouterReply(
                        f"the router at {self.host} sent a compressed answer, which is "
                        "refused")
                body = await self._read_capped(response)
                charset = response.charset or "utf-8"
                return HttpResponse(response.status, dict(response.headers),
                                    body.decode(charset, errors="replace"))
        except UnsafeRouterReply:
            raise  # it is an aiohttp.ClientError too: keep its words
        except (asyncio.TimeoutError, TimeoutError) as problem:
            raise UpnpConnectionTimeoutError(
                f"the router at {self.host} did not answer within {timeout:g} s") from problem
        except aiohttp.ClientConnectionError as problem:
            raise UpnpConnectionError(f"could not talk to {self.host}: {problem}") from problem
        except aiohttp.ClientError as problem:
            raise UpnpCommunicationError(f"bad answer from {self.host}: {problem}") from problem
        except LookupError as problem:  # an unknown charset
            raise UpnpCommunicationError(f"bad answer from {self.host}: {problem}") from problem

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise UnsafeRouterReply(
                f"the router at {self.host} announced {declared} bytes; more than "
                f"{self.max_bytes // 1024} KiB is refused")
        parts: list[bytes] = []
        size = 0
        while chunk := await response.content.read(CHUNK_BYTES):
            size += len(chunk)
            if size > self.max_bytes:
                raise UnsafeRouterReply(
                    f"the router at {self.host} sent more than {self.max_bytes // 1024} KiB; "
                    "the rest was not read")
            parts.append(chunk)
        return b"".join(parts)

