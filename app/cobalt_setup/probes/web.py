"""The web check: does Open Cobalt's version check URL answer?

One plain HTTP/1.1 GET over the TCP kit's connection (https with the system's default TLS
checks). Only the status line and headers are read (at most 64 KiB in all);
the body is never needed, so a huge or endless page costs nothing. Redirects are reported,
not followed: the wizard talks to exactly the host in the settings.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from cobalt_setup.i18n import N_, _
from cobalt_setup.probes.http_head import (
    MAX_HEAD,
    MAX_INTERIM,
    HeadReader,
    NotAHead,
    first_line_problem,
)
from cobalt_setup.probes.tcp import Exchange, open_stream
from cobalt_setup.probes.tcp_words import connect_fix, connect_problem
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.time_limit import within
from cobalt_setup.wording import seconds

PROBE_ID = "http.version-check"



class NotHttp(Exception):
    """The peer answered, but not in HTTP (or hung up without a word).

    The message is the problem in English, kept in the details. `summary` is the finding
    as a text to translate (marked with N_), with {host} and {port} and the `values` to
    fill in; `words()` gives it in the user's language.
    """

    def __init__(self, problem: str, summary: str, **values: object) -> None:
        super().__init__(problem)
        self.summary = summary
        self.values = values

    def words(self, host: str, port: int) -> str:
        return _(self.summary).format(host=host, port=port, **self.values)


@dataclass(frozen=True)
class _Url:
    text: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _parse_url(url: str) -> _Url:
    """The parts of a version check address. Raises ValueError with an English message
    (kept in the details) that is also a text to translate (shown with _())."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        # Translators: why an address is not usable, after "The version check
        # address '...' is not usable: "; lower case.
        raise ValueError(N_("the address must start with http:// or https://"))
    host = parts.hostname or ""
    if not host:
        # Translators: why an address is not usable, after "The version check
        # address '...' is not usable: "; lower case.
        raise ValueError(N_("the address has no host name"))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        # Translators: why an address is not usable, after "The version check
        # address '...' is not usable: "; lower case.
        raise ValueError(N_("the port in the address is not a number from 1 to "
                            "65535")) from None
    if port == 0:
        # Translators: why an address is not usable, after "The version check
        # address '...' is not usable: "; lower case.
        raise ValueError(N_("the port in the address is 0"))
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            # Translators: why an address is not usable, after "The version check
            # address '...' is not usable: "; lower case.
            raise ValueError(N_("the host name is not a valid name")) from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Url(url, scheme, host, port, path)


def _printable(raw: bytes | str, limit: int = 200) -> str:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    text = "".join(ch if " " <= ch < "\x7f" or ch > "\x9f" else "?" for ch in text.strip())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


@dataclass
class _Exchange(Exchange):
    """What happened so far; read after a timeout to say where it stopped. Its phases:
    resolve, connect (and the TLS handshake), reply, done."""

    url: _Url = _Url("", "http", "", 80, "/")
    connect_ms: float = 0.0
    first_byte_ms: float = 0.0
    received: int = 0
    version: str = ""
    code: int = 0
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    interim: list[int] = field(default_factory=list)


async def _read_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     exchange: _Exchange, started: float) -> None:
    """Send the GET, read until the response head is complete (h11 parses it)."""
    url = exchange.url
    head_reader = HeadReader()
    writer.write(head_reader.request(url.host_header, url.path))
    await writer.drain()
    data = b""
    while True:
        room = MAX_HEAD + 1 - len(data)
        if room <= 0:
            raise NotHttp("sent more than 64 KiB of headers",
                          N_("{host} port {port} sent more than 64 KiB of headers: it is not a "
                             "web server."))
        try:
            chunk = await reader.read(min(16 * 1024, room))
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if chunk and not exchange.first_byte_ms:
            exchange.first_byte_ms = (time.perf_counter() - started) * 1000
        data += chunk
        exchange.received = len(data)
        problem = first_line_problem(data)
        if problem is not None:
            answer = repr(_printable(data.split(b"\n", 1)[0][:60]))
            raise NotHttp(problem,
                          # Translators: {answer} is the first line the server sent, quoted.
                          N_("{host} port {port} answered {answer}, which is not an HTTP "
                             "status line: it is not a web server."), answer=answer)
        if not chunk:  # the peer closed before the head was complete
            raise _not_http(NotAHead("closed", "closed"), bool(data))
        try:
            head = head_reader.feed(chunk)
        except NotAHead as error:
            raise _not_http(error, bool(data)) from None
        if head is not None:
            exchange.version, exchange.code = head.version, head.code
            exchange.reason, exchange.headers = head.reason, head.headers
            exchange.interim = head.interim
            return


