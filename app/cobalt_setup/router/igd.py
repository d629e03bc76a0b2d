"""One UPnP Internet Gateway Device: its description, external address and port mappings.

async-upnp-client parses the description and SCPD (with defusedxml, refusing SCPD and
control URLs on another host) and builds the SOAP calls. Its IGD profile is not used:
`IgdDevice.async_add_port_mapping` sends `timedelta.seconds` as the lease (one day becomes
0, a permanent mapping) and always sends RemoteHost as "0.0.0.0", which miniupnpd refuses
with 718 on renewal (DESIGN.md section 3). So the actions are called here directly, with
the lease in whole seconds and an empty RemoteHost (the wildcard in the IGD spec).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from async_upnp_client.client import UpnpDevice, UpnpService
from async_upnp_client.client_factory import UpnpFactory
from async_upnp_client.exceptions import (
    UpnpActionError,
    UpnpCommunicationError,
    UpnpConnectionError,
    UpnpConnectionTimeoutError,
    UpnpError,
)
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from cobalt_setup.i18n import N_, _
from cobalt_setup.router.http import RouterRequester, UnsafeRouterReply
from cobalt_setup.router.lan import LanInterface

# Preferred first: IGD v2's WANIPConnection:2 has AddAnyPortMapping and honest leases.
WAN_SERVICE_TYPES = (
    "urn:schemas-upnp-org:service:WANIPConnection:2",
    "urn:schemas-upnp-org:service:WANIPConnection:1",
    "urn:schemas-upnp-org:service:WANPPPConnection:1",
)
IGD_DEVICE_PREFIX = "urn:schemas-upnp-org:device:InternetGatewayDevice:"
MAX_LISTED_MAPPINGS = 256  # GetGenericPortMappingEntry is one round trip per entry
# GetListOfPortMappings (IGD v2) answers for a range of external ports in one round trip;
# a wider span than this is asked port by port instead of listing other programs' ports.
MAX_LISTED_SPAN = 1000
# IGD v2's names in a PortMappingEntry of NewPortListing -> the names of the answer to
# GetSpecificPortMappingEntry, which Igd._mapping reads
_LISTING_FIELDS = {"NewRemoteHost": "NewRemoteHost", "NewExternalPort": "NewExternalPort",
                   "NewProtocol": "NewProtocol", "NewInternalPort": "NewInternalPort",
                   "NewInternalClient": "NewInternalClient", "NewEnabled": "NewEnabled",
                   "NewDescription": "NewPortMappingDescription",
                   "NewLeaseTime": "NewLeaseDuration"}

# What the IGD specification's error codes mean, in words for the person at the screen;
# marked here, translated where they are looked up (error_words).
ERROR_WORDS: dict[int, str] = {
    # Translators: this and the next texts explain UPnP error codes of a
    # router. Each is put inside a sentence, e.g. "The router refused a test
    # forwarding of port 6901: ..." or "Forwarding failed for 6901 (6901:
    # ...).", so they start lower case.
    401: N_("the router does not offer this action"),
    402: N_("the router found the request's values invalid"),
    501: N_("the router could not do it (UPnP error 501); routers without an external "
            "address, behind carrier-grade NAT, answer this way"),
    606: N_("the router's UPnP rules do not allow this port or this computer"),
    713: N_("no mapping at that position"),
    714: N_("there is no such mapping"),
    715: N_("the router wants a specific remote host"),
    716: N_("the router does not accept a wildcard external port"),
    718: N_("the port is already forwarded to another device"),
    724: N_("the router needs the same external and internal port"),
    725: N_("the router accepts only permanent mappings"),
    726: N_("the router accepts only the wildcard remote host"),
    727: N_("the router accepts only a wildcard external port"),
    728: N_("the router's port mapping table is full"),
    729: N_("another mechanism on the router (e.g. a manual rule) holds this port"),
}


def _reason(problem: BaseException) -> str:
    """The library's message without its tuple dressing ("('...', None)")."""
    first = problem.args[0] if problem.args else ""
    return str(first or problem)


