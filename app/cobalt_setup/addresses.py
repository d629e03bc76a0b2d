"""Parsing what users type for hosts, ports and ranges, with messages that name the rule.

Each parser takes the text as typed and returns a normalised value, or raises
`InvalidValue` whose message says which rule was broken in plain words.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from cobalt_setup.i18n import _

MAX_HOSTNAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
_SERVICE_LABEL = re.compile(r"_[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class InvalidValue(ValueError):
    """The text breaks a rule; the message says which one, for the user."""


@dataclass(frozen=True)
class PortRange:
    first: int
    last: int

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last

    def __len__(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Endpoint:
    """A host (name or IP literal) with an optional port."""

    host: str
    port: int | None = None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and self.port is not None else self.host
        return host if self.port is None else f"{host}:{self.port}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def parse_port(text: str) -> int:
    text = text.strip()
    if not text:
        # Translators: the rules broken by what was typed are shown after the
        # field's name and a colon ("Chat port: a port number is required"), so
        # they start lower case.
        raise InvalidValue(_("a port number is required"))
    if not text.isdigit() or not text.isascii():
        raise InvalidValue(_("{value} is not a port number: use digits only, 1 to 65535")
                           .format(value=_shown(text)))
    port = int(text)
    if not 1 <= port <= 65535:
        raise InvalidValue(_("{port} is not a port number: ports go from 1 to 65535")
                           .format(port=port))
    return port


def parse_port_range(text: str) -> PortRange:
    """`6900-6909` or a single port `6900`."""
    text = text.strip()
    if not text:
        raise InvalidValue(_("a port range is required, for example 6900-6909"))
    first_text, dash, last_text = text.partition("-")
    if not dash:
        port = parse_port(first_text)
        return PortRange(port, port)
    try:
        first, last = parse_port(first_text), parse_port(last_text)
    except InvalidValue as error:
        # Translators: {error} is the rule the port broke, e.g. "70000 is not a
        # port number: ports go from 1 to 65535".
        raise InvalidValue(_("in the range {range}, {error}")
                           .format(range=_shown(text), error=error)) from None
    if first > last:
        raise InvalidValue(_("the range {range} runs backwards: write the lower port first")
                           .format(range=text))
    return PortRange(first, last)


MAX_VNC_PORTS = 100  # displays 0-99 listen on 5900-5999: no VNC server uses more


def parse_vnc_ports(text: str) -> PortRange:
    """A port range of at most MAX_VNC_PORTS: a wider one is a typing mistake, and its ports
    could not all be checked within a check's time."""
    ports = parse_port_range(text)
    if len(ports) > MAX_VNC_PORTS:
        # Translators: {range} is what was typed, e.g. "1024-65535"; {count} its size
        raise InvalidValue(_("the range {range} has {count} ports: a VNC range has at most "
                             "{most} (displays 0-99 listen on ports 5900-5999)").format(
                                 range=_shown(text.strip()), count=len(ports),
                                 most=MAX_VNC_PORTS))
    return ports


def parse_ip(text: str) -> str:
    """An IPv4 or IPv6 literal (IPv6 with or without brackets), in canonical form."""
    text = text.strip()
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        raise InvalidValue(_("{value} is not an IPv4 or IPv6 address")
                           .format(value=_shown(text))) from None


