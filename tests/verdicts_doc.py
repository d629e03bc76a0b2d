"""docs/verdicts.md from the code: every check's verdict, run against real peers.

Each scenario is a whole diagnosis (`run_diagnosis`, what `diagnose` and the Summary run)
against peers on loopback: every server up and right (the lab's dnsmasq, slapd, Xvnc,
prosody, an HTTP server and the simulated UPnP router), every target silent, refusing or
answering garbage (lab/peer_kinds.py), and servers that answer with an error. The hairpin
test after forwarding also runs through the real miniupnpd, in network namespaces. A row is
(check id, evidence, status, summary, fix). What changes from run to run (ports, PIDs,
times, temporary paths) is replaced by a placeholder, so the table is the same every time
and tests/test_verdicts_doc.py can fail when the code and the document disagree.

    python tests/verdicts_doc.py            write docs/verdicts.md
    python tests/verdicts_doc.py --check    exit 1 if docs/verdicts.md is out of date
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import http.server
import ipaddress
import re
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dns.asyncbackend

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.diagnosis import run_diagnosis
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.result import ProbeResult
from cobalt_setup.router.checks import check_router
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.forwarding import forward_ports, undo_forwarding
from cobalt_setup.router.hairpin import hairpin_after, probe_hairpin
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.settings import Settings
from lab import dns_servers, ldap_servers, sockets, stun_server, vnc_servers, xmpp_servers
from lab.dns_servers import DOMAIN, HIJACK_DOMAIN, DnsServer
from lab.igd_simulator import IgdQuirks, IgdSimulator, PortMapping
from lab.peer_kinds import KINDS, Peers, settings_and_environment
from lab.router_lab import start_router_lab, stop_router_lab
from lab.whole_lab import lab_settings_texts
from network_guard import GUARD

DOC = Path(__file__).resolve().parents[1] / "docs" / "verdicts.md"
LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))
TIMEOUT = 1.0
# Ports the product itself names (defaults, the catalogue's ranges): kept as they are.
KNOWN_PORTS = {"389", "636", "1389", "1900", "5222", "5223", "5351", "5899", "5900", "5910",
               "5930", "5999", "6900", "6909", "43215"}

Row = tuple[str, str, str, str, str]  # check id, evidence, status, summary, fix


def normalized(text: str, tmp: str) -> str:
    """The words with what differs from run to run replaced by placeholders."""
    text = text.replace(tmp, "TMP")
    text = re.sub(r"/tmp/\S+", "TMP", text)
    text = re.sub(r"\((?:[\w.+-]+), PIDs? [\d, ]+\)", "(PROGRAM, PID N)", text)
    text = re.sub(r"\d+(?:\.\d+)? ms\b", "N ms", text)
    text = re.sub(r"\b\d+(?:\.\d+)?x faster", "Nx faster", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?", "DATE", text)
    text = re.sub(r"Python/[\d.]+\d", "Python/VERSION", text)
    return re.sub(r"(?<![\d.])\d{4,5}(?!\d|\.\d)",
                  lambda m: m.group(0) if m.group(0) in KNOWN_PORTS else "PORT", text)


def rows_of(evidence: str, results: list[ProbeResult], tmp: str) -> list[Row]:
    return [(r.id if not r.id.startswith("dns.resolver.") else "dns.resolver.ADDRESS",
             evidence, r.status.value, normalized(r.summary, tmp), normalized(r.fix, tmp))
            for r in results]


async def _diagnose(settings: Settings, environment: CheckEnvironment,
                    only: set[str] | None = None) -> list[ProbeResult]:
    return (await run_diagnosis(settings, environment, only)).checks


def _not_serving(kind: str, tmp: Path) -> list[ProbeResult]:
    peers = Peers(kind)
    try:
        settings, environment = settings_and_environment(peers, tmp / f"{kind}.json")
        return asyncio.run(_diagnose(settings, environment))
    finally:
        peers.close()


def _dns_environment(server: DnsServer) -> DnsEnvironment:
    async def system() -> list[Endpoint]:
        return [Endpoint(server.host, server.port)]

    return DnsEnvironment(system_resolvers=system, open_cobalt_default=(), public=(),
                          nx_parent=HIJACK_DOMAIN)


@contextlib.contextmanager
def _http_404() -> Iterator[int]:
    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _served(tmp: Path, lab: dns_servers.DnsLab) -> dict[str, list[ProbeResult]]:
    """Every server up and right; then servers that answer with an error."""
    found: dict[str, list[ProbeResult]] = {}
    slapd = ldap_servers.start_slapd(tmp / "ldap", with_cobalt_schema=True)
    plain = ldap_servers.start_slapd(tmp / "ldap-plain", with_cobalt_schema=False)
    private = ldap_servers.start_slapd(tmp / "ldap-private", with_cobalt_schema=True,
                                       name="private", anonymous_bind_allowed=False)
    ldaps = ldap_servers.start_slapd(tmp / "ldap-ldaps", with_cobalt_schema=True,
                                     name="ldaps", ldaps=True)
    vnc = vnc_servers.start_xvnc_range(tmp / "vnc")
    locked = vnc_servers.start_xvnc(tmp / "vnc-password", "locked", security="VncAuth")
    blocking = vnc_servers.start_xvnc(tmp / "vnc-blocking", "blocking")
    chat = xmpp_servers.start_prosody(tmp / "xmpp")
    web = sockets.start_http_server()
    router = IgdSimulator(friendly_name="Lab gateway").start()
    servfail = dns_servers.start_pdns_recursor(tmp / "pdns")
    stun = stun_server.start_stun_server(tmp / "stun", ("127.0.0.1", "127.0.0.2"),
                                    port=stun_server.free_udp_port())
    try:
        texts = {**lab_settings_texts(lab.good, slapd, vnc, chat, web),
                 ("Router", "StunServers"): stun.endpoints}
        environment = CheckEnvironment.with_timeout(
            TIMEOUT, dns=_dns_environment(lab.good),
            router=RouterEnvironment(interfaces=(LOOPBACK,), gateway="127.0.0.1",
                                     natpmp_port=sockets.closed_port(),
                                     ssdp_targets=(router.ssdp_address,),
                                     records_path=tmp / "served.json"),
            crqt_host="127.0.0.1", crqt_port=sockets.closed_port())
        found["served right"] = asyncio.run(_diagnose(Settings.from_texts(texts), environment))
        with _http_404() as missing:
            errors = {**texts,
                      ("SpaceDirectory", "Port"): str(private.port),
                      ("Xrfb", "VncPorts"): f"{locked.port}-{locked.port}",
                      # a name the DNS knows, but not a domain prosody serves
                      ("Chat", "Server"): f"apps.{DOMAIN}",
                      ("Web", "VersionCheckURL"): f"http://127.0.0.1:{missing}/version"}
            found["answered with an error"] = asyncio.run(
                _diagnose(Settings.from_texts(errors), environment))
        not_open_cobalt = {**texts, ("SpaceDirectory", "Port"): str(plain.port),
                           ("DNS", "Servers"): lab.hijacking.endpoint}
        found["answered, but not what Open Cobalt needs"] = asyncio.run(_diagnose(
            Settings.from_texts(not_open_cobalt),
            dataclasses.replace(environment, dns=_dns_environment(lab.hijacking))))
        public_names = {**texts, ("SpaceDirectory", "Host"): "ldap.opencobalt.net",
                        ("Web", "VersionCheckURL"): "http://www.opencobalt.net/",
                        ("DNS", "Servers"): servfail.endpoint}
        # Only the DNS checks: the public names are asked of the lab's resolvers alone
        # (the other checks would look them up through the system's resolver).
        found["a resolver that fails public names (SERVFAIL)"] = asyncio.run(_diagnose(
            Settings.from_texts(public_names),
            dataclasses.replace(environment, dns=_dns_environment(servfail)), {"dns"}))
        with_ldaps = {**texts, ("SpaceDirectory", "Port"): str(ldaps.port)}
        found["answered in another protocol (LDAPS only)"] = [
            r for r in asyncio.run(_diagnose(Settings.from_texts(with_ldaps), environment,
                                             {"ldap"}))
            if r.id == "ldap.directory"]
        # TigerVNC turns an address away after 5 connections that ended before
        # authentication (lab/vnc_servers.py): a real refusal with a reason.
        for _ in range(20):
            if vnc_servers.read_greeting(blocking.host, blocking.port) == b"RFB 003.003\n":
                break
        blocked = {**texts, ("Xrfb", "VncPorts"): f"{blocking.port}-{blocking.port}"}
        found["refused with a reason (RFB: Too many security failures)"] = [
            r for r in asyncio.run(_diagnose(Settings.from_texts(blocked), environment,
                                             {"vnc"}))
            if r.id == "vnc.range"]
        refusing = {**public_names, ("DNS", "Servers"): lab.good.endpoint}
        found["a resolver that answers only its own zones (REFUSED)"] = asyncio.run(
            _diagnose(Settings.from_texts(refusing), environment, {"dns"}))
    finally:
        stun_server.stop_stun_server(stun)
        dns_servers.stop_server(servfail)
        router.stop()
        web.stop()
        xmpp_servers.stop_prosody(chat)
        vnc_servers.stop_servers([*vnc.servers, locked, blocking])
        for server in (slapd, plain, private, ldaps):
            ldap_servers.stop_slapd(server)
    return found


class _NatPmpRouter(asyncio.DatagramProtocol):
    """A NAT-PMP gateway (RFC 6886) that knows its address, refuses every mapping with one
    result code and answers PCP as NAT-PMP-only routers do: miniupnpd cannot be made to do
    that on loopback."""

    def __init__(self, refusal: int) -> None:
        self.refusal = refusal
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        epoch = (1234).to_bytes(4, "big")
        if data[:1] != b"\x00":  # PCP (version 2): "unsupported version" (RFC 6886 3.5)
            self.transport.sendto(bytes([0, (data[1] & 0x7F) | 128]) + (1).to_bytes(2, "big")
                                  + epoch, addr)
        elif data[:2] == b"\x00\x00":  # what is your external address
            self.transport.sendto(b"\x00\x80\x00\x00" + epoch
                                  + ipaddress.IPv4Address(EXTERNAL).packed, addr)
        elif len(data) >= 12 and data[1] in (1, 2):  # map (or unmap) a port
            self.transport.sendto(bytes([0, data[1] + 128]) + self.refusal.to_bytes(2, "big")
                                  + epoch + data[4:6] + b"\x00\x00" + bytes(4), addr)


EXTERNAL = "81.2.69.1"  # what the lab's routers call their external address
ROUTER_QUIRKS: dict[str, IgdQuirks] = {
    "the router forwards the ports": IgdQuirks(),
    "the router refuses with a UPnP error (606 Action not authorized)":
        IgdQuirks(refuse_mapping_code=606),
    "the router keeps only permanent forwardings (UPnP error 725)":
        IgdQuirks(only_permanent_leases=True),
    "the ports are forwarded to another device":
        IgdQuirks(existing=[PortMapping(6900, "TCP", "127.0.0.77", 6900, "another game")]),
    "the router fails to tell its external address (UPnP error 501)":
        IgdQuirks(action_errors={"GetExternalIPAddress": 501}),
    "the router's external address is shared (carrier-grade NAT)":
        IgdQuirks(external_address="100.64.1.2"),
    "the router has no external address": IgdQuirks(external_address=""),
    "the router's description is an XML bomb": IgdQuirks(description="xml_bomb"),
}


async def _forward(env: RouterEnvironment) -> list[ProbeResult]:
    """What `cobalt-setup router forward` does: the router's status, then forwarding the
    TeaTime ports and reading them back."""
    settings = Settings.from_texts({})
    report = await check_router(settings, env, lambda _result: None, prove=False)
    if report.mapper is None or report.plan is None:
        return report.results
    outcome = await forward_ports(report.mapper, report.plan, env.records(), None)
    return [*report.results, outcome.result()]


async def _forward_with_natpmp(env: RouterEnvironment, refusal: int) -> list[ProbeResult]:
    loop = asyncio.get_running_loop()
    transport, _protocol = await loop.create_datagram_endpoint(
        lambda: _NatPmpRouter(refusal), local_addr=("127.0.0.1", 0))
    try:
        port = transport.get_extra_info("sockname")[1]
        return await _forward(dataclasses.replace(env, natpmp_port=port))
    finally:
        transport.close()


def _router_answers(tmp: Path) -> dict[str, list[ProbeResult]]:
    """Forwarding through routers that answer right, with an error, or oddly."""
    found: dict[str, list[ProbeResult]] = {}
    env = RouterEnvironment(interfaces=(LOOPBACK,), gateway="127.0.0.1", stun_servers=(),
                            natpmp_port=sockets.closed_port(), timeout=TIMEOUT,
                            ssdp_targets=(("127.0.0.1", sockets.closed_port()),))
    for evidence, quirks in ROUTER_QUIRKS.items():
        with IgdSimulator(quirks) as router:
            found[evidence] = asyncio.run(_forward(dataclasses.replace(
                env, ssdp_targets=(router.ssdp_address,),
                records_path=tmp / f"router-{len(found)}.json")))
    for code, words in ((2, "not authorized"), (4, "out of resources")):
        found[f"NAT-PMP only, refusing with result {code} ({words})"] = asyncio.run(
            _forward_with_natpmp(dataclasses.replace(
                env, records_path=tmp / f"natpmp-{code}.json"), code))
    return found


async def _hairpin_on_loopback() -> dict[str, list[ProbeResult]]:
    port = sockets.closed_port()
    came_back = await probe_hairpin("127.0.0.1", port, timeout=TIMEOUT)
    busy = socket.create_server(("0.0.0.0", port))
    try:
        taken = await probe_hairpin("127.0.0.1", port, timeout=TIMEOUT)
    finally:
        busy.close()
    return {"the public address leads back to this computer (on loopback)": [came_back],
            "the forwarded port is taken on this computer": [taken]}


async def _forward_and_loop_back(env: RouterEnvironment) -> list[ProbeResult]:
    """`cobalt-setup router forward` with its hairpin test, on the real miniupnpd."""
    report = await check_router(Settings.from_texts({}), env, lambda _result: None,
                                prove=False)
    assert report.mapper is not None and report.plan is not None, report.results
    outcome = await forward_ports(report.mapper, report.plan, env.records(), None)
    hairpin = await hairpin_after(outcome, report.findings.external_address, env)
    await undo_forwarding(report.mapper, env.records())
    return [hairpin] if hairpin is not None else []


def _hairpin_answers(tmp: Path) -> dict[str, list[ProbeResult]]:
    """The hairpin test after forwarding: on loopback, and through the real miniupnpd,
    whose forwardings match only what arrives on its WAN side."""
    found = asyncio.run(_hairpin_on_loopback())
    lab = start_router_lab(tmp / "router-lab")
    try:
        with lab.inside(lab.lan):
            env = RouterEnvironment(stun_servers=(), timeout=TIMEOUT,
                                    records_path=tmp / "hairpin.json")
            found["miniupnpd (no NAT loopback), after forwarding"] = asyncio.run(
                _forward_and_loop_back(env))
    finally:
        stop_router_lab(lab)
    return found


def verdict_rows() -> list[Row]:
    """Every row, sorted by check id, then in scenario order."""
    dns.asyncbackend.set_default_backend("asyncio")
    order: list[str] = []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        lab = dns_servers.start_dns_lab(tmp / "dns")
        try:
            scenarios: dict[str, list[ProbeResult]] = {
                kind: _not_serving(kind, tmp) for kind in KINDS}
            scenarios.update(_served(tmp, lab))
            scenarios.update(_router_answers(tmp))
            scenarios.update(_hairpin_answers(tmp))
        finally:
            dns_servers.stop_dns_lab(lab)
        for evidence, results in scenarios.items():
            order.append(evidence)
            rows += rows_of(evidence, results, folder)
    # One row per verdict: the scenarios that gave the same words share it.
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for check, evidence, status, summary, fix in rows:
        seen = grouped.setdefault((check, status, summary, fix), [])
        if evidence not in seen:
            seen.append(evidence)
    merged = [(check, "; ".join(evidences), status, summary, fix)
              for (check, status, summary, fix), evidences in grouped.items()]
    return sorted(merged, key=lambda row: (row[0], order.index(row[1].split("; ")[0])))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>") or "-"


def document(rows: list[Row]) -> str:
    lines = [
        "# Verdicts",
        "",
        "Every check's verdict as the code gives it, generated by `tests/verdicts_doc.py`",
        "from whole diagnoses against real peers on loopback (`tests/test_verdicts_doc.py`",
        "fails when this file and the code disagree). Evidence: what the target did.",
        "PORT, PID N, N ms, DATE and TMP stand for what differs from run to run.",
        "",
        "| check | evidence | status | summary | fix |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{check}` | {evidence} | {status} | {_cell(summary)} | {_cell(fix)} |"
              for check, evidence, status, summary, fix in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    GUARD.install()  # as in the tests: loopback and the lab only
    text = document(verdict_rows())
    GUARD.exit_if_violated("the verdicts document")
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run python tests/verdicts_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({text.count(chr(10)) - 9} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

