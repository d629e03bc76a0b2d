"""This computer's side of the LAN: its IPv4 interfaces, its addresses and the default gateway.

The router page must map ports only to this machine's own LAN address and must accept an
Internet Gateway Device only when it is on-link, so both need an exact list of this
machine's networks. ifaddr lists the interfaces on every platform; the default gateway
has no portable API and no well-kept small library (netifaces is unmaintained), so it is
read here by hand: /proc on Linux, `route` on macOS and Windows.
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import ifaddr

ROUTE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class LanInterface:
    """One IPv4 address of this computer and the network it is on."""

    name: str
    address: ipaddress.IPv4Address
    network: ipaddress.IPv4Network

    def on_link(self, host: str | ipaddress.IPv4Address) -> bool:
        try:
            return ipaddress.IPv4Address(str(host)) in self.network
        except ValueError:
            return False


def lan_interfaces() -> list[LanInterface]:
    """Interfaces that can reach a home router: IPv4, not loopback, not link-local (169.254/16
    is what a computer gives itself when no router answered DHCP)."""
    found: list[LanInterface] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not ip.is_IPv4:
                continue
            address = ipaddress.IPv4Address(str(ip.ip))
            if address.is_loopback or address.is_link_local or address.is_unspecified:
                continue
            network = ipaddress.IPv4Network(f"{address}/{ip.network_prefix}", strict=False)
            name = adapter.nice_name or str(adapter.name)
            found.append(LanInterface(name, address, network))
    return found


def interface_for(host: str, interfaces: list[LanInterface]) -> LanInterface | None:
    """The interface on whose network `host` is, or None when `host` is not on-link."""
    return next((interface for interface in interfaces if interface.on_link(host)), None)


def _gateway_from_proc_route(text: str) -> str | None:
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4:
            continue
        destination, gateway, flags = fields[1], fields[2], int(fields[3], 16)
        if destination == "00000000" and flags & 0x2:  # RTF_GATEWAY
            return str(ipaddress.IPv4Address(int(gateway, 16).to_bytes(4, "little")))
    return None


def _gateway_from_route_command() -> str | None:
    if sys.platform == "win32":
        command = ["route", "print", "-4", "0.0.0.0"]
        pattern = re.compile(r"^\s*0\.0\.0\.0\s+0\.0\.0\.0\s+(\d+\.\d+\.\d+\.\d+)", re.M)
    else:  # macOS and the BSDs
        command = ["route", "-n", "get", "default"]
        pattern = re.compile(r"gateway:\s*(\d+\.\d+\.\d+\.\d+)")
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=False,
                                timeout=ROUTE_TIMEOUT_S).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = pattern.search(output)
    return match.group(1) if match else None


def default_gateway() -> str | None:
    """The IPv4 default gateway, or None when there is none (or it cannot be read).

    Blocking (it may run `route`): call it in a worker thread from async code.
    """
    if sys.platform.startswith("linux"):
        # thread-self: the namespace of the calling thread (what its sockets use).
        for path in ("/proc/thread-self/net/route", "/proc/net/route"):
            if os.path.exists(path):
                try:
                    return _gateway_from_proc_route(Path(path).read_text())
                except (OSError, ValueError):
                    return None
        return None
    return _gateway_from_route_command()
