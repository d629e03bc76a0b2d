"""What this network allows: the router found, its external address, NAT-PMP, PCP, NAT
warnings.

`find_router` runs the SSDP search, the NAT-PMP and PCP questions and the STUN requests at
once and returns the findings; `router_results` turns them into the probe results the router
page, the Summary and `cobalt-setup router status` show (the STUN verdict is router/edge.py's).
"""

from __future__ import annotations

import asyncio
import ipaddress
import sys
import time
from dataclasses import dataclass, field
from enum import Enum

from cobalt_setup.gathering import gather_all
from cobalt_setup.i18n import N_, _, ngettext
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.router import natpmp, pcp, stun
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.igd import Igd, RouterError
from cobalt_setup.router.lan import LanInterface, default_gateway, interface_for, lan_interfaces
from cobalt_setup.router.ssdp import Discovery, discover_igds
from cobalt_setup.wording import seconds

SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
UPNP_FIX = N_("Switch on UPnP in the router's settings (often under NAT, Advanced or "
              "Sharing), or forward the ports by hand (Manual forwarding).")
REFUSED_FIX = N_("If that device is your router, its UPnP answer is broken or unsafe to use: "
                 "update the router's firmware, or forward the TeaTime ports by hand in its "
                 "settings and choose Manual forwarding.")


class Nat(str, Enum):
    PUBLIC = "public"  # the router holds a public address: forwarding can work
    DOUBLE = "double NAT"  # a private address: another router is in front of this one
    CARRIER = "carrier-grade NAT"  # 100.64/10: the provider shares one public address
    NONE = "no external address"
    UNKNOWN = "unknown"


def classify(address: str | None) -> Nat:
    if address is None:
        return Nat.UNKNOWN
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return Nat.NONE
    if ip.is_unspecified:
        return Nat.NONE
    if ip in SHARED_ADDRESS_SPACE:
        return Nat.CARRIER
    if ip.is_private or ip.is_reserved or ip.is_loopback or ip.is_link_local:
        return Nat.DOUBLE
    return Nat.PUBLIC


@dataclass
class RouterFindings:
    interfaces: list[LanInterface]
    gateway: str | None
    discovery: Discovery = field(default_factory=Discovery)
    upnp_external: str | None = None
    upnp_error: str = ""
    natpmp_external: str | None = None
    natpmp_error: str = ""
    natpmp_ms: float = 0.0
    pcp_epoch: int | None = None  # the gateway's PCP epoch: it answered ANNOUNCE
    pcp_natpmp_only: bool = False  # it answered PCP in NAT-PMP: it speaks only NAT-PMP
    pcp_error: str = ""
    pcp_ms: float = 0.0
    stun: stun.StunFindings | None = None  # None: not asked (no STUN servers given)
    elapsed_ms: float = 0.0

    @property
    def igd(self) -> Igd | None:
        return self.discovery.igd

    @property
    def lan_address(self) -> str | None:
        """This computer's address on the router's network: what ports are mapped to."""
        if self.igd is not None:
            return str(self.igd.info.interface.address)
        if self.gateway:
            interface = interface_for(self.gateway, self.interfaces)
            if interface is not None:
                return str(interface.address)
        return str(self.interfaces[0].address) if self.interfaces else None

    @property
    def external_address(self) -> str | None:
        if self.upnp_external:
            return self.upnp_external
        if self.natpmp_external and self.natpmp_external != "0.0.0.0":
            return self.natpmp_external
        return self.upnp_external if self.upnp_external is not None else self.natpmp_external

    @property
    def nat(self) -> Nat:
        return classify(self.external_address)

    @property
    def can_forward(self) -> bool:
        return (self.igd is not None or self.natpmp_external is not None
                or self.pcp_epoch is not None)


async def _gateway(env: RouterEnvironment) -> str | None:
    if env.gateway is not None:
        return env.gateway or None
    if sys.platform.startswith("linux"):
        return default_gateway()  # reads procfs: quick, and in this thread's namespace
    return await asyncio.to_thread(default_gateway)  # runs `route`


