"""What Open Cobalt needs from the network, as data.

This is the catalogue from Open Cobalt's Administrator Guide ("Network usage"). Probes,
the report, firewall advice and page texts are derived from it, so a port is written
down once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Transport(str, Enum):
    TCP = "tcp"
    UDP = "udp"
    TCP_UDP = "tcp/udp"


class Direction(str, Enum):
    OUT = "out"
    IN_OUT = "in and out"
    LAN = "LAN"


@dataclass(frozen=True)
class Service:
    """One row of the network-usage table."""

    id: str
    name: str
    transport: Transport
    first_port: int
    last_port: int
    direction: Direction
    used_for: str
    note: str = ""

    @property
    def ports_text(self) -> str:
        if self.first_port == self.last_port:
            return str(self.first_port)
        return f"{self.first_port}-{self.last_port}"


SSDP_MULTICAST_GROUP = "239.255.255.250"
CRQT_BROADCAST_ADDRESS = "255.255.255.255"
GOOGLE_DNS = ("8.8.8.8", "8.8.4.4")

CATALOGUE: tuple[Service, ...] = (
    Service("dns", "DNS", Transport.TCP_UDP, 53, 53, Direction.OUT,
            "Chat and Space Directory clients resolve names through Google DNS "
            "(8.8.8.8 / 8.8.4.4) unless reconfigured; DNS-based Service Discovery "
            "finds a dispatcher"),
    Service("http", "HTTP", Transport.TCP, 80, 80, Direction.OUT,
            "Version check, ad-hoc space registry, loading web spaces"),
    Service("ldap", "Space Directory (LDAP)", Transport.TCP, 1389, 1389, Direction.OUT,
            "Finding and publishing spaces (reconfigurable in General Preferences)"),
    Service("xrfb", "Xrfb control (HTTP)", Transport.TCP, 5899, 5899, Direction.OUT,
            "Xrfb/VNC application service, control protocol (HTTP, not RFB)"),
    Service("vnc", "VNC (RFB)", Transport.TCP, 5900, 5930, Direction.OUT,
            "Xrfb/VNC interaction",
            note="The Xrfb setup guide asks a server's firewall to open 5910-5999: "
                 "the client side uses 5900-5930, the server side may use more displays."),
    Service("xmpp", "Chat (XMPP)", Transport.TCP, 5222, 5223, Direction.OUT,
            "Jabber chat: 5222 with STARTTLS, 5223 with direct TLS"),
    Service("teatime", "TeaTime", Transport.TCP, 6900, 6909, Direction.IN_OUT,
            "Peer-to-peer connections to and from routers and spaces"),
    Service("ssdp", "UPnP discovery (SSDP)", Transport.UDP, 1900, 1900, Direction.LAN,
            f"Finding the Internet gateway (multicast {SSDP_MULTICAST_GROUP})"),
    Service("upnp", "UPnP port forwarding (SOAP)", Transport.TCP, 0, 0, Direction.LAN,
            "Asking the gateway to forward ports (port chosen by the device)"),
    Service("natpmp", "NAT-PMP port forwarding", Transport.UDP, 5351, 5351, Direction.LAN,
            "Asking the gateway to forward ports when it has no UPnP (RFC 6886)"),
    Service("crqt", "LAN discovery (CRQT)", Transport.UDP, 43215, 43215, Direction.LAN,
            f"Open Cobalt's own discovery of local spaces (broadcast {CRQT_BROADCAST_ADDRESS})"),
)

BY_ID: dict[str, Service] = {service.id: service for service in CATALOGUE}

# The report's `service` values, in the order a report lists them. Add, never rename.
SERVICES = ("dns", "http", "ldap", "xrfb", "vnc", "xmpp", "teatime", "ssdp", "upnp",
            "natpmp", "crqt")
SERVICE_NAMES = {
    "dns": "DNS", "http": "Web (HTTP)", "ldap": "Space Directory (LDAP)",
    "xrfb": "Xrfb control", "vnc": "VNC", "xmpp": "Chat (XMPP)", "teatime": "TeaTime",
    "ssdp": "Router discovery (SSDP)", "upnp": "Router (UPnP)", "natpmp": "Router (NAT-PMP)",
    "crqt": "Spaces on the LAN (CRQT)",
}
