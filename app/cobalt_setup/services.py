"""What Open Cobalt needs from the network, as data.

This is the catalogue from Open Cobalt's Administrator Guide ("Network usage"). Probes,
the report, firewall advice and page texts are derived from it, so a port is written
down once, here.

Each service has one name (`Service.name`), English and marked with N_(): show it with
`service_name()`. The firewall rule names keep it in English: an administrator finds and
deletes a rule by its name, so it must stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cobalt_setup.i18n import N_, _


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
    wizard_only: bool = False  # this wizard's own check, not Open Cobalt's: no firewall rule

    @property
    def ports_text(self) -> str:
        if self.first_port == self.last_port:
            return str(self.first_port)
        return f"{self.first_port}-{self.last_port}"


SSDP_MULTICAST_GROUP = "239.255.255.250"
CRQT_BROADCAST_ADDRESS = "255.255.255.255"
GOOGLE_DNS = ("8.8.8.8", "8.8.4.4")
# Two well-known public STUN servers of different operators (the default of
# [Router] StunServers): two, so that a mapping that changes per destination shows.
PUBLIC_STUN_SERVERS = ("stun.l.google.com:19302", "stun.cloudflare.com:3478")

CATALOGUE: tuple[Service, ...] = (
    Service("dns", N_("DNS"), Transport.TCP_UDP, 53, 53, Direction.OUT,
            "Chat and Space Directory clients resolve names through Google DNS "
            "(8.8.8.8 / 8.8.4.4) unless reconfigured; DNS-based Service Discovery "
            "finds a dispatcher"),
    Service("http", N_("HTTP"), Transport.TCP, 80, 80, Direction.OUT,
            # Translators: what Open Cobalt uses the web for; the firewall advice
            # shows it as the reason for its rule (the other services' uses are not
            # shown).
            N_("Version check, ad-hoc space registry, loading web spaces")),
    Service("ldap", N_("Space Directory (LDAP)"), Transport.TCP, 1389, 1389, Direction.OUT,
            "Finding and publishing spaces (reconfigurable in General Preferences)"),
    Service("xrfb", N_("Xrfb control (HTTP)"), Transport.TCP, 5899, 5899, Direction.OUT,
            "Xrfb/VNC application service, control protocol (HTTP, not RFB)"),
    Service("vnc", N_("VNC (RFB)"), Transport.TCP, 5900, 5930, Direction.OUT,
            "Xrfb/VNC interaction",
            note="The Xrfb setup guide asks a server's firewall to open 5910-5999: "
                 "the client side uses 5900-5930, the server side may use more displays."),
    Service("xmpp", N_("Chat (XMPP)"), Transport.TCP, 5222, 5223, Direction.OUT,
            "Jabber chat: 5222 with STARTTLS, 5223 with direct TLS"),
    Service("teatime", N_("TeaTime"), Transport.TCP, 6900, 6909, Direction.IN_OUT,
            "Peer-to-peer connections to and from routers and spaces"),
    Service("ssdp", N_("UPnP discovery (SSDP)"), Transport.UDP, 1900, 1900, Direction.LAN,
            f"Finding the Internet gateway (multicast {SSDP_MULTICAST_GROUP})"),
    Service("upnp", N_("UPnP port forwarding (SOAP)"), Transport.TCP, 0, 0, Direction.LAN,
            "Asking the gateway to forward ports (port chosen by the device)"),
    Service("natpmp", N_("NAT-PMP port forwarding"), Transport.UDP, 5351, 5351, Direction.LAN,
            "Asking the gateway to forward ports when it has no UPnP (RFC 6886)"),
    Service("pcp", N_("PCP port forwarding"), Transport.UDP, 5351, 5351, Direction.LAN,
            "Asking the gateway to forward ports with PCP (RFC 6887, NAT-PMP's successor) "
            "in Manual forwarding; Open Cobalt itself does not speak it (the NAT-PMP rule "
            "covers the port)", wizard_only=True),
    Service("stun", N_("Public address check (STUN)"), Transport.UDP, 3478, 3478, Direction.OUT,
            "Not Open Cobalt's: this wizard asks STUN servers on the Internet which address "
            "they see this computer as, to find a second NAT in front of the router (RFC "
            "8489; the servers' ports are in [Router] StunServers)", wizard_only=True),
    Service("crqt", N_("LAN discovery (CRQT)"), Transport.UDP, 43215, 43215, Direction.LAN,
            f"Open Cobalt's own discovery of local spaces (broadcast {CRQT_BROADCAST_ADDRESS})"),
)

BY_ID: dict[str, Service] = {service.id: service for service in CATALOGUE}

# The report's `service` values, in the order a report lists them: the catalogue's.
# Add, never rename.
SERVICES = tuple(service.id for service in CATALOGUE)


# Not a network service: what a diagnosis found in the preference files it read. It heads a
# report, because every other finding rests on those settings.
SETTINGS_FILES = "settings"
REPORTED_SERVICES = (SETTINGS_FILES, *SERVICES)


def service_name(service_id: str) -> str:
    """A service's one name for people, in their language: "ldap" -> "Space Directory
    (LDAP)". The firewall rules use the same name in English."""
    if service_id == SETTINGS_FILES:
        # Translators: the heading of a report's findings about the preference files.
        return _("Settings files")
    return _(BY_ID[service_id].name) if service_id in BY_ID else service_id
