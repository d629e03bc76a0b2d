"""Peers that do not serve, of three kinds, for every service at once: TCP listeners that
never answer and UDP sockets nobody reads ("silent"), closed ports ("refusing"), or peers
that send bytes of no protocol ("garbage"); and the settings and environment that point a
whole diagnosis at them (tests/test_no_false_ok.py, tests/verdicts_doc.py).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from pathlib import Path

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.settings import Settings
from lab.sockets import Peer, closed_port, start_garbage_listener, start_silent_listener

KINDS = ("silent", "refusing", "garbage")
LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))
GARBAGE = b"\x00\xff\x13NOT A PROTOCOL\r\n" * 8
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
        ("Router", "StunServers"): f"127.0.0.1:{peers.udp()}",
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
