"""A simulated home router (UPnP Internet Gateway Device) on loopback, for the quirks that a
real miniupnpd cannot be made to show: routers that only take permanent leases, only
WANPPPConnection, IGD v1 only, an XML bomb or a 50 MB description, a LOCATION or a
controlURL on another host than the one that answered, a redirect, a router that answers
SOAP after 10 s, two routers answering.

Hand-written rather than taken from a library: async-upnp-client has a UPnP server
(`async_upnp_client.server`) but it cannot misbehave in these ways (no bomb, no redirect,
no absolute controlURL on another host, no slow answers) and keeps no record of the calls.

One simulator is one router:
- SSDP: a UDP socket on `ssdp_host:<free port>` that answers a UNICAST M-SEARCH (the
  product is given `ssdp_address` instead of 239.255.255.250:1900) whose ST is
  `ssdp:all`, `upnp:rootdevice`, the root UDN, or the type of any device or service of its
  tree, at the same or a lower version (an IGD:2 answers a search for IGD:1, as UDA asks;
  an IGD:1 ignores a search for IGD:2). `ssdp:all` gets one reply per target, like
  miniupnpd. The reply goes back to the sender at once (or after `ssdp_delay_s`).
- HTTP (aiohttp's low-level server, one listener per loopback host it needs): the device
  description at /rootDesc.xml, the SCPDs, the SOAP control URLs and the event URLs (a
  SUBSCRIBE is answered with a SID so that a careless client would succeed; it is
  recorded, since the product must never SUBSCRIBE). Every listener serves every path,
  so `http_requests` tells which host a client really went to.
- SOAP like a real router: a mapping table keyed by (remote host, external port,
  protocol), with UPnP errors 402, 606, 713, 714, 716, 718, 725, 730 as the IGD specs
  define them, answered as proper SOAP faults (HTTP 500 and a UPnPError element).
  WANIPConnection:2 also lists a range of ports (GetListOfPortMappings), or cuts that
  listing short, or answers it with an XML bomb or garbage (`port_listing`).

It runs in a thread with its own asyncio loop, so sync tests, pytest-asyncio tests, qasync
GUI tests and CLI subprocesses can all talk to it. `start()` returns once it listens;
`stop()` ends everything (an answer held back by `soap_delay_s` is dropped) and joins the
thread. The records (`calls`, `http_requests`, `searches`, `huge_bytes_sent`) are appended
to in that thread and meant to be read by the test after the client has had its answer.

Behaviour chosen where routers differ (the real miniupnpd tests cover miniupnpd's):
- DeletePortMapping of a missing mapping is error 714 (the spec); miniupnpd 2.3.1 answers
  success instead.
- RemoteHost "0.0.0.0" is taken as the wildcard "" (miniupnpd answers 718 to a renewal
  made with 0.0.0.0).
- WANIPConnection:2 stores a lease of 0 as 604800 s (one week) and caps longer leases
  there, as the IGD2 spec and miniupnpd do; v1 services keep 0 (permanent). Leases never
  expire here.
- `secure_mode` (off by default, since on loopback the product maps to its LAN address,
  not to 127.0.0.1): a mapping for another host than the SOAP sender is 718, deleting
  one is 606, like miniupnpd's secure_mode.
- A delayed SOAP call is recorded when it arrives and takes effect when it is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

import defusedxml.ElementTree as DefusedET
from aiohttp import web

START_TIMEOUT = 5.0  # seconds start() waits for the listeners
STOP_TIMEOUT = 5.0  # seconds stop() waits for the thread
HANDLER_SHUTDOWN_TIMEOUT = 1.0  # seconds stop() gives a running HTTP handler
HUGE_DESCRIPTION_SIZE = 50 * 1024 * 1024  # bytes the "huge" description streams
HUGE_CHUNK_SIZE = 64 * 1024
DEFAULT_EXTERNAL_ADDRESS = "81.2.69.1"  # an ordinary public address (never contacted)
DEFAULT_REDIRECT_HOST = "127.0.0.3"
ONE_WEEK_S = 604800  # the IGD2 maximum lease, and what it makes of a lease of 0

SOAP_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CONTROL_NS = "urn:schemas-upnp-org:control-1-0"
DEVICE_TYPE = "urn:schemas-upnp-org:device:{name}:{version}"
SERVICE_TYPE = "urn:schemas-upnp-org:service:{name}:{version}"

DESCRIPTION_PATH = "/rootDesc.xml"
REDIRECTED_DESCRIPTION_PATH = "/igd/rootDesc.xml"
CONNECTIONS = ("WANIPConnection:2", "WANIPConnection:1", "WANPPPConnection:1")
DESCRIPTIONS = ("normal", "xml_bomb", "huge", "redirect", "garbage")
PORT_LISTINGS = ("normal", "none", "truncated", "xml_bomb", "garbage")
GARBAGE_DESCRIPTION = (b"<html><head><title>Router login</title></head><body>Please log in"
                       b" <<< this is not XML & never will be\x00\x01</body>")

UPNP_ERRORS = {
    401: "Invalid Action",
    402: "Invalid Args",
    501: "Action Failed",
    606: "Action not authorized",
    713: "SpecifiedArrayIndexInvalid",
    714: "NoSuchEntryInArray",
    715: "WildCardNotPermittedInSrcIP",
    716: "WildCardNotPermittedInExtPort",
    718: "ConflictInMappingEntry",
    724: "SamePortValuesRequired",
    725: "OnlyPermanentLeasesSupported",
    726: "RemoteHostOnlySupportsWildcard",
    727: "ExternalPortOnlySupportsWildcard",
    728: "NoPortMapsAvailable",
    729: "ConflictWithOtherMechanisms",
    730: "PortMappingNotFound",
}


# -- what the tests pass in and read back -----------------------------------------------------

@dataclass(frozen=True)
class PortMapping:
    """One row of the router's port mapping table, as GetGenericPortMappingEntry shows it."""

    external_port: int
    protocol: str  # "TCP" or "UDP"
    internal_client: str
    internal_port: int
    description: str = ""
    lease_duration: int = 0  # seconds; 0 is permanent
    enabled: bool = True
    remote_host: str = ""  # "" is any remote host

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.remote_host, self.external_port, self.protocol)