async def _ask_natpmp(findings: RouterFindings, env: RouterEnvironment) -> None:
    if not findings.gateway:
        # Translators: why NAT-PMP was not asked, lower case; may be shown in
        # brackets
        findings.natpmp_error = _("no default gateway to ask")
        return
    started = time.perf_counter()
    try:
        answer = await natpmp.external_address(findings.gateway, port=env.natpmp_port,
                                               timeout=env.timeout)
        findings.natpmp_external = answer.address
    except natpmp.NatPmpError as problem:
        findings.natpmp_error = problem.words
    except (ValueError, OSError) as problem:
        findings.natpmp_error = str(problem)
    findings.natpmp_ms = (time.perf_counter() - started) * 1000


async def _ask_pcp(findings: RouterFindings, env: RouterEnvironment) -> None:
    if not findings.gateway:
        # Translators: why PCP was not asked, lower case
        findings.pcp_error = _("no default gateway to ask")
        return
    started = time.perf_counter()
    try:
        answer = await pcp.announce(findings.gateway, port=env.natpmp_port,
                                    timeout=env.timeout)
        findings.pcp_epoch = answer.epoch
    except pcp.PcpNatPmpOnly as problem:
        findings.pcp_natpmp_only, findings.pcp_error = True, problem.words
    except pcp.PcpError as problem:
        findings.pcp_error = problem.words
    except (ValueError, OSError) as problem:
        findings.pcp_error = str(problem)
    findings.pcp_ms = (time.perf_counter() - started) * 1000


async def _search(findings: RouterFindings, env: RouterEnvironment) -> None:
    findings.discovery = await discover_igds(
        findings.interfaces, gateway=findings.gateway, targets=env.ssdp_targets,
        timeout=env.timeout, settle=env.settle)
    if findings.igd is None:
        return
    try:
        findings.upnp_external = await findings.igd.external_address()
    except RouterError as problem:
        findings.upnp_error = problem.words


async def _ask_stun(findings: RouterFindings, env: RouterEnvironment) -> None:
    if env.stun_servers:
        findings.stun = await stun.ask_stun_servers(env.stun_servers, timeout=env.timeout)


async def find_router(env: RouterEnvironment) -> RouterFindings:
    """Search for the router by UPnP, NAT-PMP and PCP and ask the STUN servers, all at once; at
    most about env.timeout twice (the search, then one question to the router found)."""
    started = time.perf_counter()
    interfaces = list(env.interfaces) if env.interfaces is not None else lan_interfaces()
    findings = RouterFindings(interfaces, await _gateway(env))
    await gather_all(_search(findings, env), _ask_natpmp(findings, env),
                     _ask_pcp(findings, env), _ask_stun(findings, env))
    findings.elapsed_ms = (time.perf_counter() - started) * 1000
    return findings


def _ssdp_result(findings: RouterFindings, env: RouterEnvironment) -> ProbeResult:
    discovery = findings.discovery
    details: dict[str, object] = {
        "searched": discovery.searched,
        "rejected": [{"source": r.source, "location": r.location, "reason": r.reason}
                     for r in discovery.rejected],
        "routers": [igd.info.location for igd in discovery.igds]}
    target = ", ".join(discovery.searched) or "no interface"
    if findings.igd is not None:
        info = findings.igd.info
        details.update({"location": info.location, "udn": info.udn,
                        "friendly_name": info.friendly_name, "model": info.model,
                        "igd_version": info.igd_version, "service": info.connection,
                        "lan_address": str(info.interface.address)})
        # Translators: {name} is the router's own name, {model} e.g. "Netgear
        # R7000", {version} 1 or 2, {connection} e.g. "WANIPConnection:2"
        summary = _("Found the router {name} ({model}) at {host}: UPnP IGD v{version}, "
                    "{connection}.").format(name=info.friendly_name or info.host,
                                            model=info.model, host=info.host,
                                            version=info.igd_version,
                                            connection=info.connection)
        status = Status.OK
        # One device may answer many times (each interface, each search): name each once.
        other_hosts = [host for host in dict.fromkeys(igd.info.host for igd in discovery.igds)
                       if host != info.host]
        if other_hosts:
            others = ", ".join(other_hosts)
            # Translators: a sentence added after "Found the router ..."; {others} is a
            # comma-separated list of addresses
            summary += " " + _("Other routers answered too ({others}); using {host}.").format(
                others=others, host=info.host)
            status = Status.WARNING
        return ProbeResult("router.ssdp", "ssdp", info.host, status, summary,
                           "" if status is Status.OK else
                           _("Two routers on one network usually means double NAT: see the "
                             "external address below."), discovery.elapsed_ms, details)
    if discovery.problem:
        return ProbeResult("router.ssdp", "ssdp", target, Status.FAILED, discovery.problem,
                           _("Connect this computer to your home network and check again."),
                           discovery.elapsed_ms, details)
    if discovery.rejected:
        return ProbeResult("router.ssdp", "ssdp", target, Status.FAILED,
                           _refused_words(findings), _(REFUSED_FIX), discovery.elapsed_ms,
                           details)
    # Translators: {interfaces} is a list of network interfaces and addresses,
    # e.g. "eth0 192.168.1.20, wlan0 192.168.1.21"
    summary = _("No UPnP router answered within {time} on {interfaces}.").format(
        time=seconds(env.timeout), interfaces=target)
    return ProbeResult("router.ssdp", "ssdp", target, Status.FAILED, summary, _(UPNP_FIX),
                       discovery.elapsed_ms, details)


