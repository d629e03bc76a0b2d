"""The chat check itself: both connections at once, each within the timeout, then the
verdict."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from cobalt_setup.i18n import _
from cobalt_setup.probes.tcp import format_target, run_exchange
from cobalt_setup.probes.xmpp.connection import Stream, direct_tls_exchange, plain_exchange
from cobalt_setup.probes.xmpp.stream import (
    DIRECT_TLS_PORT,
    PROBE_ID,
    SERVICE,
    STARTTLS_PORT,
    domain_problem,
)
from cobalt_setup.probes.xmpp.verdict import (
    chat_verdict,
    direct_tls_details,
)
from cobalt_setup.result import ProbeResult, Status


async def probe_xmpp(domain: str, host: str, port: int = STARTTLS_PORT, *, timeout: float,
                     direct_tls_port: int | None = DIRECT_TLS_PORT) -> ProbeResult:
    """Does the chat server at host:port answer clients of `domain`, with STARTTLS, and
    does direct TLS work on `direct_tls_port` (None: not tried)?

    OK: an XMPP server answers for `domain` and offers STARTTLS (and direct TLS works, or
    was not asked for). WARNING: it answers but offers no STARTTLS (passwords would cross
    in clear), or direct TLS does not work (port 5223 is optional, legacy). FAILED: no
    connection, no answer in time, not an XMPP server, or a stream error (host-unknown:
    the server does not serve `domain`).
    """
    started = time.perf_counter()
    target = f"{domain} at {format_target(host, port)}"
    base: dict[str, Any] = {"domain": domain, "host": host, "port": port,
                            "timeout_s": timeout}

    def result(status: Status, summary: str, fix: str, details: dict[str, Any]) -> ProbeResult:
        return ProbeResult(PROBE_ID, SERVICE, target, status, summary, fix,
                           (time.perf_counter() - started) * 1000, {**base, **details})

    problem = domain_problem(domain)
    if problem is not None:
        # Translators: {problem} is why the chat domain cannot be used, e.g. "no chat domain
        # was given".
        return result(Status.FAILED, _("Cannot check chat: {problem}.").format(problem=problem),
                      _("Enter the chat domain: the part after @ in chat addresses."),
                      {"code": "bad_domain",
                       "direct_tls": direct_tls_details(None, None)})

    plain = Stream(host, port, timeout, domain=domain)
    secure = (Stream(host, direct_tls_port, timeout, domain=domain, tls=True)
              if direct_tls_port is not None else None)
    jobs = [asyncio.ensure_future(run_exchange(plain, partial(plain_exchange, plain)))]
    if secure is not None:
        jobs.append(asyncio.ensure_future(
            run_exchange(secure, partial(direct_tls_exchange, secure))))
    try:
        await asyncio.wait(jobs)
    except asyncio.CancelledError:
        for job in jobs:
            job.cancel()
        # Each job drops its socket synchronously when cancelled; this only lets them run.
        await asyncio.wait(jobs)
        raise
    for job in jobs:
        job.result()  # a bug in a job surfaces here rather than vanishing

    verdict = chat_verdict(plain, secure, domain, host, port, direct_tls_port)
    return result(verdict.status, verdict.summary, verdict.fix, verdict.details)
