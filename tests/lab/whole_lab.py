"""Pieces the benchmarks share: settings pointing at every lab server, and silent peers.

The tests build the same lab from fixtures; the benchmarks start the servers themselves
(they run outside pytest) and use these two helpers so the lab is described once.
"""

from __future__ import annotations

import asyncio
import contextlib

from lab import vnc_servers
from lab.dns_servers import DOMAIN, DnsServer
from lab.ldap_servers import SlapdServer
from lab.sockets import Peer
from lab.vnc_servers import VncRange
from lab.xmpp_servers import ProsodyServer


def lab_settings_texts(dns: DnsServer, slapd: SlapdServer, vnc: VncRange,
                       chat: ProsodyServer, http: Peer) -> dict[tuple[str, str], str]:
    """Settings (as the INI spells them) that point every service at a lab server."""
    return {
        ("DNS", "Servers"): dns.endpoint,
        ("DNS", "DispatcherDomain"): DOMAIN,
        ("SpaceDirectory", "Host"): f"directory.{DOMAIN}",
        ("SpaceDirectory", "Port"): str(slapd.port),
        ("Xrfb", "ServerHostAddress"): f"apps.{DOMAIN}",
        ("Xrfb", "ServerPortNumber"): str(http.port),
        ("Xrfb", "VncPorts"): f"{vnc.first}-{vnc.last}",
        ("Chat", "Server"): chat.domain,
        ("Chat", "Port"): str(chat.port),
        ("Web", "VersionCheckURL"): f"http://{http.endpoint}/version",
        ("Router", "StunServers"): "",  # loopback has no NAT to see (the router lab has)
    }


async def silent_block(size: int) -> tuple[list[asyncio.AbstractServer], int]:
    """`size` consecutive loopback ports whose servers accept and never say a word."""
    first = vnc_servers.free_tcp_port_block(size)

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Ended by the benchmark's clean-up: a quiet end, not an error to log.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
        writer.close()

    servers = [await asyncio.start_server(mute, "127.0.0.1", port)
               for port in range(first, first + size)]
    return servers, first


def silent_settings_texts(first: int, dns_server: str, domain: str = "", stun: str = ""
                          ) -> dict[tuple[str, str], str]:
    """Settings whose every service is one of the 9 silent ports from `first` (see
    silent_block); DNS goes to `dns_server`, STUN to `stun` (none when empty)."""
    texts = {
        ("DNS", "Servers"): dns_server,
        ("SpaceDirectory", "Host"): "127.0.0.1",
        ("SpaceDirectory", "Port"): str(first),
        ("Xrfb", "ServerHostAddress"): "127.0.0.1",
        ("Xrfb", "ServerPortNumber"): str(first + 1),
        ("Xrfb", "VncPorts"): f"{first + 2}-{first + 7}",
        ("Chat", "Server"): "127.0.0.1",
        ("Chat", "Port"): str(first + 8),
        ("Web", "VersionCheckURL"): f"http://127.0.0.1:{first}/version",
        ("Router", "StunServers"): stun,
    }
    if domain:
        texts["DNS", "DispatcherDomain"] = domain
    return texts
