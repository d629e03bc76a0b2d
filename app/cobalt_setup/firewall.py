"""Firewall advice: the rules Open Cobalt needs with the current settings, as commands to copy.

Everything comes from the catalogue (services.py) and the settings, so a changed port in
the settings changes every command. The program never runs these commands: a firewall is
the user's or the administrator's, and a wrong rule is theirs to choose. They are shown
for Windows Defender Firewall (netsh), the macOS application firewall (socketfilterfw)
and Linux (ufw, firewalld).

A rule for "the local network" is `remote == LOCAL_SUBNET`, netsh's own keyword. ufw and
firewalld have no such keyword: their commands name `lan_networks` instead, by default the
private IPv4 ranges (everything Open Cobalt does on the LAN is IPv4 broadcast and
multicast); the wizard, which knows the real network, can pass it for stricter rules.

The explanations are translated; the commands and the rule names stay as they are (an
administrator finds a rule by its name, so it must not depend on who created it).
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http.client import HTTPS_PORT
from urllib.parse import urlsplit

from cobalt_setup.addresses import PortRange
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.services import (
    BY_ID,
    CRQT_BROADCAST_ADDRESS,
    SSDP_MULTICAST_GROUP,
    Direction,
    Service,
    Transport,
)
from cobalt_setup.settings import RouterMode, Settings

LOCAL_SUBNET = "localsubnet"  # netsh's keyword for "this computer's own network"
# Hand-written: the ipaddress module can test is_private but has no list of the RFC 1918
# blocks to name in a rule.
PRIVATE_NETWORKS: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
ALL_PORTS = PortRange(1, 65535)  # for a service whose port the device chooses
MACOS_APP = "/Applications/Open Cobalt.app"
SOCKETFILTERFW = "/usr/libexec/ApplicationFirewall/socketfilterfw"
NETSH_ADD_RULE = "netsh advfirewall firewall add rule"

IN, OUT = "in", "out"


@dataclass(frozen=True)
class FirewallRule:
    """One thing to allow through a firewall, independent of any firewall's syntax."""

    service: str  # catalogue id
    name: str  # stable: an administrator finds (and deletes) the rule by it
    direction: str  # IN or OUT
    protocol: str  # "tcp" or "udp"
    ports: str  # "6900-6909" or "1389": the remote port going out, the local one coming in
    remote: str = ""  # "" any; LOCAL_SUBNET; or addresses separated by commas
    why: str = ""
    replies: bool = False  # an inbound rule for answers: `ports` is the sender's port

    @property
    def lan(self) -> bool:
        """Traffic that stays on the local network (Windows: the Private profile)."""
        service = BY_ID.get(self.service)
        return self.remote == LOCAL_SUBNET or (service is not None
                                               and service.direction is Direction.LAN)

    @property
    def port_range(self) -> tuple[int, int]:
        first, _sep, last = self.ports.partition("-")
        return int(first), int(last or first)


def _protocols(service: Service) -> tuple[str, ...]:
    if service.transport is Transport.TCP_UDP:
        return (Transport.UDP.value, Transport.TCP.value)
    return (service.transport.value,)


def _catalogue_ports(service: Service) -> str:
    """The catalogue's ports; a port of 0 means the device chooses, so any port."""
    return service.ports_text if service.first_port else str(ALL_PORTS)


def _name(service: Service, what: str, qualifier: str = "") -> str:
    return f"Open Cobalt {service.name}{' ' + qualifier if qualifier else ''} ({what})"


