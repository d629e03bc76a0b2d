"""No false ok: with every target silent, refusing, or answering garbage, no check that
talks to a target says OK, and each one's words say what came back.

One diagnosis per kind of peer, every service pointed at such peers on loopback: TCP
listeners that never answer, closed ports, or listeners that send bytes of no protocol;
UDP (DNS, NAT-PMP, SSDP) sockets that never answer, closed ports, or answer garbage.
Not asked here: the checks of this computer itself (free local ports), an address that
needs no look-up ("is an address: no name to look up"), and the passive LAN listen (it has
no target that could be silent or refuse).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.diagnosis import Diagnosis, run_diagnosis
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.result import Status
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.settings import Settings
from lab.sockets import Peer, closed_port, start_garbage_listener, start_silent_listener

LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))
GARBAGE = b"\x00\xff\x13NOT A PROTOCOL\r\n" * 8
NOT_ASKED = {"vnc.hosting", "teatime.hosting", "crqt.listen", "ldap.resolution",
             "xrfb.resolution", "xmpp.resolution"}
TIMEOUT = 1.0


class Peers:
    """Ports of one kind, made on demand, closed at the end."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.tcp_peers: list[Peer] = []
        self.udp_sockets: list[socket.socket] = []
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def tcp(self) -> int:
        if self.kind == "refusing":
            return closed_port()
        peer = (start_silent_listener() if self.kind == "silent"
                else start_garbage_listener(GARBAGE))
        self.tcp_peers.append(peer)
        return peer.port

    def udp(self) -> int:
        if self.kind == "refusing":
            return closed_port()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        self.udp_sockets.append(sock)
        if self.kind == "garbage":
            thread = threading.Thread(target=self._answer_garbage, args=(sock,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return sock.getsockname()[1]

    def _answer_garbage(self, sock: socket.socket) -> None:
        sock.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                _data, client = sock.recvfrom(2048)
                sock.sendto(GARBAGE[:40], client)
            except (TimeoutError, OSError):
                continue

    def close(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        for peer in self.tcp_peers:
            peer.stop()
        for sock in self.udp_sockets:
            sock.close()


def settings_and_environment(peers: Peers, records: Path) -> tuple[Settings, CheckEnvironment]:
    dns = Endpoint("127.0.0.1", peers.udp())
    vnc = peers.tcp()

    async def system() -> list[Endpoint]:
        return [dns]

    settings = Settings.from_texts({
        ("DNS", "Servers"): str(dns), ("DNS", "DispatcherDomain"): "cobalt.test",
        ("SpaceDirectory", "Host"): "127.0.0.1", ("SpaceDirectory", "Port"): str(peers.tcp()),
        ("Xrfb", "ServerHostAddress"): "127.0.0.1",
        ("Xrfb", "ServerPortNumber"): str(peers.tcp()), ("Xrfb", "VncPorts"): f"{vnc}-{vnc}",
        ("Chat", "Server"): "127.0.0.1", ("Chat", "Port"): str(peers.tcp()),
        ("Web", "VersionCheckURL"): f"http://127.0.0.1:{peers.tcp()}/version",
    })
    environment = CheckEnvironment.with_timeout(
        TIMEOUT,
        dns=DnsEnvironment(system_resolvers=system, open_cobalt_default=(str(dns),),
                           public=(), nx_parent="nx.cobalt.test"),
        router=RouterEnvironment(interfaces=(LOOPBACK,), gateway="127.0.0.1",
                                 natpmp_port=peers.udp(),
                                 ssdp_targets=(("127.0.0.1", peers.udp()),),
                                 records_path=records),
        crqt_host="127.0.0.1", crqt_port=closed_port())
    return settings, environment


@pytest.fixture(params=["silent", "refusing", "garbage"])
def diagnosed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Diagnosis]]:
    peers = Peers(request.param)
    try:
        settings, environment = settings_and_environment(peers, tmp_path / "mappings.json")
        yield request.param, asyncio.run(run_diagnosis(settings, environment))
    finally:
        peers.close()


def test_no_check_of_a_target_says_ok_when_the_target_does_not_serve(
        diagnosed: tuple[str, Diagnosis]) -> None:
    kind, diagnosis = diagnosed
    asked = {check.id: check for check in diagnosis.checks if check.id not in NOT_ASKED}
    assert {"dns.discovery", "http.version-check", "ldap.directory", "xrfb.control",
            "vnc.range", "xmpp.client", "router.ssdp", "router.natpmp"} <= set(asked)
    assert any(check_id.startswith("dns.resolver.") for check_id in asked)
    false_ok = {check_id: check.summary for check_id, check in asked.items()
                if check.status is Status.OK}
    assert false_ok == {}, f"{kind} peers"


WORDS: dict[str, Callable[[str], bool]] = {
    "silent": lambda summary: "refused" not in summary and (
        "within 1 s" in summary or "no answer" in summary),
    "refusing": lambda summary: "refused" in summary,
    "garbage": lambda summary: "no answer" not in summary and "within" not in summary,
}


def test_the_words_say_what_came_back(diagnosed: tuple[str, Diagnosis]) -> None:
    """A refused connection is never called silent, an answer in another protocol never
    "no answer", and silence never "refused"."""
    kind, diagnosis = diagnosed
    tcp_checks = {"http.version-check", "ldap.directory", "xrfb.control", "vnc.range",
                  "xmpp.client"}
    wrong = {check.id: check.summary for check in diagnosis.checks
             if check.id in tcp_checks and not WORDS[kind](check.summary)}
    assert wrong == {}, f"{kind} peers"
