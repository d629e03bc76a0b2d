"""One TCP connection, watched: the kit every TCP probe (VNC, Xrfb, XMPP, LDAP, web, TeaTime)
connects, reads and hangs up with, and the evidence of what happened, as a value.

`Exchange` records what one probe connection saw so far (the addresses tried and how each
attempt ended, the bytes the peer sent up to READ_CAP, whether it hung up or reset), and is
read by the verdict also after a timeout, to say where things stopped. `outcome()` turns
that record into an `Outcome`: nothing listens, silent, reset, closed, answered... The
words for people are in `tcp_words`; a verdict chooses its own for what is special to its
service.

The addresses of a name are raced as RFC 8305 ("happy eyeballs") asks: the next address
is tried when the previous one fails or has not connected within HAPPY_EYEBALLS_DELAY.
asyncio's own `happy_eyeballs_delay` and aiohappyeyeballs do this too, but both merge the
addresses' errors into one message ("Multiple exceptions: ..."), and the verdict needs
each: a name whose IPv6 address is unreachable and whose IPv4 address refuses means
"nothing listens", not "could not connect". So the race is written here, in a few lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from cobalt_setup.probes.os_errors import UNREACHABLE
from cobalt_setup.time_limit import within

READ_CAP = 64 * 1024  # the most any probe keeps from one connection
HAPPY_EYEBALLS_DELAY = 0.25  # RFC 8305: start the next address after 250 ms



class Outcome(str, Enum):
    """What happened to one probe connection: the evidence a verdict starts from."""

    UNKNOWN_HOST = "unknown_host"  # the name has no address
    LOOKUP_FAILED = "lookup_failed"  # the name servers did not answer (in time)
    REFUSED = "refused"  # an address refused: nothing listens on the port
    UNREACHABLE = "unreachable"  # no route to the host from here
    CONNECT_TIMEOUT = "connect_timeout"  # no answer to the connection attempt: dropped
    ERROR = "error"  # the system gave another reason
    SILENT = "silent"  # connected; the peer sent nothing in the time
    RESET = "reset"  # connected; the peer reset the connection without sending a byte
    CLOSED = "closed"  # connected; the peer closed the connection without sending a byte
    ANSWERED = "answered"  # connected; the peer sent bytes (the verdict reads them)

    @property
    def connected(self) -> bool:
        return self in (Outcome.SILENT, Outcome.RESET, Outcome.CLOSED, Outcome.ANSWERED)


def format_target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class Exchange:
    """What one probe connection saw so far."""

    host: str
    port: int
    timeout: float
    started: float = field(default_factory=time.perf_counter)
    address: str = ""  # the address connected to (or the last one tried)
    phase: str = "resolve"  # resolve (the name), connect, talk
    connected: bool = False
    tried: list[str] = field(default_factory=list)  # addresses, in the order tried
    failures: dict[str, OSError] = field(default_factory=dict)  # address -> why it failed
    data: bytearray = field(default_factory=bytearray)  # what the peer sent, up to READ_CAP
    eof: bool = False  # the peer closed (or reset) the connection
    reset: bool = False  # ... and it was a reset
    timed_out: bool = False
    error: OSError | None = None  # why the connection could not be made

    @property
    def target(self) -> str:
        return format_target(self.host, self.port)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def base_details(self) -> dict[str, object]:
        details: dict[str, object] = {
            "host": self.host, "port": self.port, "address": self.address,
            "phase": self.phase, "connected": self.connected,
            "received_bytes": len(self.data), "timeout_s": self.timeout,
            "outcome": outcome(self).value}
        if len(self.tried) > 1 or self.failures:
            details["attempts"] = attempt_details(self)
        return details


def attempt_details(exchange: Exchange) -> dict[str, str]:
    """How each address tried ended, in English, for the details."""
    attempts: dict[str, str] = {}
    for address in exchange.tried:
        error = exchange.failures.get(address)
        if address == exchange.address and exchange.connected:
            attempts[address] = "connected"
        elif error is None:
            attempts[address] = "no answer"
        elif isinstance(error, ConnectionRefusedError):
            attempts[address] = "refused"
        else:
            attempts[address] = error.strerror or str(error)
    return attempts


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (an IP literal is returned as it is), without duplicates."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host.split("%", 1)[0])
        return [host]  # no look-up (and no worker thread) for an address
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return addresses


def _interleaved(addresses: list[str]) -> list[str]:
    """IPv6 and IPv4 addresses taking turns, the first family first (RFC 8305, 4)."""
    by_family: dict[bool, list[str]] = {}
    for address in addresses:
        by_family.setdefault(":" in address, []).append(address)
    groups = list(by_family.values())
    mixed: list[str] = []
    for index in range(max(len(group) for group in groups)):
        mixed.extend(group[index] for group in groups if index < len(group))
    return mixed


def _drop(attempt: asyncio.Future[Any]) -> None:
    """An attempt that lost the race: close its connection, if it made one."""
    if attempt.cancelled() or attempt.exception() is not None:
        return
    _reader, writer = attempt.result()
    writer.transport.abort()


def _most_telling(exchange: Exchange) -> OSError:
    for error in exchange.failures.values():
        if isinstance(error, ConnectionRefusedError):
            return error  # a host answered: that says the most
    return next(reversed(exchange.failures.values()))


async def open_stream(exchange: Exchange, addresses: list[str] | None = None, *,
                      limit: int = READ_CAP, tls: ssl.SSLContext | None = None,
                      server_hostname: str | None = None,
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the first address of `exchange.host` that accepts, racing them as RFC
    8305 asks; `addresses` skips the name look-up; `tls` makes each connection a TLS one.
    Raises the most telling error when none accepts (each one is kept in
    exchange.failures); a failed TLS handshake is raised at once, since the host answered.
    Cancelling closes every socket."""
    if addresses is None:
        addresses = await resolve(exchange.host, exchange.port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    exchange.phase = "connect"
    waiting = _interleaved(addresses)
    attempts: dict[asyncio.Future[Any], str] = {}
    winner: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        while winner is None and (waiting or attempts):
            if waiting:
                address = waiting.pop(0)
                exchange.tried.append(address)
                exchange.address = address
                attempt = asyncio.ensure_future(asyncio.open_connection(
                    address, exchange.port, limit=limit, ssl=tls,
                    server_hostname=server_hostname))
                attempts[attempt] = address
            done, _pending = await asyncio.wait(
                attempts, timeout=HAPPY_EYEBALLS_DELAY if waiting else None,
                return_when=asyncio.FIRST_COMPLETED)
            fatal: BaseException | None = None
            for attempt in done:  # every one is looked at, so no exception goes unread
                address = attempts.pop(attempt)
                error = attempt.exception()
                if error is None and winner is None:
                    winner = attempt.result()
                    exchange.address = address
                elif error is None:
                    _drop(attempt)
                elif isinstance(error, OSError) and not isinstance(error, ssl.SSLError):
                    # Kept as evidence, without its traceback (frames a scan need not hold).
                    exchange.failures[address] = error.with_traceback(None)
                else:
                    fatal = fatal or error
            if fatal is not None:
                if winner is not None:
                    winner[1].transport.abort()
                raise fatal
    finally:
        for attempt in attempts:  # still connecting: stop, and close what gets through
            attempt.cancel()
            attempt.add_done_callback(_drop)
    if winner is None:
        raise _most_telling(exchange)
    exchange.connected = True
    exchange.phase = "talk"
    return winner


async def read_some(reader: asyncio.StreamReader, exchange: Exchange, upto: int) -> bool:
    """Read once, keeping at most `upto` bytes in exchange.data; False at end of stream."""
    want = min(upto, READ_CAP) - len(exchange.data)
    if want <= 0:
        return True
    try:
        chunk = await reader.read(want)
    except (ConnectionResetError, BrokenPipeError):
        exchange.reset = True
        chunk = b""
    if not chunk:
        exchange.eof = True
        return False
    exchange.data += chunk
    return True


async def run_exchange(exchange: Exchange, work: Callable[[], Awaitable[None]]) -> None:
    """Run `work()` within exchange.timeout; record a timeout, a connect error or a failed
    TLS handshake (in exchange.error) instead of raising. Cancellation passes through (and
    `work` closes its socket). `work` is called here, so a task cancelled before it ran
    leaves no coroutine that was never awaited."""
    try:
        await within(work(), exchange.timeout)
    except asyncio.TimeoutError:
        exchange.timed_out = True
    except OSError as error:  # ssl.SSLError is one too: a handshake that failed
        if exchange.connected and not isinstance(error, ssl.SSLError):
            exchange.eof = True  # reset after connecting: the peer hung up
            exchange.reset = isinstance(error, ConnectionResetError | BrokenPipeError)
        else:
            exchange.error = error


def close_quietly(writer: asyncio.StreamWriter) -> None:
    """Hang up now: nothing we sent needs to arrive any more, so never wait on the peer."""
    writer.transport.abort()


def outcome(exchange: Exchange) -> Outcome:
    """The evidence, as a value: what happened to the connection, before any words."""
    if exchange.connected:
        if exchange.data:
            return Outcome.ANSWERED
        if exchange.reset:
            return Outcome.RESET
        return Outcome.CLOSED if exchange.eof else Outcome.SILENT
    if any(isinstance(error, ConnectionRefusedError) for error in exchange.failures.values()):
        return Outcome.REFUSED
    error = exchange.error
    if error is None:
        if exchange.phase == "resolve":
            return Outcome.LOOKUP_FAILED if exchange.timed_out else Outcome.ERROR
        return Outcome.CONNECT_TIMEOUT if exchange.timed_out else Outcome.ERROR
    if isinstance(error, socket.gaierror):
        return Outcome.LOOKUP_FAILED if error.errno == socket.EAI_AGAIN else Outcome.UNKNOWN_HOST
    if isinstance(error, TimeoutError):
        return Outcome.CONNECT_TIMEOUT  # the system gave up on the attempt first
    if error.errno in UNREACHABLE:
        return Outcome.UNREACHABLE
    return Outcome.ERROR