def _ip_literal(host: str) -> str:
    """`host` when it is an IP address (a rule can name it), else "" (a name: any host)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return ""


def dns_rules(settings: Settings) -> list[FirewallRule]:
    dns = BY_ID["dns"]
    by_port: dict[int, list[str]] = {}
    if settings.dns.servers:
        for server in settings.dns.servers:
            by_port.setdefault(server.port or dns.first_port, []).append(server.host)
        why = _("Chat and the Space Directory look up names at the DNS servers in the "
                "settings (UDP, and TCP for long answers).")
    else:
        by_port[dns.first_port] = []
        why = _("The DNS servers setting is empty, so Open Cobalt asks this computer's own "
                "resolver (most systems allow this already).")
    rules = []
    for port, hosts in by_port.items():
        qualifier = "" if port == dns.first_port else f"port {port}"
        for protocol in _protocols(dns):
            rules.append(FirewallRule(
                dns.id, _name(dns, f"{protocol.upper()} {OUT}", qualifier), OUT, protocol,
                str(port), ",".join(dict.fromkeys(hosts)), why))
    return rules


def _url_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (HTTPS_PORT if parts.scheme == "https" else BY_ID["http"].first_port)


def web_rules(settings: Settings) -> list[FirewallRule]:
    http = BY_ID["http"]
    (protocol,) = _protocols(http)
    rules = [FirewallRule(http.id, _name(http, OUT), OUT, protocol, _catalogue_ports(http),
                          why=_(http.used_for) + ".")]
    port = _url_port(settings.web.version_check_url)
    if port != http.first_port:
        rules.append(FirewallRule(
            http.id, _name(http, OUT, "version check"), OUT, protocol, str(port),
            why=_("The version check URL {url} uses port {port}.")
            .format(url=settings.web.version_check_url, port=port)))
    return rules


def ldap_rules(settings: Settings) -> list[FirewallRule]:
    """The organisation's Space Directory."""
    ldap = BY_ID["ldap"]
    directory = settings.space_directory
    return [FirewallRule(
        ldap.id, _name(ldap, OUT), OUT, _protocols(ldap)[0], str(directory.port),
        _ip_literal(directory.host),
        _("Finding and publishing spaces on the Space Directory {host}.")
        .format(host=directory.host))]


def xrfb_rules(settings: Settings) -> list[FirewallRule]:
    """The Xrfb server's control port and its VNC displays, when an Xrfb server is set."""
    xrfb, vnc = BY_ID["xrfb"], BY_ID["vnc"]
    rules: list[FirewallRule] = []
    host = settings.xrfb.server_host_address
    if host:
        rules.append(FirewallRule(
            xrfb.id, _name(xrfb, OUT), OUT, _protocols(xrfb)[0],
            str(settings.xrfb.server_port_number), _ip_literal(host),
            _("Controlling shared applications on the Xrfb server {host}.").format(host=host)))
        rules.append(FirewallRule(
            vnc.id, _name(vnc, OUT), OUT, _protocols(vnc)[0], str(settings.xrfb.vnc_ports),
            _ip_literal(host),
            _("Showing and using shared applications from {host}.").format(host=host)))
    return rules


def chat_rules(settings: Settings) -> list[FirewallRule]:
    """The chat server, when one is set."""
    xmpp = BY_ID["xmpp"]
    rules: list[FirewallRule] = []
    chat = settings.chat
    if chat.server:
        if chat.port == xmpp.first_port:  # the standard port: direct TLS is tried as well
            ports = xmpp.ports_text
            why = _("Chat with {server}: port {starttls_port} with STARTTLS, {tls_port} with "
                    "direct TLS. If the domain's _xmpp-client._tcp record names another port, "
                    "allow that one.").format(server=chat.server, starttls_port=xmpp.first_port,
                                              tls_port=xmpp.last_port)
        else:  # a port the user typed means "connect here", nothing else
            ports = str(chat.port)
            why = _("Chat with {server} on the port in the settings.").format(server=chat.server)
        rules.append(FirewallRule(xmpp.id, _name(xmpp, OUT), OUT, _protocols(xmpp)[0], ports,
                                  _ip_literal(chat.server), why))
    return rules