def _refused_words(findings: RouterFindings) -> str:
    """Something answered UPnP and was not used: say who, and why (each device once)."""
    by_source: dict[str, str] = {}
    for rejected in findings.discovery.rejected:
        by_source.setdefault(rejected.source, rejected.reason)
    # Translators: one item of a "; "-joined list of devices that answered,
    # e.g. "192.168.1.7: its answer has no LOCATION"
    replies = "; ".join(_("{address}: {reason}").format(address=source, reason=reason)
                        for source, reason in list(by_source.items())[:3])
    # Translators: {replies} is a "; "-joined list of "address: reason"
    return ngettext("A UPnP device answered, but this wizard refused it: {replies}.",
                    "{count} UPnP devices answered, but this wizard refused them: {replies}.",
                    len(by_source)).format(count=len(by_source), replies=replies)


def _external_result(findings: RouterFindings) -> ProbeResult:
    address = findings.external_address
    nat = findings.nat
    source = "UPnP" if findings.upnp_external else "NAT-PMP"
    details = {"external_address": address, "nat": nat.value,
               "upnp_external": findings.upnp_external,
               "natpmp_external": findings.natpmp_external,
               "lan_address": findings.lan_address}
    service = "upnp" if findings.igd is not None else "natpmp"
    target = address or "router"
    if not findings.can_forward and findings.discovery.rejected:
        # Translators: {refused} is a whole sentence, e.g. "A UPnP device answered, but
        # this wizard refused it: 192.168.1.1: its description is not safe XML."
        return ProbeResult(
            "router.external", service, target, Status.FAILED,
            _("No router this wizard can use: {refused} NAT-PMP and PCP did not answer either, "
              "so neither this wizard nor Open Cobalt's Automatic mode can open ports.").format(
                refused=_refused_words(findings)),
            _(REFUSED_FIX), findings.elapsed_ms, details)
    if not findings.can_forward:
        return ProbeResult(
            "router.external", service, target, Status.FAILED,
            _("No UPnP, no NAT-PMP and no PCP on this network: this wizard cannot open ports "
              "on the router, and Open Cobalt's Automatic mode cannot either."),
            _("Switch on UPnP (or NAT-PMP) in the router's settings, or forward TCP ports "
              "by hand in the router's settings and choose Manual forwarding. Without "
              "either, choose LAN only."), findings.elapsed_ms, details)
    if nat is Nat.PUBLIC:
        if findings.lan_address:
            # Translators: {source} is UPnP or NAT-PMP
            summary = _("The router's external address is {address} (from {source}); this "
                        "computer is {lan_address} behind it.").format(
                            address=address, source=source, lan_address=findings.lan_address)
        else:
            # Translators: {source} is UPnP or NAT-PMP
            summary = _("The router's external address is {address} (from {source})."
                        ).format(address=address, source=source)
        return ProbeResult("router.external", service, target, Status.OK, summary, "",
                           findings.elapsed_ms, details)
    if nat is Nat.CARRIER:
        return ProbeResult(
            "router.external", service, target, Status.WARNING,
            _("The router's external address {address} is a carrier-grade NAT address: your "
              "provider shares one public address among many customers, so forwarding on "
              "your router cannot let friends in.").format(address=address),
            _("Ask your Internet provider for a public IPv4 address (often called a public "
              "or dedicated IP, or 'turn off CGNAT'); until then choose LAN only."),
            findings.elapsed_ms, details)
    if nat is Nat.DOUBLE:
        return ProbeResult(
            "router.external", service, target, Status.WARNING,
            _("The router's external address {address} is a private address: it sits "
              "behind another router (double NAT), so forwarding on this router alone does "
              "not let friends in.").format(address=address),
            _("Forward the same TCP ports on the outer router too, or set one of the two "
              "routers to bridge (modem) or access-point mode."), findings.elapsed_ms, details)
    words = findings.upnp_error or findings.natpmp_error
    if nat is Nat.UNKNOWN:
        summary = (
            # Translators: {reason} is why, e.g. "the router did not answer within 2 s"
            _("The router did not tell its external address: {reason}.").format(reason=words)
            if words else _("The router did not tell its external address (no answer)."))
        return ProbeResult(
            "router.external", service, target, Status.WARNING, summary,
            _("Check again in a minute; if it keeps failing, restart the router."),
            findings.elapsed_ms, details)
    return ProbeResult(
        "router.external", service, target, Status.WARNING,
        _("The router has no external address: it is not connected to the Internet, or the "
          "provider shares one public address among customers (carrier-grade NAT)."),
        _("Check the router's Internet connection. If it is connected, ask your provider for "
          "a public IPv4 address, or choose LAN only."), findings.elapsed_ms, details)


