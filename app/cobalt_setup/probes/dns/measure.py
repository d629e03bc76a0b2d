"""Measuring DNS resolvers: the candidates, the plan, and what each one answered (the
evidence the ranking judges). Every query has its own timeout, under one overall deadline;
a random name that cannot exist tells an honest resolver (NXDOMAIN) from one that hijacks
failed look-ups; the first look-up of each name (cold) is kept apart from repeats (warm)."""

from __future__ import annotations

import math
import secrets
import socket
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.inet
import dns.message
import dns.rcode
import dns.rdatatype

from cobalt_setup.addresses import Endpoint
from cobalt_setup.probes.dns.terms import DEFAULT_DEADLINE_S, DEFAULT_QUERY_TIMEOUT_S, Source

DNS_PORT = 53
GIVE_UP_AFTER_FAILURES = 3  # in a row, before any answer: the server is dead


@dataclass(frozen=True)
class ResolverCandidate:
    endpoint: Endpoint
    source: Source
    provider: str  # "Google Public DNS", "your system resolver", ... (in the user's language)

    @property
    def address(self) -> str:
        return str(self.endpoint)

    @property
    def host(self) -> str:
        return self.endpoint.host

    @property
    def port(self) -> int:
        return self.endpoint.port or DNS_PORT




@dataclass(frozen=True)
class BenchmarkPlan:
    """What to ask each resolver, and how long the whole benchmark may take."""

    names: tuple[str, ...]  # the host names Open Cobalt needs (directory, chat, web)
    nx_parent: str  # random labels under this name must not exist
    dispatcher_browse: str | None = None  # "_cobalt-dispatcher._tcp.example.org"
    warm_repeats: int = 2
    query_timeout: float = DEFAULT_QUERY_TIMEOUT_S
    deadline: float = DEFAULT_DEADLINE_S


@dataclass
class ResolverStats:
    """Everything measured for one candidate; filled in while the benchmark runs."""

    candidate: ResolverCandidate
    sent: int = 0
    answered: int = 0
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    # Queries that got no DNS answer, by why: "timeout" (silent), "port_closed" (ICMP port
    # unreachable: nothing listens), "not_dns" (something answered, but not DNS), or
    # "unreachable" (this computer could not send it; the error is in `network_error`).
    failures: Counter[str] = field(default_factory=Counter)
    network_error: str = ""
    # Answers with an error code (REFUSED, SERVFAIL, NOTIMP, FORMERR, ...): the server
    # answered, so these are not lost packets. `error_names` says which name got which code.
    rcode_errors: Counter[str] = field(default_factory=Counter)
    error_names: dict[str, str] = field(default_factory=dict)
    hijack_answer: str | None = None  # what it said for a name that cannot exist
    nx_checked: bool = False
    finds_dispatcher: bool | None = None
    finished: bool = False

    @property
    def responded(self) -> int:
        """Queries that got a DNS answer of any kind, an error code included."""
        return self.answered + sum(self.rcode_errors.values())

    @property
    def samples_ms(self) -> list[float]:
        return self.warm_ms or self.cold_ms

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.samples_ms) if self.samples_ms else None

    @property
    def p90_ms(self) -> float | None:
        samples = sorted(self.samples_ms)
        if not samples:
            return None
        return samples[min(len(samples) - 1, math.ceil(0.9 * len(samples)) - 1)]

    @property
    def cold_median_ms(self) -> float | None:
        return statistics.median(self.cold_ms) if self.cold_ms else None


def _query(name: str, rdtype: dns.rdatatype.RdataType) -> dns.message.QueryMessage:
    return dns.message.make_query(name, rdtype)


async def _udp(query: dns.message.Message, host: str, port: int,
               timeout: float) -> dns.message.Message:
    """One query from a connected socket: an ICMP "port unreachable" then comes back as
    ConnectionRefusedError at once (nothing listens), which an unconnected socket, as
    dnspython opens by default, never sees: the query would only time out."""
    backend = dns.asyncbackend.get_default_backend()
    family = dns.inet.af_for_address(host)
    async with await backend.make_socket(family, socket.SOCK_DGRAM, 0, None,
                                         (host, port)) as sock:
        return await dns.asyncquery.udp(query, host, timeout=timeout, port=port,
                                        ignore_unexpected=True, sock=sock)


async def _ask(stats: ResolverStats, name: str, rdtype: dns.rdatatype.RdataType,
               timeout: float) -> tuple[dns.message.Message | None, float]:
    """One query; counts it. Returns the answer (None on failure) and its time in ms."""
    stats.sent += 1
    started = time.perf_counter()
    try:
        response = await _udp(_query(name, rdtype), stats.candidate.host,
                              stats.candidate.port, timeout)
    except dns.exception.Timeout:
        stats.failures["timeout"] += 1
        return None, 0.0
    except ConnectionRefusedError:  # ICMP port unreachable came back
        stats.failures["port_closed"] += 1
        return None, 0.0
    except dns.exception.DNSException:  # an answer dnspython cannot read as DNS
        stats.failures["not_dns"] += 1
        return None, 0.0
    except OSError as error:
        stats.failures["unreachable"] += 1
        stats.network_error = error.strerror or str(error)
        return None, 0.0
    elapsed_ms = (time.perf_counter() - started) * 1000
    rcode = response.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        code = dns.rcode.to_text(rcode)
        stats.rcode_errors[code] += 1
        stats.error_names.setdefault(name, code)
        return None, elapsed_ms
    stats.answered += 1
    return response, elapsed_ms


async def measure_resolver(stats: ResolverStats, plan: BenchmarkPlan, deadline: float,
                   on_progress: Callable[[ResolverStats], None] | None) -> None:
    """Ask one resolver everything in the plan, one query at a time."""

    def timeout() -> float:
        return max(0.01, min(plan.query_timeout, deadline - time.monotonic()))

    def report() -> None:
        if on_progress is not None:
            on_progress(stats)

    def dead() -> bool:  # an answer with an error code is an answer: keep asking
        return stats.responded == 0 and stats.sent >= GIVE_UP_AFTER_FAILURES

    try:
        nx_name = f"{secrets.token_hex(8)}.{plan.nx_parent}"
        response, ms = await _ask(stats, nx_name, dns.rdatatype.A, timeout())
        if response is not None:
            stats.cold_ms.append(ms)
            stats.nx_checked = True
            if response.rcode() == dns.rcode.NOERROR and response.answer:
                stats.hijack_answer = response.answer[0][0].to_text()
        report()
        if plan.dispatcher_browse:
            response, ms = await _ask(stats, plan.dispatcher_browse, dns.rdatatype.PTR, timeout())
            if response is not None:
                stats.cold_ms.append(ms)
                stats.finds_dispatcher = any(
                    rrset.rdtype == dns.rdatatype.PTR for rrset in response.answer)
            report()
        for name in plan.names:  # cold: the first time this resolver hears the name
            if dead():
                break
            response, ms = await _ask(stats, name, dns.rdatatype.A, timeout())
            if response is not None:
                stats.cold_ms.append(ms)
            report()
        for _repeat in range(plan.warm_repeats):  # warm: answered from its cache
            for name in plan.names:
                if dead():
                    break
                response, ms = await _ask(stats, name, dns.rdatatype.A, timeout())
                if response is not None:
                    stats.warm_ms.append(ms)
                report()
    finally:
        stats.finished = True
        report()