def teatime_rules(settings: Settings) -> list[FirewallRule]:
    teatime = BY_ID["teatime"]
    (protocol,) = _protocols(teatime)
    ports = str(settings.router.ports)
    rules = [FirewallRule(teatime.id, _name(teatime, OUT), OUT, protocol, ports,
                          why=_("Connecting to other people's routers and spaces."))]
    if settings.router.mode is RouterMode.LAN_ONLY:
        rules.append(FirewallRule(
            teatime.id, _name(teatime, IN), IN, protocol, ports, LOCAL_SUBNET,
            _("LAN-only mode forwards nothing from the Internet, but computers on the local "
              "network still connect to your spaces: allow them, and only them.")))
    else:
        rules.append(FirewallRule(
            teatime.id, _name(teatime, IN), IN, protocol, ports,
            why=_("Peers reach your spaces on these ports (the router forwards them here).")))
    return rules


def router_rules(settings: Settings) -> list[FirewallRule]:
    """Finding the router and asking it to forward; none in LAN-only mode."""
    ssdp, upnp, natpmp = BY_ID["ssdp"], BY_ID["upnp"], BY_ID["natpmp"]
    rules: list[FirewallRule] = []
    if settings.router.mode is not RouterMode.LAN_ONLY:
        (protocol,) = _protocols(ssdp)
        ports = _catalogue_ports(ssdp)
        rules += [
            FirewallRule(ssdp.id, _name(ssdp, OUT), OUT, protocol, ports,
                         SSDP_MULTICAST_GROUP, _("Searching for the router (Internet gateway).")),
            FirewallRule(ssdp.id, _name(ssdp, "answers in"), IN, protocol, ports,
                         LOCAL_SUBNET, _("The router answers the search from this port."),
                         replies=True),
            FirewallRule(upnp.id, _name(upnp, OUT), OUT, _protocols(upnp)[0],
                         _catalogue_ports(upnp), LOCAL_SUBNET,
                         _("Asking the router to forward the TeaTime ports. The router "
                           "chooses the port it listens on, so any port on the local network; "
                           "needed only if your firewall filters outgoing traffic on the "
                           "local network.")),
            FirewallRule(natpmp.id, _name(natpmp, OUT), OUT, _protocols(natpmp)[0],
                         _catalogue_ports(natpmp), LOCAL_SUBNET,
                         _("Asking the router to forward ports when it has no UPnP "
                           "(NAT-PMP).")),
        ]
    return rules


def crqt_rules(settings: Settings) -> list[FirewallRule]:
    """Open Cobalt's own discovery of spaces on the local network."""
    crqt = BY_ID["crqt"]
    (protocol,) = _protocols(crqt)
    ports = _catalogue_ports(crqt)
    return [
        FirewallRule(crqt.id, _name(crqt, OUT), OUT, protocol, ports, CRQT_BROADCAST_ADDRESS,
                     _("Your spaces announce themselves to the local network.")),
        FirewallRule(crqt.id, _name(crqt, IN), IN, protocol, ports, LOCAL_SUBNET,
                     _("Seeing the spaces that others run on the local network.")),
    ]