def parse_hostname(text: str) -> str:
    """A DNS host name (international names allowed) or an IP literal."""
    text = text.strip()
    if not text:
        raise InvalidValue(_("a host name or address is required"))
    if any(ch.isspace() for ch in text):
        raise InvalidValue(_("{value} contains a space: host names cannot have spaces")
                           .format(value=_shown(text)))
    if ":" in text or text.startswith("["):
        return parse_ip(text)
    labels = text.rstrip(".").split(".")
    if all(label.isdigit() for label in labels):
        return parse_ip(text)
    if len(text.rstrip(".")) > MAX_HOSTNAME_LENGTH:
        raise InvalidValue(
            _("the name is {length} characters long: host names have at most {maximum}")
            .format(length=len(text), maximum=MAX_HOSTNAME_LENGTH)
        )
    for label in labels:
        if not label:
            raise InvalidValue(_("{value} has an empty part between dots")
                               .format(value=_shown(text)))
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidValue(
                _("the part {part} is {length} characters long: each part between dots has "
                  "at most {maximum}")
                .format(part=_shown(label), length=len(label), maximum=MAX_LABEL_LENGTH)
            )
    try:
        ascii_name = idna.encode(text.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidValue(
            # Translators: {error} is the IDNA library's own explanation, in English.
            _("{value} is not a valid host name: use letters, digits and hyphens between dots "
              "({error})").format(value=_shown(text), error=error)
        ) from None
    if len(ascii_name) > MAX_HOSTNAME_LENGTH:
        raise InvalidValue(
            _("the name is {length} characters long once encoded for DNS: host names have at "
              "most {maximum}").format(length=len(ascii_name), maximum=MAX_HOSTNAME_LENGTH)
        )
    return text.rstrip(".").lower()


def parse_endpoint(text: str, *, names_allowed: bool = True) -> Endpoint:
    """`host`, `host:port`, `1.2.3.4:53`, `[2001:db8::1]:53` or a bare IPv6 literal."""
    text = text.strip()
    parse_host = parse_hostname if names_allowed else parse_ip
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise InvalidValue(_("{value} opens '[' without closing it")
                               .format(value=_shown(text)))
        host, rest = parse_ip(text[1:close]), text[close + 1 :]
        if not rest:
            return Endpoint(host)
        if not rest.startswith(":"):
            raise InvalidValue(_("{value}: after ']' write ':' and the port")
                               .format(value=_shown(text)))
        return Endpoint(host, parse_port(rest[1:]))
    if text.count(":") > 1:  # a bare IPv6 literal cannot carry a port
        return Endpoint(parse_ip(text))
    host_text, colon, port_text = text.partition(":")
    host = parse_host(host_text)
    return Endpoint(host, parse_port(port_text) if colon else None)


def parse_server_list(text: str) -> tuple[Endpoint, ...]:
    """Comma-separated resolver addresses (IP or IP:port); empty means the system's."""
    servers: list[Endpoint] = []
    for item in text.split(","):
        if not item.strip():
            continue
        try:
            servers.append(parse_endpoint(item, names_allowed=False))
        except InvalidValue as error:
            # Translators: {error} is the rule the server's address broke.
            raise InvalidValue(_("{error} (DNS servers are given by address)")
                               .format(error=error)) from None
    return tuple(servers)


def parse_stun_servers(text: str) -> tuple[Endpoint, ...]:
    """Comma-separated STUN servers (host or host:port, names allowed); empty means none."""
    servers: list[Endpoint] = []
    for item in text.split(","):
        if item.strip():
            servers.append(parse_endpoint(item))
    return tuple(servers)


def parse_service_type(text: str) -> str:
    """A DNS-SD service type such as `_cobalt-dispatcher._tcp`."""
    text = text.strip().rstrip(".")
    parts = text.split(".")
    if (
        len(parts) != 2
        or not _SERVICE_LABEL.fullmatch(parts[0])
        or parts[1].lower() not in ("_tcp", "_udp")
    ):
        raise InvalidValue(
            _("{value} is not a service type: write it as _name._tcp or _name._udp")
            .format(value=_shown(text))
        )
    return text


def parse_http_url(text: str) -> str:
    text = text.strip()
    if any(ch.isspace() for ch in text):
        raise InvalidValue(_("{value} contains a space: a URL cannot have spaces")
                           .format(value=_shown(text)))
    try:
        parts = urlsplit(text)
    except ValueError:  # "http://[::1/": an IPv6 address without its closing bracket
        raise InvalidValue(_("{value} is not a web address: a [ in it has no matching ]")
                           .format(value=_shown(text))) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(_("{value} is not a web address: start it with http://")
                           .format(value=_shown(text)))
    try:
        parse_endpoint(parts.netloc.rpartition("@")[2])
    except InvalidValue as error:
        # Translators: {error} is the rule the host part of the address broke.
        raise InvalidValue(_("the host of {url}: {error}")
                           .format(url=_shown(text), error=error)) from None
    return text
