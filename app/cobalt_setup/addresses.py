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
        raise InvalidValue("a port number is required")
    if not text.isdigit() or not text.isascii():
        raise InvalidValue(f"{_shown(text)} is not a port number: use digits only, 1 to 65535")
    port = int(text)
    if not 1 <= port <= 65535:
        raise InvalidValue(f"{port} is not a port number: ports go from 1 to 65535")
    return port


def parse_port_range(text: str) -> PortRange:
    """`6900-6909` or a single port `6900`."""
    text = text.strip()
    if not text:
        raise InvalidValue("a port range is required, for example 6900-6909")
    first_text, dash, last_text = text.partition("-")
    if not dash:
        port = parse_port(first_text)
        return PortRange(port, port)
    try:
        first, last = parse_port(first_text), parse_port(last_text)
    except InvalidValue as error:
        raise InvalidValue(f"in the range {_shown(text)}, {error}") from None
    if first > last:
        raise InvalidValue(f"the range {text} runs backwards: write the lower port first")
    return PortRange(first, last)


def parse_ip(text: str) -> str:
    """An IPv4 or IPv6 literal (IPv6 with or without brackets), in canonical form."""
    text = text.strip()
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        raise InvalidValue(f"{_shown(text)} is not an IPv4 or IPv6 address") from None


def parse_hostname(text: str) -> str:
    """A DNS host name (international names allowed) or an IP literal."""
    text = text.strip()
    if not text:
        raise InvalidValue("a host name or address is required")
    if any(ch.isspace() for ch in text):
        raise InvalidValue(f"{_shown(text)} contains a space: host names cannot have spaces")
    if ":" in text or text.startswith("["):
        return parse_ip(text)
    labels = text.rstrip(".").split(".")
    if all(label.isdigit() for label in labels):
        return parse_ip(text)
    if len(text.rstrip(".")) > MAX_HOSTNAME_LENGTH:
        raise InvalidValue(
            f"the name is {len(text)} characters long: host names have at most "
            f"{MAX_HOSTNAME_LENGTH}"
        )
    for label in labels:
        if not label:
            raise InvalidValue(f"{_shown(text)} has an empty part between dots")
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidValue(
                f"the part {_shown(label)} is {len(label)} characters long: each part "
                f"between dots has at most {MAX_LABEL_LENGTH}"
            )
    try:
        ascii_name = idna.encode(text.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidValue(
            f"{_shown(text)} is not a valid host name: use letters, digits and hyphens "
            f"between dots ({error})"
        ) from None
    if len(ascii_name) > MAX_HOSTNAME_LENGTH:
        raise InvalidValue(
            f"the name is {len(ascii_name)} characters long once encoded for DNS: "
            f"host names have at most {MAX_HOSTNAME_LENGTH}"
        )
    return text.rstrip(".").lower()


def parse_endpoint(text: str, *, names_allowed: bool = True) -> Endpoint:
    """`host`, `host:port`, `1.2.3.4:53`, `[2001:db8::1]:53` or a bare IPv6 literal."""
    text = text.strip()
    parse_host = parse_hostname if names_allowed else parse_ip
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise InvalidValue(f"{_shown(text)} opens '[' without closing it")
        host, rest = parse_ip(text[1:close]), text[close + 1 :]
        if not rest:
            return Endpoint(host)
        if not rest.startswith(":"):
            raise InvalidValue(f"{_shown(text)}: after ']' write ':' and the port")
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
            raise InvalidValue(f"{error} (DNS servers are given by address)") from None
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
            f"{_shown(text)} is not a service type: write it as _name._tcp or _name._udp"
        )
    return text


def parse_http_url(text: str) -> str:
    text = text.strip()
    if any(ch.isspace() for ch in text):
        raise InvalidValue(f"{_shown(text)} contains a space: a URL cannot have spaces")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(f"{_shown(text)} is not a web address: start it with http://")
    try:
        parse_endpoint(parts.netloc.rpartition("@")[2])
    except InvalidValue as error:
        raise InvalidValue(f"the host of {_shown(text)}: {error}") from None
    return text