def describe_rule(rule: FirewallRule) -> str:
    """One line for people: what the rule allows, and why."""
    protocol = rule.protocol.upper()
    first, last = rule.port_range
    count = last - first + 1
    if rule.remote == LOCAL_SUBNET:
        # Translators: where a rule allows traffic; inserted as {where} in "... on
        # {where}" and "... from {where}".
        where = _("the local network")
    elif rule.remote:
        where = ", ".join(rule.remote.split(","))
    else:
        # Translators: where a rule allows traffic; inserted as {where} in "... on
        # {where}" and "... from {where}".
        where = _("any address")
    if rule.ports == str(ALL_PORTS):
        # Translators: one line per firewall rule: {rule} is its name (not
        # translated), {protocol} TCP or UDP, {why} why Open Cobalt needs it
        # (sentences, maybe empty).
        line = _("{rule}: {protocol} to any port on {where}. {why}")
    elif rule.replies:
        # Translators: one line per firewall rule, for the answers a device sends
        # back: {rule} its name (not translated), {protocol} TCP or UDP, {ports}
        # one port or a range (6900-6909), {why} why Open Cobalt needs it
        # (sentences, maybe empty).
        line = ngettext("{rule}: {protocol} answers from port {ports} on {where}. {why}",
                        "{rule}: {protocol} answers from ports {ports} on {where}. {why}", count)
    elif rule.direction == OUT:
        # Translators: one line per firewall rule, for connections going out:
        # {rule} its name (not translated), {protocol} TCP or UDP, {ports} one
        # port or a range (6900-6909), {why} why Open Cobalt needs it (sentences,
        # maybe empty).
        line = ngettext("{rule}: {protocol} to port {ports} on {where}. {why}",
                        "{rule}: {protocol} to ports {ports} on {where}. {why}", count)
    else:
        # Translators: one line per firewall rule, for connections coming in:
        # {rule} its name (not translated), {protocol} TCP or UDP, {ports} one
        # port or a range (6900-6909), {why} why Open Cobalt needs it (sentences,
        # maybe empty).
        line = ngettext("{rule}: {protocol} port {ports} on this computer, from {where}. {why}",
                        "{rule}: {protocol} ports {ports} on this computer, from {where}. {why}",
                        count)
    return line.format(rule=rule.name, protocol=protocol, ports=rule.ports, where=where,
                       why=rule.why).rstrip()


def _short(rule: FirewallRule) -> str:
    """`TCP 6900-6909`, for lists inside a comment line."""
    # Translators: in a short list of what a firewall lets through, e.g. "TCP
    # any port".
    ports = _("any port") if rule.ports == str(ALL_PORTS) else rule.ports
    if rule.replies:
        # Translators: in a short list of what a firewall lets through: answers a
        # device sends from these ports, e.g. "UDP answers from 1900"; {protocol}
        # is TCP or UDP.
        return _("{protocol} answers from {ports}").format(protocol=rule.protocol.upper(),
                                                           ports=ports)
    return f"{rule.protocol.upper()} {ports}"


def _comment(text: str) -> str:
    """A comment line among shell commands."""
    return f"# {text}"


def _cmd_quoted(text: str) -> str:
    """`text` in double quotes for cmd.exe, which has no escape inside them: a quote would
    end the string and %NAME% would expand, so those are refused."""
    if any(char in text for char in '"%\r\n'):
        raise ValueError(f"{text!r} cannot be quoted for cmd.exe (it contains \", % or a "
                         "line break)")
    return f'"{text}"'


def windows_commands(rules: Iterable[FirewallRule]) -> list[str]:
    """One `netsh advfirewall firewall add rule` line per rule, for an administrator's
    Command Prompt. Rules for the local network apply to the Private profile only."""
    commands = []
    for rule in rules:
        port_key = "localport" if rule.direction == IN and not rule.replies else "remoteport"
        parts = [NETSH_ADD_RULE, f"name={_cmd_quoted(rule.name)}", f"dir={rule.direction}",
                 "action=allow", f"protocol={rule.protocol.upper()}", f"{port_key}={rule.ports}"]
        if rule.remote:
            parts.append(f"remoteip={rule.remote}")
        if rule.lan:
            parts.append("profile=private")
        commands.append(" ".join(parts))
    return commands


def macos_commands(rules: Iterable[FirewallRule], app_path: str = MACOS_APP) -> list[str]:
    """The application firewall allows or blocks an application, for incoming connections
    only: two commands cover every inbound rule, with comment lines saying what they do not."""
    inbound = [rule for rule in rules if rule.direction == IN]
    lines = [_comment(_("The application firewall decides per application and filters "
                        "incoming connections only: outgoing traffic is not filtered by it. "
                        "(pf, the packet filter, is out of scope here.)"))]
    if not inbound:
        return [*lines,
                _comment(_("Nothing comes in with these settings: no command is needed."))]
    accepted = ", ".join(_short(rule) for rule in inbound)
    # Translators: {accepted} lists protocols and ports, e.g. "TCP 6900-6909,
    # UDP 43215".
    lines.append(_comment(_("Allowing Open Cobalt lets it accept: {accepted}.")
                          .format(accepted=accepted)))
    if any(rule.remote for rule in inbound):
        lines.append(_comment(_("It cannot limit them to the local network: it allows the "
                                "application for every network.")))
    app = shlex.quote(app_path)
    return [*lines, f"sudo {SOCKETFILTERFW} --add {app}",
            f"sudo {SOCKETFILTERFW} --unblockapp {app}"]