def error_words(code: int | None) -> str:
    """A UPnP error code in words, lower case: the words of a RouterError."""
    if code is None:
        # Translators: a reason put inside a sentence (after "port 6901: "), lower
        # case
        return _("the router answered with an error")
    if code in ERROR_WORDS:
        return _(ERROR_WORDS[code])
    if 800 <= code <= 899:
        # Translators: a reason put inside a sentence (after "port 6901: "), lower
        # case
        return _("the router refused with its own error code {code}").format(code=code)
    # Translators: a reason put inside a sentence (after "port 6901: "), lower
    # case
    return _("the router refused (UPnP error {code})").format(code=code)


class RouterError(Exception):
    """An action failed: `code` is the UPnP error code (None when there was no answer)."""

    def __init__(self, action: str, code: int | None, words: str) -> None:
        super().__init__(f"{action}: {words}")
        self.action = action
        self.code = code
        self.words = words


@dataclass(frozen=True)
class PortMapping:
    external_port: int
    protocol: str  # "TCP" or "UDP"
    internal_client: str
    internal_port: int
    description: str = ""
    lease_s: int = 0  # 0: permanent (IGD v1); seconds left as the router reports it
    enabled: bool = True
    remote_host: str = ""  # "" is the wildcard: any remote host


@dataclass(frozen=True)
class IgdInfo:
    """What the page shows about the router and what records name it by."""

    location: str
    host: str
    udn: str
    friendly_name: str
    manufacturer: str
    model_name: str
    model_number: str
    igd_version: int  # 1 or 2
    service_type: str  # one of WAN_SERVICE_TYPES
    interface: LanInterface

    @property
    def connection(self) -> str:
        """E.g. "WANIPConnection:2"."""
        return self.service_type.rsplit(":", 2)[-2] + ":" + self.service_type.rsplit(":", 1)[-1]

    @property
    def model(self) -> str:
        parts = [self.manufacturer, self.model_name, self.model_number]
        if self.manufacturer and self.model_name.startswith(self.manufacturer):
            parts.pop(0)  # "Netgear", "Netgear R7000" -> "Netgear R7000"
        # Translators: shown in brackets after the router's name when it does not
        # say its model
        return " ".join(dict.fromkeys(part for part in parts if part)) or _("unknown model")


def _walk(device: UpnpDevice) -> list[UpnpDevice]:
    devices = [device]
    for embedded in device.embedded_devices.values():
        devices.extend(_walk(embedded))
    return devices


def _wan_service(root: UpnpDevice) -> UpnpService | None:
    services = {service.service_type: service for device in _walk(root)
                for service in device.services.values()}
    return next((services[kind] for kind in WAN_SERVICE_TYPES if kind in services), None)


def _igd_version(root: UpnpDevice) -> int:
    kind = root.device_type
    if kind.startswith(IGD_DEVICE_PREFIX):
        try:
            return int(kind.rsplit(":", 1)[1])
        except ValueError:
            return 1
    return 1


