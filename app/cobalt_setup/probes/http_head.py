"""An HTTP request, and the head of its response, through h11 (sans-IO): the web check and
the Xrfb control check send one GET and read only the status line and headers.

h11 parses; the reads stay the probes' own, capped (MAX_HEAD in all) over the TCP kit, so
a peer that is not HTTP at all is still read, named and cut off in time. h11 alone would
wait for a whole head from an SSH server that sent one line; `first_line_problem` looks at
the first line as soon as it is complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import h11

from cobalt_setup import __version__
from cobalt_setup.wording import printable

MAX_HEAD = 64 * 1024  # status line and headers together
MAX_INTERIM = 5  # 1xx responses skipped before the real one
KEPT_HEADERS = ("location", "server", "content-type", "content-length")


@dataclass
class Head:
    version: str  # "1.1"
    code: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)  # KEPT_HEADERS, printable
    interim: list[int] = field(default_factory=list)  # the 1xx codes skipped


class NotAHead(Exception):
    """What came back is not an HTTP response head; the message says why, in English
    (h11's words, or ours). `kind`: invalid, too_big, interim (too many 1xx) or closed."""

    def __init__(self, problem: str, kind: str = "invalid") -> None:
        super().__init__(problem)
        self.kind = kind


class HeadReader:
    """One GET, and the head of the answer as its bytes come in."""

    def __init__(self) -> None:
        self._connection = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self._interim: list[int] = []

    def request(self, host_header: str, target: str = "/") -> bytes:
        """The request's bytes: GET with Host, User-Agent, Accept and Connection: close."""
        headers = [("Host", host_header), ("User-Agent", f"cobalt-network-setup/{__version__}"),
                   ("Accept", "*/*"), ("Connection", "close")]
        return (self._connection.send(h11.Request(method="GET", target=target,
                                                  headers=headers))
                + (self._connection.send(h11.EndOfMessage()) or b""))

    def feed(self, data: bytes) -> Head | None:
        """More of the answer (not b"": the caller tells a close itself); the head once it
        is complete, None while more is needed. Raises NotAHead."""
        self._connection.receive_data(data)
        while True:
            try:
                event = self._connection.next_event()
            except h11.RemoteProtocolError as error:
                if error.error_status_hint == 431:  # h11's max_incomplete_event_size
                    raise NotAHead(f"more than {MAX_HEAD // 1024} KiB of headers",
                                   "too_big") from None
                raise NotAHead(_plain(str(error))) from None
            if event is h11.NEED_DATA:
                return None
            if isinstance(event, h11.InformationalResponse):
                self._interim.append(event.status_code)
                if len(self._interim) > MAX_INTERIM:
                    raise NotAHead(f"more than {MAX_INTERIM} interim (1xx) replies", "interim")
                continue
            if isinstance(event, h11.Response):
                return _head(event, self._interim)
            raise NotAHead("the connection closed before a reply", "closed")


def parse_head(data: bytes) -> Head | None:
    """The head at the start of `data`, the answer to a GET, or None when `data` does not
    hold a complete, valid one."""
    reader = HeadReader()
    reader.request("localhost")
    try:
        return reader.feed(data) if data else None
    except NotAHead:
        return None


def _head(response: h11.Response, interim: list[int]) -> Head:
    headers: dict[str, str] = {}
    for name, value in response.headers:
        key = name.decode("latin-1")
        if key in KEPT_HEADERS and key not in headers:
            headers[key] = printable(value, 200)
    return Head(response.http_version.decode("ascii"), response.status_code,
                printable(response.reason, 80), headers, list(interim))


def _plain(message: str) -> str:
    """h11's message without Python's reprs: illegal header line: 'no colon here'."""
    return re.sub(r"bytearray\(b(['\"])(.*?)\1\)", r"'\2'", message)


def first_line_problem(data: bytes) -> str | None:
    """Why the first line of `data` cannot start an HTTP response, once it is complete
    (None: it can, or it is not complete yet)."""
    end = data.find(b"\n")
    if end < 0:
        return None
    line = data[:end].rstrip(b"\r")
    if line.startswith(b"HTTP/") and len(line.split(b" ", 2)) >= 2:
        return None
    return f"answered {printable(line[:60])!r}, which is not an HTTP status line"