Mapping = PortMapping  # the name the lab's brief uses


@dataclass(frozen=True)
class SoapCall:
    """A SOAP request as the router received it (recorded before it is acted on)."""

    action: str
    arguments: dict[str, str]
    client: tuple[str, int]  # the sender's address and port
    server_host: str  # the loopback address it arrived on (control_url_host or not)
    path: str
    service_type: str  # from the SOAPAction header


class HttpRequestRecord(NamedTuple):
    """Any HTTP request (GET, POST, SUBSCRIBE...); `host` is the address it arrived on."""

    method: str
    path: str
    host: str


@dataclass(frozen=True)
class SsdpSearch:
    """An M-SEARCH as received; header names upper-cased."""

    sender: tuple[str, int]
    headers: dict[str, str]

    @property
    def search_target(self) -> str:
        return self.headers.get("ST", "")


@dataclass(frozen=True)
class IgdQuirks:
    """How this router misbehaves; the defaults are a well-behaved IGD v2 router."""

    igd_version: int = 2
    connection: str | None = None  # None: WANIPConnection:2 on IGD v2, :1 on IGD v1
    only_permanent_leases: bool = False  # a lease other than 0 -> 725
    external_address: str = DEFAULT_EXTERNAL_ADDRESS  # "" or "100.64.1.2" behind CGNAT
    refuse_mapping_code: int | None = None  # every AddPortMapping fails with it (501)
    existing: Sequence[PortMapping] = ()  # mappings someone else made before (kept in order)
    action_errors: dict[str, int] = field(default_factory=dict)  # action -> forced error
    description: str = "normal"  # normal | xml_bomb | huge | redirect | garbage
    huge_size: int = HUGE_DESCRIPTION_SIZE
    huge_declares_length: bool = False  # False: chunked, the size is not announced
    redirect_host: str = DEFAULT_REDIRECT_HOST  # where description="redirect" sends to
    location_host: str | None = None  # host written in LOCATION, also listened on
    control_url_host: str | None = None  # absolute controlURL on this host, listened on
    soap_delay_s: float = 0.0  # every SOAP answer waits this long
    description_delay_s: float = 0.0  # the device description waits this long
    ssdp_delay_s: float = 0.0  # every SSDP reply waits this long (no MX wait otherwise)
    ssdp_host: str = "127.0.0.1"  # SSDP and HTTP listen here (ports picked freely)
    secure_mode: bool = False  # only the SOAP sender may be the internal client
    friendly_name: str | None = None
    # GetListOfPortMappings (WANIPConnection:2 only): normal; none (not offered); truncated
    # (only the first mapping of the range, as routers that cap their listing); xml_bomb or
    # garbage instead of the listing document
    port_listing: str = "normal"

    def __post_init__(self) -> None:
        if self.igd_version not in (1, 2):
            raise ValueError(f"igd_version must be 1 or 2, not {self.igd_version!r}")
        if self.connection is None:
            object.__setattr__(self, "connection", f"WANIPConnection:{self.igd_version}")
        if self.connection not in CONNECTIONS:
            raise ValueError(f"connection must be one of {CONNECTIONS}, not {self.connection!r}")
        if self.igd_version == 1 and self.connection == "WANIPConnection:2":
            raise ValueError("an IGD v1 router has no WANIPConnection:2")
        if self.description not in DESCRIPTIONS:
            raise ValueError(f"description must be one of {DESCRIPTIONS}")
        if self.port_listing not in PORT_LISTINGS:
            raise ValueError(f"port_listing must be one of {PORT_LISTINGS}")
        object.__setattr__(self, "existing", tuple(self.existing))

    @property
    def connection_name(self) -> str:
        return str(self.connection).split(":")[0]

    @property
    def connection_version(self) -> int:
        return int(str(self.connection).split(":")[1])

    @property
    def connection_type(self) -> str:
        return SERVICE_TYPE.format(name=self.connection_name, version=self.connection_version)