def _not_http(error: NotAHead, answered: bool) -> NotHttp:
    if error.kind == "closed" and not answered:
        return NotHttp("closed the connection without answering",
                       N_("{host} port {port} closed the connection without answering: it is "
                          "not a web server, or it expects https://."))
    if error.kind == "closed":
        return NotHttp("closed the connection in the middle of its reply",
                       N_("{host} port {port} closed the connection in the middle of its "
                          "reply: it is not a web server."))
    if error.kind == "too_big":
        return NotHttp("sent more than 64 KiB of headers",
                       N_("{host} port {port} sent more than 64 KiB of headers: it is not a "
                          "web server."))
    if error.kind == "interim":
        return NotHttp(f"sent more than {MAX_INTERIM} interim (1xx) replies",
                       N_("{host} port {port} sent more than {count} interim (1xx) replies: it "
                          "is not a web server."), count=MAX_INTERIM)
    return NotHttp(f"sent a reply that is not valid HTTP ({error})",
                   # Translators: {reason} is what is wrong with the reply, in English, as
                   # the HTTP library (h11) says it.
                   N_("{host} port {port} sent a reply that is not valid HTTP ({reason}): it "
                      "is not a web server."), reason=str(error))


async def _exchange(exchange: _Exchange, started: float) -> None:
    url = exchange.url
    context = ssl.create_default_context() if url.scheme == "https" else None
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await open_stream(exchange, limit=MAX_HEAD, tls=context,
                                           server_hostname=url.host if context else None)
        exchange.connect_ms = (time.perf_counter() - started) * 1000
        exchange.phase = "reply"
        await _read_head(reader, writer, exchange, started)
        exchange.phase = "done"
    finally:
        if writer is not None:
            writer.transport.abort()  # the body is not needed; never wait on a slow peer


def _result(exchange: _Exchange, status: Status, summary: str, fix: str, started: float,
            **extra: object) -> ProbeResult:
    url = exchange.url
    details: dict[str, object] = {
        "url": url.text, "scheme": url.scheme, "host": url.host, "port": url.port,
        "phase": exchange.phase, "address": exchange.address,
        "connect_ms": round(exchange.connect_ms, 2),
        "first_byte_ms": round(exchange.first_byte_ms, 2),
    }
    if exchange.code:
        details.update(status_code=exchange.code, reason=exchange.reason,
                       http_version=exchange.version, headers=exchange.headers)
    details.update(extra)
    return ProbeResult(PROBE_ID, "http", url.text, status, summary, fix,
                       (time.perf_counter() - started) * 1000, details)


def _verdict(exchange: _Exchange, started: float) -> ProbeResult:
    host = exchange.url.host
    code = exchange.code
    said = f"HTTP {code} {exchange.reason}".strip()
    if 200 <= code < 300:
        # Translators: {status} is e.g. "HTTP 200 OK".
        return _result(exchange, Status.OK,
                       _("{host} answers the version check ({status}).").format(
                           host=host, status=said), "", started)
    if 300 <= code < 400:
        location = exchange.headers.get("location", "")
        if location:
            # Translators: {location} is a web address; {status} is e.g. "HTTP 301
            # Moved Permanently".
            summary = _("The version check address redirects to {location} ({status}).").format(
                location=location, status=said)
        else:
            # Translators: {status} is e.g. "HTTP 302 Found".
            summary = _("{host} answers the version check with a redirect ({status}).").format(
                host=host, status=said)
        extra: dict[str, object] = {"location": location}
        if code in (301, 308):
            extra["hint"] = ("The page has moved for good: you may put the new address in "
                             "the version check setting.")
        return _result(exchange, Status.OK, summary, "", started, **extra)
    fix = _("Check the version check address in the settings (the default is "
            "http://www.opencobalt.net/). Open Cobalt works without it, but will not learn "
            "about new versions.")
    if code in (404, 410):
        # Translators: {status} is e.g. "HTTP 404 Not Found".
        summary = _("{host} answers, but the version check page is missing ({status}).")
    elif code < 500:
        # Translators: {status} is e.g. "HTTP 403 Forbidden".
        summary = _("{host} answers, but refuses the version check page ({status}).")
    else:
        # Translators: {status} is e.g. "HTTP 500 Internal Server Error".
        summary = _("{host} answers, but has a problem serving the version check page "
                    "({status}).")
        fix = _("The web server has a problem of its own: try again later, or tell its "
                "administrator. Check the version check address in the settings (the "
                "default is http://www.opencobalt.net/). Open Cobalt works without it, but "
                "will not learn about new versions.")
    return _result(exchange, Status.WARNING, summary.format(host=host, status=said), fix,
                   started)