def _natpmp_result(findings: RouterFindings) -> ProbeResult:
    gateway = findings.gateway or "no gateway"
    details = {"gateway": findings.gateway, "external_address": findings.natpmp_external}
    if findings.natpmp_external is not None:
        summary = (_("NAT-PMP answers on the gateway {gateway} (external address {address})."
                     ).format(gateway=gateway, address=findings.natpmp_external)
                   if findings.natpmp_external else
                   _("NAT-PMP answers on the gateway {gateway} (external address none)."
                     ).format(gateway=gateway))
        return ProbeResult("router.natpmp", "natpmp", gateway, Status.OK, summary, "",
                           findings.natpmp_ms, details)
    if not findings.gateway:
        return ProbeResult("router.natpmp", "natpmp", gateway, Status.SKIPPED,
                           _("NAT-PMP not asked: this computer has no default gateway."), "",
                           findings.natpmp_ms, details)
    # Most routers speak only UPnP: no NAT-PMP matters only when UPnP is missing too.
    status = Status.SKIPPED if findings.igd is not None else Status.WARNING
    # Translators: {reason} is a whole sentence or more, e.g. "No NAT-PMP
    # answer from 192.168.1.1 within 2 s: the router does not speak NAT-PMP, or
    # it is switched off."
    # The reason names the gateway itself ("Nothing answers NAT-PMP on 192.168.1.1 ..."):
    # it is the whole summary, said once.
    summary = findings.natpmp_error or _("No NAT-PMP on the gateway {gateway}.").format(
        gateway=gateway)
    return ProbeResult("router.natpmp", "natpmp", gateway, status, summary, "",
                       findings.natpmp_ms, {**details, "error": findings.natpmp_error})


def _pcp_result(findings: RouterFindings) -> ProbeResult:
    gateway = findings.gateway or "no gateway"
    details = {"gateway": findings.gateway, "epoch": findings.pcp_epoch,
               "natpmp_only": findings.pcp_natpmp_only, "error": findings.pcp_error}
    if findings.pcp_epoch is not None:
        return ProbeResult("router.pcp", "pcp", gateway, Status.OK, _(
            "PCP answers on the gateway {gateway}: ports can be forwarded with it.").format(
                gateway=gateway), "", findings.pcp_ms, details)
    if not findings.gateway:
        return ProbeResult("router.pcp", "pcp", gateway, Status.SKIPPED,
                           _("PCP not asked: this computer has no default gateway."), "",
                           findings.pcp_ms, details)
    # PCP is one of three ways: its absence matters only when the other two are missing.
    status = Status.SKIPPED if findings.can_forward else Status.WARNING
    summary = findings.pcp_error or _("No PCP on the gateway {gateway}.").format(
        gateway=gateway)
    return ProbeResult("router.pcp", "pcp", gateway, status, summary, "", findings.pcp_ms,
                       details)


def router_results(findings: RouterFindings, env: RouterEnvironment) -> list[ProbeResult]:
    """The router found, its external address (with NAT warnings), NAT-PMP and PCP."""
    return [_ssdp_result(findings, env), _external_result(findings), _natpmp_result(findings),
            _pcp_result(findings)]