class UpnpFault(Exception):
    """An action's UPnP error, answered as a SOAP fault."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# -- the documents --------------------------------------------------------------------------

# (name, direction, related state variable) per action; the SCPDs are written from these
# tables and the SOAP handler checks the in-arguments against them.
_ENTRY_OUT = [("NewInternalPort", "out", "InternalPort"),
              ("NewInternalClient", "out", "InternalClient"),
              ("NewEnabled", "out", "PortMappingEnabled"),
              ("NewPortMappingDescription", "out", "PortMappingDescription"),
              ("NewLeaseDuration", "out", "PortMappingLeaseDuration")]
_MAPPING_KEY_IN = [("NewRemoteHost", "in", "RemoteHost"),
                   ("NewExternalPort", "in", "ExternalPort"),
                   ("NewProtocol", "in", "PortMappingProtocol")]
_MAPPING_IN = [*_MAPPING_KEY_IN,
               *[(name, "in", variable) for name, _, variable in _ENTRY_OUT[:4]],
               ("NewLeaseDuration", "in", "PortMappingLeaseDuration")]
CONNECTION_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    "GetConnectionTypeInfo": [("NewConnectionType", "out", "ConnectionType"),
                              ("NewPossibleConnectionTypes", "out", "PossibleConnectionTypes")],
    "GetStatusInfo": [("NewConnectionStatus", "out", "ConnectionStatus"),
                      ("NewLastConnectionError", "out", "LastConnectionError"),
                      ("NewUptime", "out", "Uptime")],
    "GetExternalIPAddress": [("NewExternalIPAddress", "out", "ExternalIPAddress")],
    "GetGenericPortMappingEntry": [("NewPortMappingIndex", "in", "PortMappingNumberOfEntries"),
                                   *[(name, "out", variable)
                                     for name, _, variable in _MAPPING_KEY_IN],
                                   *_ENTRY_OUT],
    "GetSpecificPortMappingEntry": [*_MAPPING_KEY_IN, *_ENTRY_OUT],
    "AddPortMapping": _MAPPING_IN,
    "DeletePortMapping": _MAPPING_KEY_IN,
}
V2_ONLY_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    "AddAnyPortMapping": [*_MAPPING_IN, ("NewReservedPort", "out", "ExternalPort")],
    "GetListOfPortMappings": [("NewStartPort", "in", "ExternalPort"),
                              ("NewEndPort", "in", "ExternalPort"),
                              ("NewProtocol", "in", "PortMappingProtocol"),
                              ("NewManage", "in", "A_ARG_TYPE_Manage"),
                              ("NewNumberOfPorts", "in", "PortMappingNumberOfEntries"),
                              ("NewPortListing", "out", "A_ARG_TYPE_PortListing")],
}
LISTING_NS = "urn:schemas-upnp-org:gw:WANIPConnection"
_LISTING_NAMES = [("NewRemoteHost", "remote_host"), ("NewExternalPort", "external_port"),
                  ("NewProtocol", "protocol"), ("NewInternalPort", "internal_port"),
                  ("NewInternalClient", "internal_client"), ("NewEnabled", "enabled"),
                  ("NewDescription", "description"), ("NewLeaseTime", "lease_duration")]
COMMON_IFC_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    "GetCommonLinkProperties": [
        ("NewWANAccessType", "out", "WANAccessType"),
        ("NewLayer1UpstreamMaxBitRate", "out", "Layer1UpstreamMaxBitRate"),
        ("NewLayer1DownstreamMaxBitRate", "out", "Layer1DownstreamMaxBitRate"),
        ("NewPhysicalLinkStatus", "out", "PhysicalLinkStatus")],
    # upnpc -s asks for these counters; a router that answers 401 to them is rare.
    **{f"GetTotal{counter}": [(f"NewTotal{counter}", "out", f"Total{counter}")]
       for counter in ("BytesSent", "BytesReceived", "PacketsSent", "PacketsReceived")},
}


@dataclass(frozen=True)
class _StateVariable:
    name: str
    data_type: str
    send_events: bool = False
    allowed_values: tuple[str, ...] = ()
    allowed_range: tuple[int, int] | None = None


_LAST_CONNECTION_ERRORS = ("ERROR_NONE", "ERROR_COMMAND_ABORTED",
                           "ERROR_NOT_ENABLED_FOR_INTERNET", "ERROR_USER_DISCONNECT",
                           "ERROR_ISP_DISCONNECT", "ERROR_IDLE_DISCONNECT",
                           "ERROR_FORCED_DISCONNECT", "ERROR_NO_CARRIER",
                           "ERROR_IP_CONFIGURATION", "ERROR_UNKNOWN")
_POSSIBLE_TYPES = {
    "WANIPConnection": ("Unconfigured", "IP_Routed", "IP_Bridged"),
    "WANPPPConnection": ("Unconfigured", "IP_Routed", "DHCP_Spoofed", "PPPoE_Bridged",
                         "PPTP_Relay", "L2TP_Relay", "PPPoE_Relay"),
}


def _connection_variables(quirks: IgdQuirks) -> list[_StateVariable]:
    lease_range = (0, ONE_WEEK_S) if quirks.connection == "WANIPConnection:2" else None
    return [
        _StateVariable("ConnectionType", "string"),
        _StateVariable("PossibleConnectionTypes", "string", True,
                       _POSSIBLE_TYPES[quirks.connection_name]),
        _StateVariable("ConnectionStatus", "string", True,
                       ("Unconfigured", "Connecting", "Connected", "PendingDisconnect",
                        "Disconnecting", "Disconnected")),
        _StateVariable("Uptime", "ui4"),
        _StateVariable("LastConnectionError", "string", False, _LAST_CONNECTION_ERRORS),
        _StateVariable("ExternalIPAddress", "string", True),
        _StateVariable("PortMappingNumberOfEntries", "ui2", True),
        _StateVariable("PortMappingEnabled", "boolean"),
        _StateVariable("PortMappingLeaseDuration", "ui4", allowed_range=lease_range),
        _StateVariable("RemoteHost", "string"),
        _StateVariable("ExternalPort", "ui2"),
        _StateVariable("InternalPort", "ui2", allowed_range=(1, 65535)),
        _StateVariable("PortMappingProtocol", "string", False, ("TCP", "UDP")),
        _StateVariable("InternalClient", "string"),
        _StateVariable("PortMappingDescription", "string"),
        _StateVariable("A_ARG_TYPE_Manage", "boolean"),
        _StateVariable("A_ARG_TYPE_PortListing", "string"),
    ]


COMMON_IFC_VARIABLES = [
    _StateVariable("WANAccessType", "string", False, ("DSL", "POTS", "Cable", "Ethernet")),
    _StateVariable("Layer1UpstreamMaxBitRate", "ui4"),
    _StateVariable("Layer1DownstreamMaxBitRate", "ui4"),
    _StateVariable("PhysicalLinkStatus", "string", True,
                   ("Up", "Down", "Initializing", "Unavailable")),
    *[_StateVariable(f"Total{counter}", "ui4")
      for counter in ("BytesSent", "BytesReceived", "PacketsSent", "PacketsReceived")],
]


def scpd_xml(actions: dict[str, list[tuple[str, str, str]]],
             variables: Iterable[_StateVariable]) -> bytes:
    """A service description (SCPD) for these actions and state variables."""
    action_parts = []
    for name, arguments in actions.items():
        argument_parts = "".join(
            f"<argument><name>{argument}</name><direction>{direction}</direction>"
            f"<relatedStateVariable>{variable}</relatedStateVariable></argument>"
            for argument, direction, variable in arguments)
        action_parts.append(f"<action><name>{name}</name>"
                            f"<argumentList>{argument_parts}</argumentList></action>")
    variable_parts = []
    for variable in variables:
        extra = ""
        if variable.allowed_values:
            extra += "<allowedValueList>" + "".join(
                f"<allowedValue>{value}</allowedValue>" for value in variable.allowed_values
            ) + "</allowedValueList>"
        if variable.allowed_range:
            low, high = variable.allowed_range
            extra += (f"<allowedValueRange><minimum>{low}</minimum>"
                      f"<maximum>{high}</maximum></allowedValueRange>")
        events = "yes" if variable.send_events else "no"
        variable_parts.append(f'<stateVariable sendEvents="{events}"><name>{variable.name}</name>'
                              f"<dataType>{variable.data_type}</dataType>{extra}</stateVariable>")
    return ('<?xml version="1.0"?>\n'
            '<scpd xmlns="urn:schemas-upnp-org:service-1-0">'
            "<specVersion><major>1</major><minor>0</minor></specVersion>"
            f"<actionList>{''.join(action_parts)}</actionList>"
            f"<serviceStateTable>{''.join(variable_parts)}</serviceStateTable>"
            "</scpd>\n").encode()


def xml_bomb() -> bytes:
    """The billion laughs: ten levels of ten entity references, 10**9 'lol's once expanded,
    in an internal DTD of a document that otherwise starts like a device description."""
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE root [\n' + "\n".join(levels) + "\n]>\n"
            '<root xmlns="urn:schemas-upnp-org:device-1-0">'
            "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
            "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>"
            "<friendlyName>&lol9;</friendlyName><UDN>uuid:00000000-0000-0000-0000-0000000b0b0b"
            "</UDN></device></root>\n").encode()


def _soap_envelope(body: str) -> bytes:
    return ('<?xml version="1.0"?>\n'
            f'<s:Envelope xmlns:s="{SOAP_ENVELOPE_NS}" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
            f"<s:Body>{body}</s:Body></s:Envelope>\n").encode()


def soap_fault(code: int) -> bytes:
    description = UPNP_ERRORS.get(code, "Vendor defined error" if 800 <= code <= 899
                                  else "Action Failed")
    return _soap_envelope(
        "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>"
        f'<detail><UPnPError xmlns="{CONTROL_NS}"><errorCode>{code}</errorCode>'
        f"<errorDescription>{description}</errorDescription></UPnPError></detail></s:Fault>")


def soap_response(service_type: str, action: str, values: list[tuple[str, str]]) -> bytes:
    arguments = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in values)
    return _soap_envelope(f'<u:{action}Response xmlns:u="{service_type}">{arguments}'
                          f"</u:{action}Response>")


def _upnp_bool(value: bool) -> str:
    return "1" if value else "0"


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise UpnpFault(402)


def _parse_uint(value: str, maximum: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise UpnpFault(402) from None
    if not 0 <= number <= maximum:
        raise UpnpFault(402)
    return number


def _version_of(target: str) -> tuple[str, int] | None:
    """('urn:...:Name', 2) for 'urn:...:Name:2', None for anything that is not a typed URN."""
    if not target.startswith("urn:"):
        return None
    stem, _, version = target.rpartition(":")
    return (stem, int(version)) if version.isdigit() else None


# -- the simulator --------------------------------------------------------------------------

class IgdSimulator:
    """One simulated router on loopback. `IgdSimulator(**quirks)` or
    `IgdSimulator(IgdQuirks(...), **more_quirks)`; use as a context manager or start/stop."""

    def __init__(self, quirks: IgdQuirks | None = None, **options: Any) -> None:
        self.quirks = dataclasses.replace(quirks, **options) if quirks else IgdQuirks(**options)
        self.udn = f"uuid:{uuid.uuid4()}"
        self._wan_device_udn = f"uuid:{uuid.uuid4()}"
        self._wan_connection_udn = f"uuid:{uuid.uuid4()}"
        self.calls: list[SoapCall] = []
        self.http_requests: list[HttpRequestRecord] = []
        self.searches: list[SsdpSearch] = []
        self.huge_bytes_sent = 0
        self._huge_ended = threading.Event()
        self._lock = threading.Lock()
        self._table: dict[tuple[str, int, str], PortMapping] = {
            mapping.key: mapping for mapping in self.quirks.existing}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.ServerRunner | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._stopping: asyncio.Event | None = None
        self._ssdp_port = 0
        self._http_ports: dict[str, int] = {}
        self._started_at = time.monotonic()

    # -- public --------------------------------------------------------------------------
    @property
    def ssdp_address(self) -> tuple[str, int]:
        """Where to send the M-SEARCH (the product's injected SSDP target)."""
        self._require_started()
        return (self.quirks.ssdp_host, self._ssdp_port)

    @property
    def location(self) -> str:
        """The LOCATION the SSDP replies carry."""
        self._require_started()
        host = self.quirks.location_host or self.quirks.ssdp_host
        return f"http://{host}:{self._http_ports[host]}{DESCRIPTION_PATH}"

    @property
    def mappings(self) -> list[PortMapping]:
        """A copy of the port mapping table, in GetGenericPortMappingEntry order."""
        with self._lock:
            return list(self._table.values())

    @property
    def msearch_count(self) -> int:
        return len(self.searches)

    @property
    def service_type(self) -> str:
        """The WAN connection service type, e.g. urn:schemas-upnp-org:service:WANIPConnection:2."""
        return self.quirks.connection_type

    def http_url(self, host: str, path: str) -> str:
        """The URL of `path` on the listener of `host` (one of the hosts this router uses)."""
        return f"http://{host}:{self._http_ports[host]}{path}"

    def _require_started(self) -> None:
        if not self._ssdp_port:
            raise RuntimeError("start() the simulator first: its ports are picked then")

    def wait_huge_stream_ended(self, timeout: float = 5.0) -> bool:
        """True once a huge description stream has ended (sent in full, or the client hung
        up), so `huge_bytes_sent` is final. It counts bytes handed to the socket: up to a
        few MB (the kernel's buffers) more than a client that hung up has read."""
        return self._huge_ended.wait(timeout)

    def start(self) -> IgdSimulator:
        if self._thread is not None:
            raise RuntimeError("this simulator was already started")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._run_loop, args=(loop,), daemon=True,
                                        name=f"igd-simulator-{self.udn[5:13]}")
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._async_start(), loop).result(START_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Close the listeners, drop held-back answers and join the thread; idempotent."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        if thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._async_stop(), loop).result(STOP_TIMEOUT)
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)

    def __enter__(self) -> IgdSimulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (f"<IgdSimulator {self.quirks.connection} IGD:{self.quirks.igd_version} "
                f"ssdp={self.quirks.ssdp_host}:{self._ssdp_port}>")

    # -- the loop thread -----------------------------------------------------------------
    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    async def _async_start(self) -> None:
        self._stopping = asyncio.Event()
        quirks = self.quirks
        hosts = [quirks.ssdp_host]
        if quirks.location_host:
            hosts.append(quirks.location_host)
        if quirks.description == "redirect":
            hosts.append(quirks.redirect_host)
        if quirks.control_url_host:
            hosts.append(quirks.control_url_host)
        self._runner = web.ServerRunner(web.Server(self._handle_http), access_log=None,
                                        shutdown_timeout=HANDLER_SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        for host in dict.fromkeys(hosts):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, 0))
            self._http_ports[host] = listener.getsockname()[1]
            await web.SockSite(self._runner, listener).start()
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _SsdpResponder(self), local_addr=(quirks.ssdp_host, 0))
        self._udp = transport
        self._ssdp_port = transport.get_extra_info("sockname")[1]

    async def _async_stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._udp is not None:
            self._udp.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds`, cut short by stop(); False when stopping."""
        assert self._stopping is not None
        if seconds > 0:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)
        return not self._stopping.is_set()

    # -- SSDP ----------------------------------------------------------------------------
    def _search_targets(self) -> list[tuple[str, str]]:
        """(ST, USN) for every target this router announces, as miniupnpd answers ssdp:all."""
        quirks = self.quirks
        version = quirks.igd_version
        types = [
            (DEVICE_TYPE.format(name="InternetGatewayDevice", version=version), self.udn),
            (DEVICE_TYPE.format(name="WANDevice", version=version), self._wan_device_udn),
            (SERVICE_TYPE.format(name="WANCommonInterfaceConfig", version=1),
             self._wan_device_udn),
            (DEVICE_TYPE.format(name="WANConnectionDevice", version=version),
             self._wan_connection_udn),
            (quirks.connection_type, self._wan_connection_udn),
        ]
        return [("upnp:rootdevice", f"{self.udn}::upnp:rootdevice"), (self.udn, self.udn),
                *[(st, f"{udn}::{st}") for st, udn in types]]

    def ssdp_replies(self, search_target: str) -> list[bytes]:
        """The replies this router sends to an M-SEARCH for `search_target` (maybe none)."""
        targets = self._search_targets()
        if search_target != "ssdp:all":
            wanted = _version_of(search_target)
            matched = []
            for st, usn in targets:
                ours = _version_of(st)
                if st == search_target:
                    matched.append((st, usn))
                elif wanted and ours and wanted[0] == ours[0] and wanted[1] <= ours[1]:
                    # UDA: a device answers a search for an older version of its type, and
                    # the reply names the version that was searched for.
                    matched.append((search_target, usn.rsplit("::", 1)[0] + "::" + search_target))
            targets = matched
        upnp = "1.1" if self.quirks.igd_version == 2 else "1.0"
        replies = []
        for st, usn in targets:
            lines = ["HTTP/1.1 200 OK", "CACHE-CONTROL: max-age=120", "EXT:",
                     f"LOCATION: {self.location}",
                     f"SERVER: Linux/6.1 UPnP/{upnp} CobaltLabIGD/{self.quirks.igd_version}.0",
                     f"ST: {st}", f"USN: {usn}"]
            if upnp == "1.1":
                lines += ["BOOTID.UPNP.ORG: 1", "CONFIGID.UPNP.ORG: 1"]
            replies.append(("\r\n".join(lines) + "\r\n\r\n").encode())
        return replies

    def _on_datagram(self, data: bytes, sender: tuple[str, int]) -> None:
        lines = data.decode("latin-1").replace("\r\n", "\n").split("\n")
        if not lines or lines[0].strip().upper() != "M-SEARCH * HTTP/1.1":
            return
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().upper()] = value.strip()
        self.searches.append(SsdpSearch(sender, headers))
        transport = self._udp
        if transport is None:
            return
        for reply in self.ssdp_replies(headers.get("ST", "")):
            if self.quirks.ssdp_delay_s > 0:
                asyncio.get_running_loop().call_later(
                    self.quirks.ssdp_delay_s, self._send_if_open, reply, sender)
            else:
                transport.sendto(reply, sender)

    def _send_if_open(self, reply: bytes, sender: tuple[str, int]) -> None:
        if self._udp is not None and not self._udp.is_closing():
            self._udp.sendto(reply, sender)

    # -- HTTP ----------------------------------------------------------------------------
    def _paths(self) -> dict[str, str]:
        short = "IPConn" if self.quirks.connection_name == "WANIPConnection" else "PPPConn"
        return {"scpd": f"/{self.quirks.connection_name}.xml", "control": f"/ctl/{short}",
                "event": f"/evt/{short}", "ifc_scpd": "/WANCfg.xml",
                "ifc_control": "/ctl/CmnIfCfg", "ifc_event": "/evt/CmnIfCfg"}

    def description_xml(self) -> bytes:
        """The normal device description: IGD > WANDevice > WANConnectionDevice > WAN*Conn."""
        quirks, paths = self.quirks, self._paths()
        version = quirks.igd_version
        control_url = paths["control"]
        if quirks.control_url_host:
            control_url = self.http_url(quirks.control_url_host, control_url)
        name = quirks.friendly_name or f"Lab router (IGD v{version}, {quirks.connection})"

        def device(device_type: str, udn: str, friendly: str, inner: str) -> str:
            return (f"<device><deviceType>{device_type}</deviceType>"
                    f"<friendlyName>{escape(friendly)}</friendlyName>"
                    "<manufacturer>Cobalt Lab</manufacturer>"
                    "<manufacturerURL>http://lab.cobalt.test/</manufacturerURL>"
                    "<modelDescription>Simulated Internet gateway</modelDescription>"
                    "<modelName>Lab IGD</modelName>"
                    f"<modelNumber>{version}.0</modelNumber>"
                    "<modelURL>http://lab.cobalt.test/igd</modelURL>"
                    "<serialNumber>00000001</serialNumber>"
                    f"<UDN>{udn}</UDN>{inner}</device>")

        def service(service_type: str, short: str, scpd: str, control: str,
                    event: str) -> str:
            return (f"<service><serviceType>{service_type}</serviceType>"
                    f"<serviceId>urn:upnp-org:serviceId:{short}</serviceId>"
                    f"<SCPDURL>{scpd}</SCPDURL><controlURL>{escape(control)}</controlURL>"
                    f"<eventSubURL>{event}</eventSubURL></service>")

        connection_id = ("WANIPConn1" if quirks.connection_name == "WANIPConnection"
                         else "WANPPPConn1")
        connection_device = device(
            DEVICE_TYPE.format(name="WANConnectionDevice", version=version),
            self._wan_connection_udn, "WAN connection device",
            "<serviceList>" + service(quirks.connection_type, connection_id, paths["scpd"],
                                      control_url, paths["event"]) + "</serviceList>")
        wan_device = device(
            DEVICE_TYPE.format(name="WANDevice", version=version), self._wan_device_udn,
            "WAN device",
            "<serviceList>" + service(SERVICE_TYPE.format(name="WANCommonInterfaceConfig",
                                                          version=1),
                                      "WANCommonIFC1", paths["ifc_scpd"],
                                      paths["ifc_control"], paths["ifc_event"])
            + f"</serviceList><deviceList>{connection_device}</deviceList>")
        root_device = device(DEVICE_TYPE.format(name="InternetGatewayDevice", version=version),
                             self.udn, name, f"<deviceList>{wan_device}</deviceList>")
        minor = 1 if version == 2 else 0
        return ('<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
                f"<specVersion><major>1</major><minor>{minor}</minor></specVersion>"
                f"{root_device}</root>\n").encode()

    def connection_actions(self) -> dict[str, list[tuple[str, str, str]]]:
        actions = dict(CONNECTION_ACTIONS)
        if self.quirks.connection == "WANIPConnection:2":
            actions.update(V2_ONLY_ACTIONS)
            if self.quirks.port_listing == "none":
                del actions["GetListOfPortMappings"]
        return actions

    def connection_scpd(self) -> bytes:
        return scpd_xml(self.connection_actions(), _connection_variables(self.quirks))

    async def _handle_http(self, request: web.BaseRequest) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        server_host = sockname[0] if sockname else ""
        self.http_requests.append(HttpRequestRecord(request.method, request.path, server_host))
        paths = self._paths()
        xml_headers = {"Content-Type": 'text/xml; charset="utf-8"',
                       "Server": "Linux/6.1 UPnP/1.1 CobaltLabIGD/1.0"}
        if request.method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            # A careless client's subscription succeeds, so a product that subscribed
            # would not notice; the record above is what catches it.
            return web.Response(status=200, headers={"SID": f"uuid:{uuid.uuid4()}",
                                                     "TIMEOUT": "Second-1800"})
        if request.method == "POST":
            if request.path == paths["control"]:
                return await self._handle_soap(request, server_host, connection=True)
            if request.path == paths["ifc_control"]:
                return await self._handle_soap(request, server_host, connection=False)
            return web.Response(status=404)
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405)
        if request.path == DESCRIPTION_PATH:
            if not await self._pause(self.quirks.description_delay_s):
                return web.Response(status=503)
            return await self._description_response(request, xml_headers)
        if request.path == REDIRECTED_DESCRIPTION_PATH:
            return web.Response(body=self.description_xml(), headers=xml_headers)
        if request.path == paths["scpd"]:
            return web.Response(body=self.connection_scpd(), headers=xml_headers)
        if request.path == paths["ifc_scpd"]:
            return web.Response(body=scpd_xml(COMMON_IFC_ACTIONS, COMMON_IFC_VARIABLES),
                                headers=xml_headers)
        return web.Response(status=404)

    async def _description_response(self, request: web.BaseRequest,
                                    headers: dict[str, str]) -> web.StreamResponse:
        kind = self.quirks.description
        if kind == "xml_bomb":
            return web.Response(body=xml_bomb(), headers=headers)
        if kind == "garbage":
            return web.Response(body=GARBAGE_DESCRIPTION, headers=headers)
        if kind == "redirect":
            target = self.http_url(self.quirks.redirect_host, REDIRECTED_DESCRIPTION_PATH)
            return web.Response(status=302, headers={"Location": target})
        if kind == "huge":
            return await self._stream_huge(request, headers)
        return web.Response(body=self.description_xml(), headers=headers)

    async def _stream_huge(self, request: web.BaseRequest,
                           headers: dict[str, str]) -> web.StreamResponse:
        """A description that starts well and never ends: `huge_size` bytes, streamed in
        chunks from one buffer (never held whole), counted as they are handed over."""
        size = self.quirks.huge_size
        response = web.StreamResponse(headers=headers)
        if self.quirks.huge_declares_length:
            response.content_length = size
        else:
            response.enable_chunked_encoding()
        head = (b'<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
                b"<specVersion><major>1</major><minor>0</minor></specVersion><!-- ")
        padding = b" " * HUGE_CHUNK_SIZE
        sent = 0
        try:
            await response.prepare(request)
            while sent < size:
                chunk = head if sent == 0 else padding
                chunk = chunk[:size - sent]
                await response.write(chunk)
                sent += len(chunk)
                self.huge_bytes_sent += len(chunk)
                if self._stopping is not None and self._stopping.is_set():
                    break
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client hung up (aiohttp raises a ConnectionResetError subclass)
        finally:
            self._huge_ended.set()
        return response

    # -- SOAP ----------------------------------------------------------------------------
    async def _handle_soap(self, request: web.BaseRequest, server_host: str, *,
                           connection: bool) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        client = (str(peer[0]), int(peer[1])) if peer else ("", 0)
        header = request.headers.get("SOAPAction", "").strip().strip('"')
        header_type, _, header_action = header.partition("#")
        body = await request.read()
        action, arguments = "", {}
        with contextlib.suppress(ParseError, ValueError):  # defusedxml's errors are ValueErrors
            action, arguments = _parse_soap_body(body)
        self.calls.append(SoapCall(action or header_action, arguments, client, server_host,
                                   request.path, header_type))
        if not await self._pause(self.quirks.soap_delay_s):
            return web.Response(status=503)
        service_type = (self.quirks.connection_type if connection
                        else SERVICE_TYPE.format(name="WANCommonInterfaceConfig", version=1))
        try:
            if not action or not header_action or header_action != action:
                raise UpnpFault(401)  # miniupnpd dispatches on SOAPAction: it must agree
            if connection:
                values = self._connection_action(action, arguments, client[0])
            else:
                values = self._common_ifc_action(action, arguments)
        except UpnpFault as fault:
            return web.Response(status=500, body=soap_fault(fault.code), headers={
                "Content-Type": 'text/xml; charset="utf-8"', "EXT": ""})
        return web.Response(body=soap_response(service_type, action, values), headers={
            "Content-Type": 'text/xml; charset="utf-8"', "EXT": ""})

    def _common_ifc_action(self, action: str, arguments: dict[str, str],
                           ) -> list[tuple[str, str]]:
        if action in self.quirks.action_errors:
            raise UpnpFault(self.quirks.action_errors[action])
        if action.startswith("GetTotal") and action in COMMON_IFC_ACTIONS:
            return [(f"New{action[3:]}", "0")]
        if action != "GetCommonLinkProperties":
            raise UpnpFault(401)
        return [("NewWANAccessType", "Ethernet"),
                ("NewLayer1UpstreamMaxBitRate", "100000000"),
                ("NewLayer1DownstreamMaxBitRate", "100000000"),
                ("NewPhysicalLinkStatus", "Up")]

    def _connection_action(self, action: str, arguments: dict[str, str],
                           sender: str) -> list[tuple[str, str]]:
        quirks = self.quirks
        actions = self.connection_actions()
        if action not in actions:
            raise UpnpFault(401)
        if action in quirks.action_errors:
            raise UpnpFault(quirks.action_errors[action])
        for name, direction, _ in actions[action]:
            if direction == "in" and name not in arguments:
                raise UpnpFault(402)
        with self._lock:
            if action == "GetExternalIPAddress":
                return [("NewExternalIPAddress", quirks.external_address)]
            if action == "GetStatusInfo":
                uptime = int(time.monotonic() - self._started_at)
                return [("NewConnectionStatus", "Connected"),
                        ("NewLastConnectionError", "ERROR_NONE"), ("NewUptime", str(uptime))]
            if action == "GetConnectionTypeInfo":
                return [("NewConnectionType", "IP_Routed"),
                        ("NewPossibleConnectionTypes", "IP_Routed")]
            if action == "GetGenericPortMappingEntry":
                index = _parse_uint(arguments["NewPortMappingIndex"], 65535)
                rows = list(self._table.values())
                if index >= len(rows):
                    raise UpnpFault(713)
                mapping = rows[index]
                return [("NewRemoteHost", mapping.remote_host),
                        ("NewExternalPort", str(mapping.external_port)),
                        ("NewProtocol", mapping.protocol), *_entry_values(mapping)]
            if action == "GetListOfPortMappings":
                return [("NewPortListing", self._port_listing(arguments))]
            key = _mapping_key(arguments)
            if action == "GetSpecificPortMappingEntry":
                if key not in self._table:
                    raise UpnpFault(714)
                return _entry_values(self._table[key])
            if action == "DeletePortMapping":
                if key not in self._table:
                    raise UpnpFault(714)
                if quirks.secure_mode and self._table[key].internal_client != sender:
                    raise UpnpFault(606)
                del self._table[key]
                return []
            mapping = self._requested_mapping(key, arguments, sender)
            if action == "AddAnyPortMapping":
                mapping = self._free_port_for(mapping)
                self._table[mapping.key] = mapping
                return [("NewReservedPort", str(mapping.external_port))]
            if mapping.external_port == 0:
                raise UpnpFault(716)
            existing = self._table.get(key)
            if existing and existing.internal_client != mapping.internal_client:
                raise UpnpFault(718)
            self._table[key] = mapping  # a new one, or the same client's renewal
            return []

    def _requested_mapping(self, key: tuple[str, int, str], arguments: dict[str, str],
                           sender: str) -> PortMapping:
        """The mapping an AddPortMapping/AddAnyPortMapping asks for, after the checks a
        router makes before it looks at its table."""
        quirks = self.quirks
        internal_client = arguments["NewInternalClient"].strip()
        internal_port = _parse_uint(arguments["NewInternalPort"], 65535)
        lease = _parse_uint(arguments["NewLeaseDuration"], 2**32 - 1)
        enabled = _parse_bool(arguments["NewEnabled"])
        if not internal_client or internal_port == 0:
            raise UpnpFault(402)
        if quirks.refuse_mapping_code is not None:
            raise UpnpFault(quirks.refuse_mapping_code)
        if quirks.secure_mode and internal_client != sender:
            raise UpnpFault(718)
        if quirks.only_permanent_leases and lease != 0:
            raise UpnpFault(725)
        if quirks.connection == "WANIPConnection:2" and (lease == 0 or lease > ONE_WEEK_S):
            lease = ONE_WEEK_S
        remote_host, external_port, protocol = key
        return PortMapping(external_port, protocol, internal_client, internal_port,
                           arguments["NewPortMappingDescription"], lease, enabled, remote_host)

    def _port_listing(self, arguments: dict[str, str]) -> str:
        """NewPortListing: the range's mappings as IGD2's PortMappingList document (error 730
        when there are none, as the spec says; miniupnpd sends an empty list instead)."""
        if self.quirks.port_listing == "xml_bomb":
            return xml_bomb().decode()
        if self.quirks.port_listing == "garbage":
            return GARBAGE_DESCRIPTION.decode("latin-1")
        first = _parse_uint(arguments["NewStartPort"], 65535)
        last = _parse_uint(arguments["NewEndPort"], 65535)
        protocol = arguments["NewProtocol"].strip().upper()
        rows = [m for m in self._table.values()
                if first <= m.external_port <= last and m.protocol == protocol]
        if not rows:
            raise UpnpFault(730)
        if self.quirks.port_listing == "truncated":
            rows = rows[:1]
        entries = "".join(
            "<p:PortMappingEntry>" + "".join(
                f"<p:{name}>{escape(_listing_value(getattr(m, field)))}</p:{name}>"
                for name, field in _LISTING_NAMES) + "</p:PortMappingEntry>"
            for m in rows)
        return f'<p:PortMappingList xmlns:p="{LISTING_NS}">{entries}</p:PortMappingList>'

    def _free_port_for(self, mapping: PortMapping) -> PortMapping:
        """AddAnyPortMapping: the asked port if free (or already this client's), else the
        next free one above it."""
        start = mapping.external_port or 1024
        for offset in range(65535):
            port = (start - 1 + offset) % 65535 + 1
            if port < 1024 and mapping.external_port == 0:
                continue
            candidate = dataclasses.replace(mapping, external_port=port)
            existing = self._table.get(candidate.key)
            if existing is None or existing.internal_client == mapping.internal_client:
                return candidate
        raise UpnpFault(728)


def _parse_soap_body(body: bytes) -> tuple[str, dict[str, str]]:
    """The action (the Body's first element, namespace dropped) and its arguments."""
    root = DefusedET.fromstring(body)
    body_element = root.find(f"{{{SOAP_ENVELOPE_NS}}}Body")
    if body_element is None or len(body_element) == 0:
        return "", {}
    call = body_element[0]
    action = call.tag.rsplit("}", 1)[-1]
    arguments = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in call}
    return action, arguments


def _mapping_key(arguments: dict[str, str]) -> tuple[str, int, str]:
    remote_host = arguments["NewRemoteHost"].strip()
    if remote_host == "0.0.0.0":
        remote_host = ""  # a lenient router: both spell "any remote host"
    protocol = arguments["NewProtocol"].strip().upper()
    if protocol not in ("TCP", "UDP"):
        raise UpnpFault(402)
    return (remote_host, _parse_uint(arguments["NewExternalPort"], 65535), protocol)


def _listing_value(value: str | int | bool) -> str:
    return _upnp_bool(value) if isinstance(value, bool) else str(value)


def _entry_values(mapping: PortMapping) -> list[tuple[str, str]]:
    return [("NewInternalPort", str(mapping.internal_port)),
            ("NewInternalClient", mapping.internal_client),
            ("NewEnabled", _upnp_bool(mapping.enabled)),
            ("NewPortMappingDescription", mapping.description),
            ("NewLeaseDuration", str(mapping.lease_duration))]


class _SsdpResponder(asyncio.DatagramProtocol):
    def __init__(self, simulator: IgdSimulator) -> None:
        self._simulator = simulator

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._simulator._on_datagram(data, addr)
