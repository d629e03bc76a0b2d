"""The web check: does Open Cobalt's version check URL answer?

One plain HTTP/1.1 GET over asyncio streams (https with the system's default TLS checks),
no extra dependency. Only the status line and headers are read (at most 64 KiB in all);
the body is never needed, so a huge or endless page costs nothing. Redirects are reported,
not followed: the wizard talks to exactly the host in the settings.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from cobalt_setup import __version__
from cobalt_setup.probes.result import ProbeResult, Status
from cobalt_setup.probes.wording import seconds

MAX_HEAD = 64 * 1024  # status line and headers together
MAX_INTERIM = 5  # 1xx responses skipped before the real one
DEFAULT_TIMEOUT_S = 3.0
PROBE_ID = "http.version-check"

_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) (\d{3})(?: ([^\r\n]*))?\r?\n\Z")
_KEPT_HEADERS = ("location", "server", "content-type", "content-length")


class NotHttp(Exception):
    """The peer answered, but not in HTTP (or hung up without a word)."""

    def __init__(self, problem: str, verdict: str = "it is not a web server") -> None:
        super().__init__(problem)
        self.verdict = verdict


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
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("the address must start with http:// or https://")
    host = parts.hostname or ""
    if not host:
        raise ValueError("the address has no host name")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ValueError("the port in the address is not a number from 1 to 65535") from None
    if port == 0:
        raise ValueError("the port in the address is 0")
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError("the host name is not a valid name") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Url(url, scheme, host, port, path)


def _printable(raw: bytes | str, limit: int = 200) -> str:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    text = "".join(ch if " " <= ch < "\x7f" or ch > "\x9f" else "?" for ch in text.strip())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


@dataclass
class _Exchange:
    """What happened so far; read after a timeout to say where it stopped."""

    url: _Url
    phase: str = "resolve"  # resolve, connect (and TLS handshake), reply, done
    address: str = ""
    connect_ms: float = 0.0
    first_byte_ms: float = 0.0
    received: int = 0
    version: str = ""
    code: int = 0
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    interim: list[int] = field(default_factory=list)


async def _read_line(reader: asyncio.StreamReader, exchange: _Exchange) -> bytes:
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as short:
        exchange.received += len(short.partial)
        if exchange.received == 0:
            raise NotHttp("closed the connection without answering",
                          "it is not a web server, or it expects https://") from None
        raise NotHttp("closed the connection in the middle of its reply") from None
    except asyncio.LimitOverrunError:
        raise NotHttp("sent a line longer than 64 KiB, which is not an HTTP reply") from None
    exchange.received += len(line)
    if exchange.received > MAX_HEAD:
        raise NotHttp("sent more than 64 KiB of headers")
    return line


async def _read_head(reader: asyncio.StreamReader, exchange: _Exchange,
                     started: float) -> None:
    for _ in range(MAX_INTERIM + 1):
        line = await _read_line(reader, exchange)
        if not exchange.first_byte_ms:
            exchange.first_byte_ms = (time.perf_counter() - started) * 1000
        match = _STATUS_LINE.match(line)
        if match is None:
            raise NotHttp(f"answered {_printable(line[:60])!r}, which is not an HTTP "
                          "status line")
        headers: dict[str, str] = {}
        while True:
            header = await _read_line(reader, exchange)
            if header in (b"\r\n", b"\n"):
                break
            if header[:1] in (b" ", b"\t"):
                continue  # an obsolete folded continuation line
            name, colon, value = header.partition(b":")
            if not colon:
                raise NotHttp("sent a header line without a colon")
            key = name.strip().decode("latin-1").lower()
            if key in _KEPT_HEADERS and key not in headers:
                headers[key] = _printable(value)
        code = int(match.group(3))
        if 100 <= code < 200:
            exchange.interim.append(code)
            continue
        exchange.version = f"{match.group(1).decode()}.{match.group(2).decode()}"
        exchange.code = code
        exchange.reason = _printable(match.group(4) or b"", 80)
        exchange.headers = headers
        return
    raise NotHttp(f"sent more than {MAX_INTERIM} interim (1xx) replies")


async def _exchange(exchange: _Exchange, started: float) -> None:
    url = exchange.url
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(url.host, url.port, type=socket.SOCK_STREAM)
    if not infos:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    context = ssl.create_default_context() if url.scheme == "https" else None
    writer: asyncio.StreamWriter | None = None
    try:
        last_error: OSError | None = None
        for info in infos:
            exchange.phase = "connect"
            exchange.address = str(info[4][0])
            try:
                reader, writer = await asyncio.open_connection(
                    exchange.address, url.port, ssl=context,
                    server_hostname=url.host if context else None, limit=MAX_HEAD)
                break
            except OSError as error:
                if isinstance(error, TimeoutError | ssl.SSLError):
                    raise
                last_error = error  # refused or unreachable: try the next address
        else:
            assert last_error is not None
            raise last_error
        exchange.connect_ms = (time.perf_counter() - started) * 1000
        exchange.phase = "reply"
        request = (f"GET {url.path} HTTP/1.1\r\nHost: {url.host_header}\r\n"
                   f"User-Agent: cobalt-network-setup/{__version__}\r\n"
                   "Accept: */*\r\nConnection: close\r\n\r\n")
        writer.write(request.encode("ascii"))
        await writer.drain()
        await _read_head(reader, exchange, started)
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
        return _result(exchange, Status.OK, f"{host} answers the version check ({said}).", "",
                       started)
    if 300 <= code < 400:
        location = exchange.headers.get("location", "")
        if location:
            summary = f"The version check address redirects to {location} ({said})."
        else:
            summary = f"{host} answers the version check with a redirect ({said})."
        extra: dict[str, object] = {"location": location}
        if code in (301, 308):
            extra["hint"] = ("The page has moved for good: you may put the new address in "
                             "the version check setting.")
        return _result(exchange, Status.OK, summary, "", started, **extra)
    fix = ("Check the version check address in the settings (the default is "
           "http://www.opencobalt.net/). Open Cobalt works without it, but will not learn "
           "about new versions.")
    if code in (404, 410):
        summary = f"{host} answers, but the version check page is missing ({said})."
    elif code < 500:
        summary = f"{host} answers, but refuses the version check page ({said})."
    else:
        summary = f"{host} answers, but has a problem serving the version check page ({said})."
        fix = ("The web server has a problem of its own: try again later, or tell its "
               "administrator. " + fix)
    return _result(exchange, Status.WARNING, summary, fix, started)

async def probe_version_check(url: str, timeout: float = DEFAULT_TIMEOUT_S) -> ProbeResult:
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
                           f"The version check address {url!r} is not usable: {problem}.",
                           fix="Enter a web address such as http://www.opencobalt.net/.",
                           elapsed_ms=(time.perf_counter() - started) * 1000,
                           details={"url": url, "error": str(problem)})
    exchange = _Exchange(parsed)
    host, port = parsed.host, parsed.port
    where = f"{host} port {port}"
    try:
        await asyncio.wait_for(_exchange(exchange, started), timeout)
    except (asyncio.TimeoutError, TimeoutError):
        waited = seconds(timeout)
        if exchange.phase == "resolve":
            return _result(exchange, Status.FAILED,
                           f"Looking up {host} took longer than {waited}.",
                           "Check this computer's DNS settings (the DNS page of this wizard).",
                           started, error="timeout")
        if exchange.phase == "connect":
            return _result(exchange, Status.FAILED,
                           f"No answer from {where} within {waited}: a firewall may be "
                           "dropping the connection, or the server is down.",
                           f"Check that this computer may make outgoing connections to TCP "
                           f"port {port} (firewall, proxy) and that the server is up.",
                           started, error="timeout")
        return _result(exchange, Status.FAILED,
                       f"{where} accepted the connection but sent no complete HTTP reply "
                       f"within {waited}.",
                       "The server is not working properly, or this port is not a web "
                       "server: check the version check address.", started, error="timeout")
    except socket.gaierror as error:
        return _result(exchange, Status.FAILED,
                       f"The name {host} could not be found in DNS.",
                       "Check the spelling of the version check address, and this computer's "
                       "DNS settings.", started, error=str(error))
    except ConnectionRefusedError as error:
        return _result(exchange, Status.FAILED,
                       f"{where} refused the connection: no web server listens there.",
                       "Check the host and port of the version check address.", started,
                       error=str(error))
    except ssl.SSLCertVerificationError as error:
        return _result(exchange, Status.FAILED,
                       f"{host}'s security certificate is not valid: "
                       f"{_printable(error.verify_message or str(error), 120)}.",
                       "Check the address; if you use a proxy that inspects traffic, its "
                       "certificate must be trusted by this computer.", started,
                       error=str(error))
    except ssl.SSLError as error:
        return _result(exchange, Status.FAILED,
                       f"The secure (TLS) connection to {where} failed.",
                       "Check that the address should start with https:// (or http://).",
                       started, error=str(error))
    except NotHttp as problem:
        return _result(exchange, Status.FAILED,
                       f"{where} {problem}: {problem.verdict}.",
                       "Check the port of the version check address (web servers use 80 for "
                       "http and 443 for https).", started, error=str(problem))
    except OSError as error:
        return _result(exchange, Status.FAILED,
                       f"Could not reach {where}: {error.strerror or error}.",
                       "Check this computer's network connection, firewall and proxy.",
                       started, error=str(error))
    return _verdict(exchange, started)