def _networks(lan_networks: Sequence[str]) -> list[str]:
    """The networks as ufw and firewalld accept them; ValueError for anything else."""
    return [str(ipaddress.ip_network(network.strip(), strict=False))
            for network in lan_networks]


def _addresses(rule: FirewallRule, networks: Sequence[str]) -> list[str]:
    """The addresses a POSIX rule names, one command each: [] means any."""
    if rule.remote == LOCAL_SUBNET:
        return list(networks)
    return [address for address in rule.remote.split(",") if address]


def _lan_note(rules: Sequence[FirewallRule], networks: Sequence[str], tool: str) -> list[str]:
    if not any(rule.remote == LOCAL_SUBNET for rule in rules):
        return []
    # Translators: {tool} is ufw or firewalld; {networks} lists networks, e.g.
    # "10.0.0.0/8, 172.16.0.0/12".
    note = _("{tool} has no 'local network' keyword: rules for the local network name "
             "{networks}.").format(tool=tool, networks=", ".join(networks))
    if tuple(networks) == PRIVATE_NETWORKS:
        note += " " + _("These are all private networks: replace them with your own (for "
                        "example 192.168.1.0/24) to be stricter.")
    return [_comment(note)]


def _ufw_comment(name: str) -> str:
    # ufw 0.36 refuses a comment with "'" ("Comment may not contain"): a typographic
    # apostrophe reads the same.
    return shlex.quote(name.replace("'", "\u2019"))


def ufw_commands(rules: Iterable[FirewallRule],
                 lan_networks: Sequence[str] = PRIVATE_NETWORKS) -> list[str]:
    """`sudo ufw allow ...` lines (port ranges written 6900:6909), with a comment naming
    each rule; one line per address where a rule names several."""
    rules = list(rules)
    networks = _networks(lan_networks)
    lines = [_comment(_("ufw allows all outgoing traffic by default: the 'allow out' lines "
                        "matter only after 'sudo ufw default deny outgoing'.")),
             *_lan_note(rules, networks, "ufw")]
    for rule in rules:
        ports = rule.ports.replace("-", ":")
        comment = f"comment {_ufw_comment(rule.name)}"
        addresses = _addresses(rule, networks)
        if not addresses and not rule.replies:
            lines.append(f"sudo ufw allow {rule.direction} {ports}/{rule.protocol} {comment}")
            continue
        for address in addresses or ["any"]:
            where = shlex.quote(address)
            if rule.direction == OUT:
                match = f"to {where} port {ports}"
            elif rule.replies:
                match = f"from {where} port {ports}"
            else:
                match = f"from {where} to any port {ports}"
            lines.append(f"sudo ufw allow {rule.direction} proto {rule.protocol} {match} "
                         f"{comment}")
    return lines


