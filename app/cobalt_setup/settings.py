"""The settings the wizard edits, as plain data, and the rules they must follow.

`FIELDS` is the one list of every setting: its INI section and key (named after Open
Cobalt's preference labels), the label the wizard shows, its default and its parser.
Pages, the INI file and the command line all go through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cobalt_setup import addresses
from cobalt_setup.addresses import Endpoint, InvalidValue, PortRange
from cobalt_setup.i18n import N_, _
from cobalt_setup.services import BY_ID, GOOGLE_DNS, PUBLIC_STUN_SERVERS


class RouterMode(str, Enum):
    """How peers outside the LAN reach this machine's router (see cobalt-router.conf)."""

    UPNP = "upnp"
    MANUAL = "manual"
    LAN_ONLY = "lan-only"


def _parse_mode(text: str) -> RouterMode:
    try:
        return RouterMode(text.strip().lower())
    except ValueError:
        choices = ", ".join(mode.value for mode in RouterMode)
        # Translators: {choices} lists the modes as written in the settings file:
        # "upnp, manual, lan-only" (not translated).
        raise InvalidValue(_("{value} is not a router mode: use one of {choices}")
                           .format(value=repr(text.strip()), choices=choices)) from None


def _optional(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """Empty text is allowed and means 'not set'."""

    def parse_or_empty(text: str) -> Any:
        return "" if not text.strip() else parse(text)

    return parse_or_empty


def _format(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


# The two files a setting can live in. Each setting lives in one of them only: it is read
# from there and written there, so the two can never disagree about what Open Cobalt uses.
INI_FILE = "general-preferences.ini"  # the per-user stand-in for the General Preferences
ROUTER_CONF_FILE = "cobalt-router.conf"  # in Open Cobalt's folder; Open Cobalt reads it


@dataclass(frozen=True)
class Field:
    """One setting: its [section] and key, the file it lives in, and how it is checked.

    `label` and `help` are English, marked with N_(): show them with `_()`.
    """

    section: str
    key: str
    attribute: str  # "section_attr.field_attr" in `Settings`
    label: str
    default: str
    parse: Callable[[str], Any]
    help: str = ""
    home: str = INI_FILE  # or ROUTER_CONF_FILE

    @property
    def id(self) -> tuple[str, str]:
        return (self.section, self.key)

    def check(self, text: str) -> Any:
        """The parsed value, or `FieldError` naming this field and the rule."""
        try:
            return self.parse(text)
        except InvalidValue as error:
            raise FieldError(self, str(error)) from None


class FieldError(ValueError):
    def __init__(self, field: Field, reason: str) -> None:
        # Translators: a setting's name, then the rule its value breaks (lower
        # case).
        super().__init__(_("{field}: {rule}").format(field=_(field.label), rule=reason))
        self.field = field
        self.reason = reason


class SettingsInvalid(ValueError):
    """One or more fields break their rules; `errors` lists each of them."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors

    def located(self, where: Callable[[Field], str]) -> str:
        """One line per broken field, each prefixed with where it was read ("file, line 4")."""
        # Translators: {where} is "FILE, line N" or "FILE"; [{section}] {key} name
        # the setting as written in the file (not translated); {rule} is the rule
        # broken (lower case).
        line = _("{where}: [{section}] {key}: {rule}")
        return "\n".join(line.format(where=where(error.field), section=error.field.section,
                                      key=error.field.key, rule=error.reason)
                          for error in self.errors)


_TEATIME = BY_ID["teatime"]
_VNC = BY_ID["vnc"]

FIELDS: tuple[Field, ...] = (
    Field("DNS", "Servers", "dns.servers", N_("DNS servers"),
          ", ".join(GOOGLE_DNS), addresses.parse_server_list,
          N_("Addresses, separated by commas (IP or IP:port). Empty uses this computer's "
             "own resolver. Open Cobalt's default is Google DNS.")),
    Field("DNS", "DispatcherDomain", "dns.dispatcher_domain", N_("Dispatcher domain"),
          "", _optional(addresses.parse_hostname),
          N_("The domain in which to look for a dispatcher with DNS service discovery. "
             "Leave empty if your organisation runs none.")),
    Field("DNS", "DispatcherService", "dns.dispatcher_service", N_("Dispatcher service type"),
          "_cobalt-dispatcher._tcp", addresses.parse_service_type,
          N_("The DNS-SD service type a dispatcher is published under.")),
    Field("SpaceDirectory", "Host", "space_directory.host", N_("Space Directory host"),
          "ldap.opencobalt.net", addresses.parse_hostname,
          N_("The LDAP server where spaces are published and found.")),
    Field("SpaceDirectory", "Port", "space_directory.port", N_("Space Directory port"),
          str(BY_ID["ldap"].first_port), addresses.parse_port),
    Field("Xrfb", "ServerHostAddress", "xrfb.server_host_address",
          N_("Xrfb Server Host Address"),
          "", _optional(addresses.parse_hostname),
          N_("The machine that runs the Xrfb application service. Leave empty if you do not "
             "use shared applications.")),
    Field("Xrfb", "ServerPortNumber", "xrfb.server_port_number", N_("Xrfb Server Port Number"),
          str(BY_ID["xrfb"].first_port), addresses.parse_port),
    Field("Xrfb", "VncPorts", "xrfb.vnc_ports", N_("VNC ports"),
          _VNC.ports_text, addresses.parse_vnc_ports,
          N_("The VNC ports of the Xrfb server Open Cobalt connects to.")),
    Field("Chat", "Server", "chat.server", N_("Chat server"),
          "", _optional(addresses.parse_hostname),
          N_("Your Jabber (XMPP) server. Leave empty if you do not use chat.")),
    Field("Chat", "Port", "chat.port", N_("Chat port"),
          str(BY_ID["xmpp"].first_port), addresses.parse_port),
    Field("Router", "Mode", "router.mode", N_("Router mode"),
          RouterMode.UPNP.value, _parse_mode, home=ROUTER_CONF_FILE),
    Field("Router", "Ports", "router.ports", N_("TeaTime ports"),
          _TEATIME.ports_text, addresses.parse_port_range,
          N_("Peers outside your network reach your spaces on these TCP ports.")),
    Field("Router", "DispatcherPort", "router.dispatcher_port", N_("Dispatcher port"),
          str(_TEATIME.first_port), addresses.parse_port,
          N_("The port your router's dispatcher listens on; one of the TeaTime ports."),
          home=ROUTER_CONF_FILE),
    Field("Router", "LocalAddress", "router.local_address", N_("Local address"),
          "", _optional(addresses.parse_ip),
          N_("This computer's address on the LAN. Leave empty to let Open Cobalt detect it."),
          home=ROUTER_CONF_FILE),
    Field("Router", "StunServers", "router.stun_servers", N_("STUN servers"),
          ", ".join(PUBLIC_STUN_SERVERS), addresses.parse_stun_servers,
          N_("Servers on the Internet that tell which address and port they see this "
             "computer as (host or host:port, separated by commas; STUN's port is 3478 when "
             "none is given). Empty switches the check off.")),
    Field("Web", "VersionCheckURL", "web.version_check_url", N_("Version check URL"),
          "http://www.opencobalt.net/", addresses.parse_http_url),
)

FIELDS_BY_ID: dict[tuple[str, str], Field] = {f.id: f for f in FIELDS}
INI_FIELDS = tuple(f.id for f in FIELDS if f.home == INI_FILE)
ROUTER_CONF_FIELDS = tuple(f.id for f in FIELDS if f.home == ROUTER_CONF_FILE)


@dataclass(frozen=True)
class DnsSettings:
    servers: tuple[Endpoint, ...]
    dispatcher_domain: str
    dispatcher_service: str


@dataclass(frozen=True)
class SpaceDirectorySettings:
    host: str
    port: int


@dataclass(frozen=True)
class XrfbSettings:
    server_host_address: str
    server_port_number: int
    vnc_ports: PortRange


@dataclass(frozen=True)
class ChatSettings:
    server: str
    port: int


@dataclass(frozen=True)
class RouterSettings:
    mode: RouterMode
    ports: PortRange
    dispatcher_port: int
    local_address: str
    stun_servers: tuple[Endpoint, ...]


@dataclass(frozen=True)
class WebSettings:
    version_check_url: str


@dataclass(frozen=True)
class Settings:
    dns: DnsSettings
    space_directory: SpaceDirectorySettings
    xrfb: XrfbSettings
    chat: ChatSettings
    router: RouterSettings
    web: WebSettings

    @classmethod
    def defaults(cls) -> Settings:
        return cls.from_texts({})

    @classmethod
    def from_texts(cls, texts: Mapping[tuple[str, str], str]) -> Settings:
        """Settings from (section, key) -> text; missing keys take their defaults.

        Raises `SettingsInvalid` listing every field that breaks a rule.
        """
        values, errors = parse_texts(texts)
        if errors:
            raise SettingsInvalid(errors)
        return cls(**{group: _GROUP_TYPES[group](**values[group]) for group in _GROUP_TYPES})

    def texts(self) -> dict[tuple[str, str], str]:
        """Each field as the text written to the INI file."""
        out = {}
        for f in FIELDS:
            group, name = f.attribute.split(".")
            out[f.id] = _format(getattr(getattr(self, group), name))
        return out

    def with_texts(self, texts: Mapping[tuple[str, str], str]) -> Settings:
        return Settings.from_texts({**self.texts(), **texts})


_GROUP_TYPES: dict[str, type] = {
    "dns": DnsSettings,
    "space_directory": SpaceDirectorySettings,
    "xrfb": XrfbSettings,
    "chat": ChatSettings,
    "router": RouterSettings,
    "web": WebSettings,
}


def parse_texts(
    texts: Mapping[tuple[str, str], str],
) -> tuple[dict[str, dict[str, Any]], list[FieldError]]:
    """Every field parsed (missing ones from defaults), and every rule broken."""
    values: dict[str, dict[str, Any]] = {}
    errors: list[FieldError] = []
    for f in FIELDS:
        group, name = f.attribute.split(".")
        try:
            values.setdefault(group, {})[name] = f.check(texts.get(f.id, f.default))
        except FieldError as error:
            errors.append(error)
    errors.extend(cross_field_errors(values))
    return values, errors


def cross_field_errors(values: Mapping[str, Mapping[str, Any]]) -> list[FieldError]:
    """Rules that involve two fields at once."""
    router = values.get("router", {})
    ports, dispatcher_port = router.get("ports"), router.get("dispatcher_port")
    if (
        isinstance(ports, PortRange)
        and isinstance(dispatcher_port, int)
        and dispatcher_port not in ports
    ):
        return [FieldError(FIELDS_BY_ID["Router", "DispatcherPort"],
                           _("{port} is outside the TeaTime ports {ports}: choose one of them")
                           .format(port=dispatcher_port, ports=str(ports)))]
    return []


@dataclass(frozen=True)
class Change:
    """A field whose text differs between what is on disk and what will be written."""

    field: Field
    old: str | None  # None: the file does not have it yet
    new: str | None  # None: the key leaves this file (it lives in the other one)


def changes_between(old: Mapping[tuple[str, str], str] | None, new: Settings,
                    home: str = INI_FILE) -> list[Change]:
    """What writing `new` changes in the file `home`, field by field, in catalogue order."""
    result = []
    for key, new_text in new.texts().items():
        if FIELDS_BY_ID[key].home != home:
            continue
        old_text = None if old is None else old.get(key)
        if old_text is None or old_text.strip() != new_text:
            result.append(Change(FIELDS_BY_ID[key], old_text, new_text))
    return result
