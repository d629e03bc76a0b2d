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

from cobalt_setup.i18n import _

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
            # Translators: a reason put inside a sentence (after "192.168.1.1: "),
            # lower case
            raise UnsafeRouterReply(_(
                "the router's description points to {url}, another host than the router at "
                "{host}").format(url=http_request.url, host=self.host))
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
                    raise UnsafeRouterReply(self._redirect_words(response))
                if response.headers.get("Content-Encoding", "identity") != "identity":
                    # Translators: a reason put inside a sentence, lower case
                    raise UnsafeRouterReply(_(
                        "the router at {host} sent a compressed answer, which is refused"
                    ).format(host=self.host))
                body = await self._read_capped(response)
                charset = response.charset or "utf-8"
                return HttpResponse(response.status, dict(response.headers),
                                    body.decode(charset, errors="replace"))
        except UnsafeRouterReply:
            raise  # it is an aiohttp.ClientError too: keep its words
        except (asyncio.TimeoutError, TimeoutError) as problem:
            # Translators: a reason put inside a sentence, lower case
            words = _("the router at {host} did not answer within {timeout} s").format(
                host=self.host, timeout=f"{timeout:g}")
            raise UpnpConnectionTimeoutError(words) from problem
        except aiohttp.ClientConnectionError as problem:
            # Translators: a reason put in brackets inside a sentence, lower case;
            # {problem} is a technical message in English from the HTTP library
            words = _("could not talk to {host}: {problem}").format(host=self.host,
                                                                    problem=problem)
            raise UpnpConnectionError(words) from problem
        except (aiohttp.ClientError, LookupError) as problem:  # LookupError: unknown charset
            # Translators: a reason put in brackets inside a sentence, lower case;
            # {problem} is a technical message in English from the HTTP library
            words = _("bad answer from {host}: {problem}").format(host=self.host,
                                                                  problem=problem)
            raise UpnpCommunicationError(words) from problem

    def _redirect_words(self, response: aiohttp.ClientResponse) -> str:
        location = response.headers.get("Location")
        if location is None:
            # Translators: a reason put inside a sentence, lower case; "(nowhere)": the
            # redirect names no address
            return _("the router at {host} answered with a redirect to (nowhere); redirects "
                     "are not followed").format(host=self.host)
        # Translators: a reason put inside a sentence, lower case
        return _("the router at {host} answered with a redirect to {location}; redirects "
                 "are not followed").format(host=self.host, location=location)

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            # Translators: a reason put inside a sentence, lower case
            raise UnsafeRouterReply(_(
                "the router at {host} announced {size} bytes; more than {limit} KiB is refused"
            ).format(host=self.host, size=declared, limit=self.max_bytes // 1024))
        parts: list[bytes] = []
        size = 0
        while chunk := await response.content.read(CHUNK_BYTES):
            size += len(chunk)
            if size > self.max_bytes:
                # Translators: a reason put inside a sentence, lower case
                raise UnsafeRouterReply(_(
                    "the router at {host} sent more than {limit} KiB; the rest was not read"
                ).format(host=self.host, limit=self.max_bytes // 1024))
            parts.append(chunk)
        return b"".join(parts)

