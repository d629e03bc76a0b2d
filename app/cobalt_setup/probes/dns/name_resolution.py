"""Does a host resolve the same through Open Cobalt's DNS servers as through the system's?

Open Cobalt's chat and Space Directory clients resolve names through the servers chosen on
the DNS page (Google's by default), not through the system's resolver that the browser
uses. An internal name that only the company resolver knows, or a split-horizon name, then
works in the browser and fails in Open Cobalt: users cannot find this by themselves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import dns.exception
import dns.resolver

from cobalt_setup.addresses import Endpoint, InvalidValue, parse_ip
from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import _
from cobalt_setup.probes.dns.service_discovery import make_resolver, resolve_within_lifetime
from cobalt_setup.result import ProbeResult, Status

# What a look-up found instead of addresses (machine-readable, in the details).
NOT_FOUND, NO_ANSWER = "not found", "no answer"


async def _addresses(servers: Sequence[Endpoint], host: str,
                     timeout: float) -> tuple[str, ...] | str:
    """The sorted addresses, or NOT_FOUND / NO_ANSWER."""
    resolver = make_resolver(servers, timeout)

    async def one(rdtype: str) -> list[str] | str:
        try:
            answer = await resolve_within_lifetime(resolver, host, rdtype)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers):
            return NO_ANSWER
        return [rr.address for rr in answer]

    # A and AAAA at once, as a system resolver asks: a silent server costs one timeout.
    answers = await gather_all(one("A"), one("AAAA"))
    if NO_ANSWER in answers:
        return NO_ANSWER
    found = [address for answer in answers for address in answer]
    return tuple(sorted(found)) if found else NOT_FOUND


def _shown(result: tuple[str, ...] | str) -> str:
    return ", ".join(result) if isinstance(result, tuple) else result


async def compare_resolution(service: str, host: str, open_cobalt_servers: Sequence[Endpoint],
                             system_servers: Sequence[Endpoint], *,
                             timeout: float) -> ProbeResult:
    """Resolve `host` both ways and say in words what Open Cobalt will experience."""
    started = time.perf_counter()
    probe_id = f"{service}.resolution"

    def result(status: Status, summary: str, fix: str = "", **details: object) -> ProbeResult:
        return ProbeResult(probe_id, service, host, status, summary, fix,
                           (time.perf_counter() - started) * 1000, dict(details))

    try:
        parse_ip(host)
        return result(Status.OK, _("{host} is an address: no name to look up.").format(
            host=host), addresses=[host])
    except InvalidValue:
        pass
    same = not open_cobalt_servers or set(open_cobalt_servers) == set(system_servers)
    servers = list(open_cobalt_servers) or list(system_servers)
    if not servers:
        return result(Status.FAILED,
                      _("No DNS server is known to look up {host}.").format(host=host),
                      _("Enter DNS servers on the DNS page."), addresses=[])
    if same:
        ours = await _addresses(servers, host, timeout)
        theirs: tuple[str, ...] | str = ours
    else:
        ours, theirs = await gather_all(
            _addresses(servers, host, timeout),
            _addresses(system_servers, host, timeout) if system_servers
            else asyncio.sleep(0, ""),
        )
    if same and isinstance(ours, tuple):
        return result(Status.OK, _("{host} resolves to {addresses} through your system's DNS, "
                                   "like your browser does.").format(
                                       host=host, addresses=_shown(ours)),
                      addresses=list(ours))
    chosen = ", ".join(str(s) for s in servers)
    details = {"open_cobalt": _shown(ours), "system": _shown(theirs) if theirs else "-",
               "open_cobalt_servers": chosen,
               "addresses": list(ours) if isinstance(ours, tuple) else []}
    if isinstance(ours, tuple):
        if not isinstance(theirs, tuple) or set(ours) & set(theirs):
            return result(Status.OK, _("{host} resolves to {addresses} through Open Cobalt's "
                                       "DNS servers.").format(host=host, addresses=_shown(ours)),
                          **details)
        return result(
            Status.WARNING,
            _("{host} resolves differently: {open_cobalt_addresses} through Open Cobalt's DNS "
              "servers ({servers}), {system_addresses} through your system's. Open Cobalt "
              "will connect to {open_cobalt_addresses}.").format(
                  host=host, open_cobalt_addresses=_shown(ours), servers=chosen,
                  system_addresses=_shown(theirs)),
            _("If the system's answer is the right one (an internal or split-horizon name), "
              "choose your system resolver on the DNS page, or enter the server by address."),
            **details)
    if ours == NO_ANSWER:
        return result(Status.FAILED,
                      _("Open Cobalt's DNS servers ({servers}) did not answer when asked for "
                        "{host}.").format(servers=chosen, host=host),
                      _("Check the DNS page: choose resolvers that answer."), **details)
    # Here `ours` is NOT_FOUND: Open Cobalt's servers know no such name.
    if isinstance(theirs, tuple):
        return result(
            Status.FAILED,
            _("{host} resolves through your system's DNS ({system_addresses}) but not through "
              "the DNS servers Open Cobalt uses ({servers}): not found. Your browser finds it, "
              "Open Cobalt will not.").format(host=host, system_addresses=_shown(theirs),
                                              servers=chosen),
            _("Choose your system resolver on the DNS page, or enter the server by address "
              "({address}).").format(address=theirs[0]),
            **details)
    return result(Status.FAILED,
                  _("{host} does not exist in DNS (neither Open Cobalt's DNS servers nor your "
                    "system's know it).").format(host=host),
                  _("Check the spelling of the host name, or enter the server by address."),
                  **details)