async def probe_version_check(url: str, *, timeout: float) -> ProbeResult:
    """GET the version check URL once and say whether a web server answers it.

    OK: 2xx, or 3xx (the redirect's Location is reported, not followed). WARNING: 4xx or
    5xx (a web server answers but the page is missing or failing). FAILED: the name is
    unknown, the connection is refused or unreachable, nothing answers within `timeout`,
    or the peer does not speak HTTP. The whole check ends within `timeout`.
    """
    started = time.perf_counter()
    try:
        parsed = _parse_url(url)
    except ValueError as problem:
        return ProbeResult(PROBE_ID, "http", url, Status.FAILED,
                           # Translators: {address} is the address as typed, quoted; {reason} says
                           # what is wrong with it, e.g. "the address has no host name".
                           _("The version check address {address} is not usable: "
                             "{reason}.").format(address=repr(url), reason=_(str(problem))),
                           fix=_("Enter a web address such as http://www.opencobalt.net/."),
                           elapsed_ms=(time.perf_counter() - started) * 1000,
                           details={"url": url, "error": str(problem)})
    exchange = _Exchange(parsed.host, parsed.port, timeout, url=parsed)
    host, port = parsed.host, parsed.port
    try:
        await within(_exchange(exchange, started), timeout)
    except (asyncio.TimeoutError, TimeoutError):
        exchange.timed_out = True
        if not exchange.connected:
            return _connect_failure(exchange, started, "timeout")
        return _result(exchange, Status.FAILED,
                       _("{host} port {port} accepted the connection but sent no complete "
                         "HTTP reply within {time}.").format(host=host, port=port,
                                                              time=seconds(timeout)),
                       _("The server is not working properly, or this port is not a web "
                         "server: check the version check address."), started, error="timeout")
    except ssl.SSLCertVerificationError as error:
        return _result(exchange, Status.FAILED,
                       # Translators: {reason} is the TLS library's message, in English.
                       _("{host}'s security certificate is not valid: {reason}.").format(
                           host=host,
                           reason=_printable(error.verify_message or str(error), 120)),
                       _("Check the address; if you use a proxy that inspects traffic, its "
                         "certificate must be trusted by this computer."), started,
                       error=str(error))
    except ssl.SSLError as error:
        return _result(exchange, Status.FAILED,
                       _("The secure (TLS) connection to {host} port {port} failed.").format(
                           host=host, port=port),
                       _("Check that the address should start with https:// (or http://)."),
                       started, error=str(error))
    except NotHttp as problem:
        return _result(exchange, Status.FAILED, problem.words(host, port),
                       _("Check the port of the version check address (web servers use 80 "
                         "for http and 443 for https)."), started, error=str(problem))
    except OSError as error:
        exchange.error = error
        return _connect_failure(exchange, started, str(error))
    return _verdict(exchange, started)


def _connect_failure(exchange: _Exchange, started: float, error: str) -> ProbeResult:
    problem = connect_problem(exchange)
    assert problem is not None  # not connected, and the error (or the timeout) is recorded
    # Translators: what should listen on the port, shown in "Start {listener} on {host},
    # or correct the port number. ..."
    fix = connect_fix(problem.code, exchange, _("the web server"))
    return _result(exchange, Status.FAILED, problem.summary, fix, started, error=error,
                   outcome=problem.code.value)