class NotAnIgd(Exception):
    """The device answered but is not an Internet Gateway Device we can drive."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


class Igd:
    """SOAP calls to one router's WAN connection service."""

    def __init__(self, info: IgdInfo, service: UpnpService, timeout: float) -> None:
        self.info = info
        self._service = service
        self.timeout = timeout

    async def _call(self, action: str, **arguments: Any) -> dict[str, Any]:
        if action not in self._service.actions:
            raise RouterError(action, 401, error_words(401))
        try:
            result = await self._service.action(action).async_call(
                request_timeout=self.timeout, **arguments)
        except UpnpActionError as problem:
            raise RouterError(action, problem.error_code,
                              error_words(problem.error_code)) from problem
        except UnsafeRouterReply as problem:
            raise RouterError(action, None, problem.words) from problem
        except UpnpConnectionTimeoutError as problem:
            # Translators: a reason put inside a sentence (after "port 6901: "), lower
            # case
            words = _("the router did not answer within {timeout} s").format(
                timeout=f"{self.timeout:g}")
            raise RouterError(action, None, words) from problem
        except UpnpCommunicationError as problem:
            # Translators: a reason put inside a sentence (after "port 6901: "), lower
            # case; {reason} is a technical message, e.g. "could not talk to
            # 192.168.1.1: ..."
            words = _("the router could not be reached ({reason})").format(
                reason=_reason(problem))
            raise RouterError(action, None, words) from problem
        except UpnpError as problem:  # e.g. a malformed SOAP answer
            # Translators: a reason put inside a sentence (after "port 6901: "), lower
            # case; {reason} is a technical message in English from the UPnP library
            words = _("the router's answer made no sense ({reason})").format(
                reason=_reason(problem))
            raise RouterError(action, None, words) from problem
        return dict(result)

    async def external_address(self) -> str:
        """The router's WAN address as it reports it ("" when it has none)."""
        result = await self._call("GetExternalIPAddress")
        return str(result.get("NewExternalIPAddress") or "").strip()

    def _mapping(self, result: dict[str, Any], external_port: int, protocol: str
                 ) -> PortMapping:
        return PortMapping(
            external_port=int(result.get("NewExternalPort") or external_port),
            protocol=str(result.get("NewProtocol") or protocol).upper(),
            internal_client=str(result.get("NewInternalClient") or ""),
            internal_port=int(result.get("NewInternalPort") or 0),
            description=str(result.get("NewPortMappingDescription") or ""),
            lease_s=int(result.get("NewLeaseDuration") or 0),
            enabled=bool(result.get("NewEnabled", True)),
            remote_host=str(result.get("NewRemoteHost") or ""),
        )

    async def get_mapping(self, external_port: int, protocol: str = "TCP"
                          ) -> PortMapping | None:
        """The mapping of one external port, or None when there is none."""
        try:
            result = await self._call("GetSpecificPortMappingEntry", NewRemoteHost="",
                                      NewExternalPort=external_port, NewProtocol=protocol)
        except RouterError as problem:
            if problem.code in (714, 713):
                return None
            raise
        return self._mapping(result, external_port, protocol)

    async def mappings_in_range(self, first: int, last: int, protocol: str = "TCP"
                                ) -> dict[int, PortMapping] | None:
        """Every mapping on external ports first..last, by port, in one request (IGD v2's
        GetListOfPortMappings); None where the router cannot list a range (IGD v1, the
        action refused, a listing that is not a listing): then ask port by port.

        A router may cut the listing short, so a port missing here is free only as far as
        this listing knows."""
        if "GetListOfPortMappings" not in self._service.actions or \
                not 0 <= last - first <= MAX_LISTED_SPAN:
            return None
        try:
            result = await self._call("GetListOfPortMappings", NewStartPort=first,
                                      NewEndPort=last, NewProtocol=protocol, NewManage=True,
                                      NewNumberOfPorts=0)
        except RouterError as problem:
            if problem.code == 730:  # PortMappingNotFound: nothing in the range
                return {}
            if isinstance(problem.__cause__, UpnpConnectionError):
                raise  # no answer in time: asking each port would only wait again
            return None  # refused (e.g. 606 for Manage) or no sense made: ask port by port
        entries = port_listing(str(result.get("NewPortListing") or ""))
        if entries is None:
            return None
        found: dict[int, PortMapping] = {}
        for entry in entries:
            try:
                mapping = self._mapping(entry, 0, protocol)
            except ValueError:
                return None  # a port or lease that is not a number: not a listing to trust
            if mapping.protocol == protocol and first <= mapping.external_port <= last \
                    and not mapping.remote_host:
                found[mapping.external_port] = mapping
        return found

    async def list_mappings(self, limit: int = MAX_LISTED_MAPPINGS) -> list[PortMapping]:
        """Every mapping the router lists, up to `limit` (a long table is cut short)."""
        found: list[PortMapping] = []
        for index in range(limit):
            try:
                result = await self._call("GetGenericPortMappingEntry",
                                          NewPortMappingIndex=index)
            except RouterError as problem:
                if problem.code in (713, 714, 402, 501) or (problem.code is None and found):
                    break
                raise
            found.append(self._mapping(result, 0, "TCP"))
        return found

    async def add_mapping(self, mapping: PortMapping) -> None:
        await self._call(
            "AddPortMapping", NewRemoteHost=mapping.remote_host,
            NewExternalPort=mapping.external_port, NewProtocol=mapping.protocol,
            NewInternalPort=mapping.internal_port, NewInternalClient=mapping.internal_client,
            NewEnabled=mapping.enabled, NewPortMappingDescription=mapping.description,
            NewLeaseDuration=int(mapping.lease_s))

    async def delete_mapping(self, external_port: int, protocol: str = "TCP") -> None:
        await self._call("DeletePortMapping", NewRemoteHost="",
                         NewExternalPort=external_port, NewProtocol=protocol)