def firewalld_commands(rules: Iterable[FirewallRule],
                       lan_networks: Sequence[str] = PRIVATE_NETWORKS) -> list[str]:
    """`firewall-cmd --permanent` lines for the inbound rules, then `--reload`.

    firewalld filters incoming traffic only (by default), so outbound rules become one
    comment line. A rule for certain addresses becomes a rich rule per address.
    """
    rules = list(rules)
    networks = _networks(lan_networks)
    outbound = [rule for rule in rules if rule.direction == OUT]
    inbound = [rule for rule in rules if rule.direction == IN]
    lines = []
    if outbound:
        listed = ", ".join(_short(rule) for rule in outbound)
        # Translators: {listed} lists protocols and ports, e.g. "UDP 53, TCP 80,
        # TCP 1389".
        lines.append(_comment(_("firewalld filters incoming traffic only by default: outgoing "
                                "{listed} need no command.").format(listed=listed)))
    lines += [_comment(_("These change the default zone; add --zone=NAME for another (see "
                         "'firewall-cmd --get-active-zones').")),
              *_lan_note(inbound, networks, "firewalld")]
    for rule in inbound:
        lines.append(f"# {rule.name}")
        addresses = _addresses(rule, networks)
        if not addresses:
            option = "--add-source-port" if rule.replies else "--add-port"
            lines.append(f"sudo firewall-cmd --permanent {option}={rule.ports}/{rule.protocol}")
        for address in addresses:
            family = f"ipv{ipaddress.ip_network(address, strict=False).version}"
            element = "source-port" if rule.replies else "port"
            rich = (f'rule family="{family}" source address="{address}" '
                    f'{element} port="{rule.ports}" protocol="{rule.protocol}" accept')
            lines.append(f"sudo firewall-cmd --permanent --add-rich-rule={shlex.quote(rich)}")
    lines.append("sudo firewall-cmd --reload")
    return lines


def _section(title: str, intro: Sequence[str], lines: Sequence[str]) -> str:
    return "\n".join([title, "-" * len(title), *intro, "", *lines])


SYSTEMS = ("windows", "macos", "linux")  # what this_system() can say


def this_system(platform: str = sys.platform) -> str:
    """The firewall family of this computer: "windows", "macos" or "linux"."""
    if platform.startswith("win"):
        return "windows"
    return "macos" if platform == "darwin" else "linux"


def firewall_text(rules: Sequence[FirewallRule], app_path: str = MACOS_APP,
                  lan_networks: Sequence[str] = PRIVATE_NETWORKS,
                  systems: Sequence[str] = SYSTEMS) -> str:
    """The rules and the commands of the firewalls of `systems` (all, by default; this
    computer's first, where the caller asks), as plain text to read and copy: one command
    per line, nothing to run by the program. The rules come from the checks' table
    (`cobalt_setup.checks.table.firewall_rules`)."""
    title = _("Firewall rules for Open Cobalt")
    overview = "\n".join([
        title, "=" * len(title),
        _("What Open Cobalt needs with the current settings. Cobalt Network Setup only shows "
          "these commands: copy the ones for your system and run them yourself, as an "
          "administrator."), "",
        *(f"- {describe_rule(rule)}" for rule in rules)])
    sections = {
        "windows": [_section(
            _("Windows (Windows Defender Firewall)"),
            [_("Run these in a Command Prompt opened as administrator (not PowerShell, which "
               "splits lists at commas). Windows allows outgoing connections unless an "
               "administrator changed that. Rules for the local network apply when Windows "
               "knows the network as Private.")],
            windows_commands(rules))],
        "macos": [_section(
            _("macOS (application firewall)"),
            [_("Run these in Terminal. If Open Cobalt is installed elsewhere, change the "
               "path.")],
            macos_commands(rules, app_path))],
        "linux": [
            _section(_("Linux with ufw"), [_("Run these in a terminal.")],
                     ufw_commands(rules, lan_networks)),
            _section(_("Linux with firewalld"), [_("Run these in a terminal.")],
                     firewalld_commands(rules, lan_networks))],
    }
    return "\n\n".join([overview, *(part for system in systems
                                     for part in sections[system])]) + "\n"


def other_systems(first: str) -> tuple[str, ...]:
    return tuple(system for system in SYSTEMS if system != first)


__all__ = [
    "LOCAL_SUBNET",
    "MACOS_APP",
    "PRIVATE_NETWORKS",
    "SYSTEMS",
    "FirewallRule",
    "describe_rule",
    "firewall_text",
    "firewalld_commands",
    "macos_commands",
    "other_systems",
    "this_system",
    "ufw_commands",
    "windows_commands",
]