def port_listing(text: str) -> list[dict[str, Any]] | None:
    """The entries of GetListOfPortMappings' NewPortListing (an XML document inside the SOAP
    answer), each as GetSpecificPortMappingEntry's names; None for anything else. The
    document is parsed by defusedxml with document type declarations refused, so an XML
    bomb in the listing is refused, not expanded."""
    try:
        root = parse_xml(text, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        return None
    if _local(root) != "PortMappingList":
        return None
    entries = []
    for element in root:
        if _local(element) != "PortMappingEntry":
            continue
        fields: dict[str, Any] = {_LISTING_FIELDS[_local(child)]: (child.text or "").strip()
                                  for child in element if _local(child) in _LISTING_FIELDS}
        if "NewExternalPort" not in fields:
            return None
        if "NewEnabled" in fields:  # "1" or "0" here; the SOAP answer's is a boolean already
            fields["NewEnabled"] = fields["NewEnabled"].lower() in ("1", "true", "yes")
        entries.append(fields)
    return entries


def _local(element: Element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


async def open_igd(location: str, host: str, interface: LanInterface, timeout: float) -> Igd:
    """Fetch and check a router's description: its WAN connection service must exist.

    Raises NotAnIgd with words for a person when the description is unreachable, refused
    (too large, a redirect, another host, an XML bomb) or describes no WAN connection.
    """
    requester = RouterRequester(host, timeout)
    # Strict: a service URL on another host than the description's raises (SSRF guard).
    factory = UpnpFactory(requester, non_strict=False)
    try:
        root = await factory.async_create_device(location)
    except UnsafeRouterReply as problem:
        raise NotAnIgd(problem.words) from problem
    except UpnpConnectionTimeoutError as problem:
        # Translators: why a device that answered the search is not used as the
        # router; put after its address ("192.168.1.1: its description ..."), lower
        # case
        words = _("its description did not arrive within {timeout} s").format(
            timeout=f"{timeout:g}")
        raise NotAnIgd(words) from problem
    except UpnpCommunicationError as problem:
        # Translators: why a device that answered the search is not used as the
        # router, lower case; {reason} is a technical message, e.g. "could not talk
        # to 192.168.1.1"
        words = _("its description could not be read ({reason})").format(
            reason=_reason(problem))
        raise NotAnIgd(words) from problem
    except UpnpError as problem:
        if "different host" in str(problem):  # the library's words for its SSRF guard
            # Translators: why a device that answered the search is not used, lower
            # case
            raise NotAnIgd(_("its description sends control requests to another host, "
                             "which is refused")) from problem
        # Translators: why a device that answered the search is not used, lower
        # case; {reason} is a technical message in English from the UPnP library
        words = _("its description is not a valid UPnP document ({reason})").format(
            reason=_reason(problem))
        raise NotAnIgd(words) from problem
    except Exception as problem:  # defusedxml's refusals are not UpnpErrors
        if type(problem).__module__.startswith("defusedxml"):
            # Translators: why a device that answered the search is not used, lower
            # case
            raise NotAnIgd(_("its description contains XML entities or a DTD, which are "
                             "refused (an XML bomb)")) from problem
        raise
    service = _wan_service(root)
    if service is None:
        # Translators: why a device that answered the search is not used, lower
        # case
        raise NotAnIgd(_("it is a UPnP device but offers no WAN connection service "
                         "(WANIPConnection or WANPPPConnection)"))
    info = IgdInfo(
        location=location, host=host, udn=root.udn,
        friendly_name=root.friendly_name or "", manufacturer=root.manufacturer or "",
        model_name=root.model_name or "", model_number=root.model_number or "",
        igd_version=_igd_version(root), service_type=service.service_type,
        interface=interface)
    return Igd(info, service, timeout)
