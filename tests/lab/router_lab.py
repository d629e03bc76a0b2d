"""A home router for the tests: real miniupnpd (nftables) in network namespaces of our own.

One lab is four network namespaces, named `<prefix>lan`, `<prefix>peer`, `<prefix>rtr`
and `<prefix>wan` with a prefix `cl<pid>x<n>` unique to this process and lab:

    lan  192.168.77.10 --+
                         +-- br0 192.168.77.1 [rtr] wan0 81.2.69.1 ---- 81.2.69.2  wan
    peer 192.168.77.20 --+

- lan: where the product runs (tests enter it with `RouterLab.inside(lab.lan)`). eth0,
  default route via 192.168.77.1, lo up.
- peer: a second LAN host, for mappings "made by another host" (upnpc run there).
- rtr: the router. br0 bridges the LAN ends of the veth pairs (lan0, peer0); wan0 faces
  wan; net.ipv4.ip_forward=1; nftables as below; miniupnpd runs here.
- wan: an Internet host with no route to the LAN. The WAN link's addresses exist only
  between these namespaces: miniupnpd refuses to forward from a private or reserved WAN
  address, so the default is an ordinary unicast network (81.2.69.0/24); 100.64.5.0/24
  (CGNAT_WAN_NETWORK) is the "behind carrier-grade NAT" case.
With `stun` ("coturn" or "stund"), that STUN server (lab/stun_server.py) runs in wan and
answers STUN on two addresses (`internet_addresses`), so that the product can compare two
servers' answers.
With `outer_nat`, a fifth namespace `<prefix>isp` sits between rtr and wan: a second NAT
(a provider's box in router mode) holding 81.2.69.2 toward the router and 81.2.70.1
toward wan, which then sits on OUTER_NETWORK (81.2.70.0/24). The router still says
81.2.69.1; the STUN servers see 81.2.70.1. "cone" masquerades keeping source ports (one
mapping for every destination), "symmetric" with fully-random (a mapping per flow).
Every veth pair is created directly inside its namespaces (`ip -n A link add ... netns
B`), so nothing appears in the host's own namespace. Interface names are per namespace,
so they are the same fixed short names in every lab.

nftables in rtr (miniupnpd 2.3 creates no tables or chains; Debian's nft_init.sh would,
this module writes the equivalent itself, see NFT_RULESET):
- table inet filter: chain forward (hook forward, policy drop) accepts replies,
  LAN-to-LAN (bridged traffic passes this hook when br_netfilter is loaded) and LAN-to-WAN,
  then jumps to chain `miniupnpd`, where miniupnpd adds one accept rule per mapping.
- table inet nat: prerouting jumps to `prerouting_miniupnpd` (miniupnpd's DNAT rules);
  postrouting jumps to `postrouting_miniupnpd`, then masquerades the LAN out of wan0.
miniupnpd.conf names them: upnp_table_name=filter, upnp_nat_table_name=nat,
upnp_forward_chain=miniupnpd, upnp_nat_chain=prerouting_miniupnpd,
upnp_nat_postrouting_chain=postrouting_miniupnpd (the chain names are its defaults).

miniupnpd runs as `ip netns exec <rtr> miniupnpd -f CONF -d -P PIDFILE` (ip execs it, so
the child's PID is miniupnpd's), with its console in `miniupnpd.log`, its lease file, pid
file and a (never used) minissdpd socket path all in the lab's folder. SOAP/HTTP is on
port HTTP_PORT (fixed, so upnpc can skip its 2 s discovery with `-u`), NAT-PMP on 5351.
It counts as ready once http://192.168.77.1:5000/rootDesc.xml answers 200 from lan (or,
NAT-PMP only, once a NAT-PMP request is answered); until then a failed start raises
LabStartError with the log. Teardown stops miniupnpd by PID and deletes the four
namespaces (which deletes the veths). Namespaces of a crashed earlier run (the pid in
their name is dead) are deleted, with whatever still runs in them, before a lab is made.

Facts seen with miniupnpd 2.3.1 (Debian 12, nftables backend), checked by
tests/lab/selftest/test_lab_router.py:
- rootDesc.xml: InternetGatewayDevice:2 > WANDevice:2 > WANConnectionDevice:2 with
  WANIPConnection:2 (control URL /ctl/IPConn) and WANIPv6FirewallControl:1; Layer3Forwarding:1
  and DeviceProtection:1 on the root device; WANCommonInterfaceConfig:1 (/ctl/CmnIfCfg).
  manufacturer "Debian", modelName "Debian router", friendlyName as configured.
  `force_igd_desc_v1=yes` (igd_v1=True here) turns every :2 into :1.
- SSDP: answers an M-SEARCH, multicast or unicast to 192.168.77.1:1900, in about
  50-130 ms whatever the MX (0, 1, 2, 5 or none). It answers a search for any version of
  its types with the ST searched for (InternetGatewayDevice:1, :2, even :3 or :9;
  WANIPConnection:1, :2, :3) and also WANPPPConnection, which is in no description: the
  ST of an answer says nothing about the IGD version, rootDesc.xml does. `ssdp:all`
  gets 13 answers (one per device, service and uuid, plus upnp:rootdevice).
- SOAP errors: AddPortMapping for another host's address under secure_mode -> 718
  ConflictInMappingEntry; for a port already mapped to another host -> 718; external
  port outside every allow rule -> 606 Action not authorized; GetSpecificPortMappingEntry
  of a missing mapping -> 714 NoSuchEntryInArray; DeletePortMapping of a missing mapping
  succeeds; of another host's mapping -> 606. A lease of 0 becomes 604800 s (7 days);
  NewLeaseDuration counts down (3600 reads back 3598 two seconds later). NewRemoteHost
  0.0.0.0 works for a new mapping, for GetSpecificPortMappingEntry and for
  DeletePortMapping, but re-adding (renewing) an existing mapping with 0.0.0.0 -> 718;
  with "" the renewal succeeds: it sets the new lease and keeps the OLD description.
- On SIGTERM miniupnpd leaves its nftables rules in place (a lab's namespace dies with
  it, so that does not matter here), and a new miniupnpd adopts rules it finds.
- CGNAT WAN address (100.64.x): it starts, logs "Reserved / private IP address ...:
  Port forwarding is impossible"; GetExternalIPAddress returns an empty string;
  AddPortMapping -> 501; NAT-PMP answers result code 3 (network failure).

PCP (RFC 6887 version 2) on the same miniupnpd, checked by tests/test_pcp.py (those marked
"seen once" are not in a test):
- It answers PCP on 5351 whenever enable_natpmp=yes, with UPnP on or off: a first byte of 0
  goes to NAT-PMP, anything else to PCP.
- ANNOUNCE: a 24-byte answer, result 0, epoch = seconds since it started; a non-zero
  lifetime asked is answered as at least 120. It does not check the client address in an
  ANNOUNCE.
- MAP: the answer is the request sent back (60 bytes) with the granted port, the external
  address as ::ffff:81.2.69.1 and the lifetime. Lifetimes are held to 120..86400 s
  (10 -> 120, 2**32-1 -> 86400). Suggested external port 0 -> the internal port; a
  suggested external address other than its own is ignored (seen once). The client address
  in the header must be the packet's source, else ADDRESS_MISMATCH (12).
- A taken or not allowed external port: it walks up one port at a time to the next free
  allowed one and grants that without saying so (6000 with `allow 6900-6909` -> 6900). It
  logs every step (about 1 ms each), so when no external port at all is allowed (an
  internal port outside the allow rule's 1024-65535) it walks all 65535 and answers
  NOT_AUTHORIZED (2) after about 70 s, answering nothing else meanwhile (seen once).
- The nonce: MAPping the same client and internal port again replaces the mapping whatever
  the nonce (another nonce takes it over); only a delete (lifetime 0) checks it: another
  nonce -> NOT_AUTHORIZED (2), the mapping stays; no such mapping -> NO_RESOURCES (8).
  Error answers carry lifetime 0, NO_RESOURCES 30.
- In nftables a PCP mapping is the same pair of rules as a UPnP or NAT-PMP one: `iif "wan0"
  @nh,72,8 0x6 th dport 6900 dnat ip to 192.168.77.10:6900` in prerouting_miniupnpd (0x11
  for UDP) and an accept rule in the filter chain `miniupnpd`; nft shows no description
  (its log names it 'PCP MAP <nonce in hex>'). It reaches the LAN host from wan.
- natpmpc cannot list mappings, but from peer, asking for a port a PCP mapping holds, it is
  given the next free one: the two protocols share one table.
- A version it does not know (3) -> UNSUPP_VERSION naming version 2; version 1 (the draft)
  is answered in version 1; an unknown opcode -> UNSUPP_OPCODE (4); a MAP shorter than 60
  bytes -> MALFORMED_REQUEST (3); a request shorter than 24 bytes or not a multiple of 4 ->
  a 24-byte answer of version 0 and result 3, which looks like NAT-PMP (seen once).
- CGNAT WAN address (100.64.x): ANNOUNCE succeeds; MAP -> NO_RESOURCES (8), lifetime 30,
  with 100.64.5.1 as the external address in the answer; no rule is made.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import itertools
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from lab import netns
from lab.daemons import (
    LabStartError,
    LabUnavailable,
    Registry,
    await_ready,
    end_process,
    find_program,
)
from lab.stun_server import StunServer, start_stun_server, stop_stun_server
from network_guard import GUARD

MINIUPNPD_MISSING = ("miniupnpd is not installed: apt-get install miniupnpd "
                     "miniupnpd-nftables")
MINIUPNPD_IPTABLES = ("this miniupnpd uses the iptables backend: apt-get install "
                      "miniupnpd-nftables")
UPNPC_MISSING = "upnpc is not installed: apt-get install miniupnpc"
NFT_MISSING = "nft is not installed: apt-get install nftables"
IP_MISSING = "ip is not installed: apt-get install iproute2"
NOT_ROOT = "the router lab needs root (network namespaces, nftables)"

LAN_NETWORK = "192.168.77.0/24"
GATEWAY_ADDRESS = "192.168.77.1"
LAN_ADDRESS = "192.168.77.10"
PEER_ADDRESS = "192.168.77.20"
DEFAULT_WAN_NETWORK = "81.2.69.0/24"  # ordinary unicast: miniupnpd forwards
CGNAT_WAN_NETWORK = "100.64.5.0/24"  # shared address space: miniupnpd refuses
OUTER_NETWORK = "81.2.70.0/24"  # beyond a second NAT (outer_nat): the "Internet" there
OUTER_NAT_KINDS = ("cone", "symmetric")  # one mapping for all destinations, or one each
SSDP_MULTICAST = "239.255.255.250/32"
SSDP_PORT = 1900
HTTP_PORT = 5000
NATPMP_PORT = 5351
ROOT_DESCRIPTION_PATH = "/rootDesc.xml"
CONTROL_PATH = "/ctl/IPConn"  # WANIPConnection's control URL in miniupnpd's description
WAN_IP_CONNECTION = "urn:schemas-upnp-org:service:WANIPConnection:1"
LAN_INTERFACE = "eth0"  # in lan, peer and wan
BRIDGE = "br0"
WAN_INTERFACE = "wan0"  # in rtr
DEFAULT_ALLOWED_PORTS = "1024-65535"

READY_TIMEOUT = 5.0  # seconds miniupnpd has to answer
STOP_TIMEOUT = 0.5  # SIGTERM to SIGKILL: its rules go with the namespace anyway
COMMAND_TIMEOUT = 15.0  # seconds for one ip/nft/upnpc command
NAME_PATTERN = re.compile(r"^cl(\d+)x(\d+)(lan|peer|rtr|wan)$")

NFT_RULESET = """\
table inet filter {{
    chain forward {{
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        ip saddr {lan_network} ip daddr {lan_network} accept
        iifname "{bridge}" oifname "{wan}" accept
        jump miniupnpd
    }}
    chain miniupnpd {{
    }}
}}
table inet nat {{
    chain prerouting {{
        type nat hook prerouting priority -100; policy accept;
        jump prerouting_miniupnpd
    }}
    chain postrouting {{
        type nat hook postrouting priority 100; policy accept;
        jump postrouting_miniupnpd
        ip saddr {lan_network} oifname "{wan}" masquerade
    }}
    chain prerouting_miniupnpd {{
    }}
    chain postrouting_miniupnpd {{
    }}
}}
"""

# The second NAT (namespace isp): forwards, and masquerades what leaves toward the outer
# network. "symmetric" adds fully-random: every flow gets its own random source port, so
# two STUN servers see two ports (a mapping per destination); without it, Linux keeps the
# source port, so every destination sees the same mapping.
ISP_NFT_RULESET = """\
table inet nat {{
    chain postrouting {{
        type nat hook postrouting priority 100; policy accept;
        oifname "{outer}" masquerade{random}
    }}
}}
"""

_counter = itertools.count()
_LABS: Registry[str, RouterLab] = Registry(lambda _prefix, lab: stop_router_lab(lab))




class LabCommandError(RuntimeError):
    """A command of the lab failed; the message has its output."""


@dataclass(frozen=True)
class LabMapping:
    """One port mapping as `upnpc -l` (GetGenericPortMappingEntry) lists it."""

    external_port: int
    protocol: str
    internal_client: str
    internal_port: int
    description: str
    remote_host: str
    lease: int  # seconds left; miniupnpd turns a lease of 0 into 604800


@dataclass(frozen=True)
class SoapReply:
    """miniupnpd's answer to one SOAP action: the output arguments, or the UPnP error."""

    status: int
    values: dict[str, str]
    error_code: int | None
    error_description: str
    body: str


@dataclass
class RouterLab:
    """One built lab. Namespace names are in lan/peer/rtr/wan; addresses as in the module
    docstring; `process` is miniupnpd (None without a daemon, or once stopped)."""

    prefix: str
    lan: str
    peer: str
    rtr: str
    wan: str
    lan_address: str
    peer_address: str
    gateway_address: str
    lan_network: str
    external_address: str
    wan_host_address: str
    wan_network: str
    log_path: Path
    folder: Path
    upnp: bool
    natpmp: bool
    router_daemon: bool
    allowed_ports: str
    igd_v1: bool
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    build_seconds: float = 0.0
    outer_nat: str | None = None  # None, "cone" or "symmetric": a second NAT (namespace isp)
    isp: str = ""  # the second NAT's namespace, "" without one
    internet_addresses: tuple[str, str] = ("", "")  # where wan answers STUN (two servers)
    stun: StunServer | None = field(default=None, repr=False)  # coturn in wan, if started

    @property
    def namespaces(self) -> tuple[str, ...]:
        return (self.lan, self.peer, self.rtr, self.wan, *([self.isp] if self.isp else []))

    @property
    def internet_network(self) -> str:
        """The network the wan namespace is on: the router's WAN, or beyond the second NAT."""
        return OUTER_NETWORK if self.outer_nat else self.wan_network

    @property
    def seen_from_internet(self) -> str:
        """The address the wan namespace sees the LAN's traffic come from."""
        return str(ipaddress.ip_network(OUTER_NETWORK)[1]) if self.outer_nat \
            else self.external_address

    @property
    def root_description_url(self) -> str:
        return f"http://{self.gateway_address}:{HTTP_PORT}{ROOT_DESCRIPTION_PATH}"

    @property
    def control_url(self) -> str:
        return f"http://{self.gateway_address}:{HTTP_PORT}{CONTROL_PATH}"

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"(cannot read {self.log_path}: {error})"

    @contextlib.contextmanager
    def inside(self, namespace: str) -> Iterator[None]:
        """This thread in `namespace`, with the network guard allowing the lab's networks
        and SSDP multicast (which, from inside a lab namespace, reaches only the lab)."""
        with netns.enter(namespace), GUARD.allow(self.lan_network), \
                GUARD.allow(self.wan_network), GUARD.allow(self.internet_network), \
                GUARD.allow(SSDP_MULTICAST):
            yield

    def run(self, namespace: str, *command: str, check: bool = True,
            timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """`command` in `namespace` (ip netns exec); output captured as text. check: raise
        LabCommandError with the output when it fails."""
        return _run("ip", "netns", "exec", namespace, *command, check=check, timeout=timeout)

    def upnpc(self, *args: str, namespace: str | None = None,
              discover: bool = False) -> subprocess.CompletedProcess[str]:
        """upnpc in lan (or `namespace`), never raising. Without `discover` it goes straight
        to the router's description (`-u URL`, about 0.05 s); with it, upnpc searches by
        SSDP first: 2 s when a router answers, 8 s when none does (four search rounds)."""
        where = ["-u", self.root_description_url] if not discover else []
        return self.run(namespace or self.lan, "upnpc", *where, *args, check=False)

    def natpmpc(self, *args: str, namespace: str | None = None
                ) -> subprocess.CompletedProcess[str]:
        """natpmpc (libnatpmp's client, an implementation independent of ours) in lan (or
        `namespace`), asking the gateway; never raising."""
        return self.run(namespace or self.lan, "natpmpc", "-g", self.gateway_address, *args,
                        check=False)

    def natpmpc_public_address(self) -> str | None:
        """The external address as natpmpc hears it from the router."""
        match = re.search(r"Public IP address : ([0-9.]+)", self.natpmpc().stdout)
        return match.group(1) if match else None

    def upnpc_mappings(self) -> list[LabMapping]:
        """Every mapping the router lists (`upnpc -l` in lan): the independent view."""
        result = self.upnpc("-l")
        return parse_upnpc_list(result.stdout)

    def add_mapping_from_peer(self, external_port: int, internal_port: int,
                              description: str, protocol: str = "TCP",
                              lease: int = 0) -> None:
        """The peer host maps `external_port` to itself (upnpc in peer); LabCommandError
        with upnpc's output if the router did not take it."""
        result = self.upnpc("-e", description, "-a", self.peer_address, str(internal_port),
                            str(external_port), protocol, str(lease), namespace=self.peer)
        if "is redirected to internal" not in result.stdout:
            raise LabCommandError(f"upnpc in {self.peer} could not map {external_port}:\n"
                                  f"{result.stdout}{result.stderr}")

    def soap(self, action: str, **arguments: str | int) -> SoapReply:
        """One WANIPConnection action, sent from lan (a small client of our own, so a test
        can check what the product's library did). Raises OSError when nothing answers."""
        body = soap_envelope(action, arguments)
        with self.inside(self.lan):
            connection = http.client.HTTPConnection(self.gateway_address, HTTP_PORT,
                                                    timeout=3)
            try:
                connection.request("POST", CONTROL_PATH, body=body.encode(), headers={
                    "Content-Type": 'text/xml; charset="utf-8"',
                    "SOAPAction": f'"{WAN_IP_CONNECTION}#{action}"',
                })
                response = connection.getresponse()
                text = response.read().decode(errors="replace")
                status = response.status
            finally:
                connection.close()
        return parse_soap_reply(status, text)

    def natpmp_request(self, packet: bytes, namespace: str | None = None,
                       timeout: float = 1.0) -> bytes | None:
        """Send a raw NAT-PMP packet to the gateway from lan (or `namespace`); the answer,
        or None when nothing answered within `timeout` (or the port was closed)."""
        with self.inside(namespace or self.lan), \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.sendto(packet, (self.gateway_address, NATPMP_PORT))
            try:
                answer, _source = sock.recvfrom(1100)
            except (TimeoutError, ConnectionRefusedError):
                return None
            return answer

    def pcp_request(self, packet: bytes, namespace: str | None = None,
                    timeout: float = 1.0) -> bytes | None:
        """Send a raw PCP packet to the gateway from lan (or `namespace`) on a connected
        socket; the answer, or None when nothing answered within `timeout` (or the port was
        closed). PCP writes the sender's address into the request: lan_address, or
        peer_address from peer."""
        with self.inside(namespace or self.lan), \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.connect((self.gateway_address, NATPMP_PORT))
            sock.send(packet)
            try:
                return sock.recv(1100)
            except (TimeoutError, ConnectionRefusedError):
                return None

    def nft_redirects(self) -> set[tuple[str, int, str, int]]:
        """The port forwardings in the router's nftables rules, as (protocol, external port,
        internal address, internal port): what miniupnpd really installed, whichever
        protocol (UPnP, NAT-PMP, PCP) asked for it."""
        listing = self.run(self.rtr, _program("nft"), "list", "chain", "inet", "nat",
                           "prerouting_miniupnpd").stdout
        found = set()
        for match in _NFT_DNAT_LINE.finditer(listing):
            protocol = {6: "tcp", 17: "udp"}.get(int(match["protocol"], 16), match["protocol"])
            found.add((protocol, int(match["external"]), match["client"],
                       int(match["internal"])))
        return found


# miniupnpd 2.3.1's DNAT rule as nft lists it:
#   iif "wan0" @nh,72,8 0x6 th dport 6900 dnat ip to 192.168.77.10:6900
_NFT_DNAT_LINE = re.compile(r"@nh,72,8 (?P<protocol>0x[0-9a-f]+) th dport (?P<external>\d+) "
                            r"dnat ip to (?P<client>[\d.]+):(?P<internal>\d+)")


def soap_envelope(action: str, arguments: dict[str, str | int]) -> str:
    """The SOAP body of one WANIPConnection action. Hand-written: the lab's check must not
    share code with the product's UPnP library (async-upnp-client)."""
    inner = "".join(f"<{name}>{escape(str(value))}</{name}>"
                    for name, value in arguments.items())
    return ('<?xml version="1.0"?>'
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
            f'<u:{action} xmlns:u="{WAN_IP_CONNECTION}">{inner}</u:{action}>'
            "</s:Body></s:Envelope>")


def parse_soap_reply(status: int, text: str) -> SoapReply:
    """The New* output arguments of an answer, or its UPnPError code and description."""
    values: dict[str, str] = {}
    error_code: int | None = None
    error_description = ""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return SoapReply(status, values, None, "", text)
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "errorCode":
            error_code = int((element.text or "0").strip())
        elif name == "errorDescription":
            error_description = (element.text or "").strip()
        elif name.startswith("New") and len(element) == 0:
            values[name] = (element.text or "").strip()
    return SoapReply(status, values, error_code, error_description, text)


_UPNPC_LIST_LINE = re.compile(
    r"^\s*\d+\s+(?P<protocol>TCP|UDP)\s+(?P<external>\d+)->(?P<client>[\d.]+):(?P<internal>\d+)"
    r"\s+'(?P<description>.*)'\s+'(?P<remote>.*)'\s+(?P<lease>\d+)\s*$")


def parse_upnpc_list(output: str) -> list[LabMapping]:
    """The mappings in `upnpc -l` output (lines like ` 0 TCP  6900->192.168.77.10:6900
    'desc' '' 604800`)."""
    mappings = []
    for line in output.splitlines():
        match = _UPNPC_LIST_LINE.match(line)
        if match:
            mappings.append(LabMapping(
                external_port=int(match["external"]), protocol=match["protocol"],
                internal_client=match["client"], internal_port=int(match["internal"]),
                description=match["description"], remote_host=match["remote"],
                lease=int(match["lease"])))
    return mappings


def _run(*command: str, check: bool = True,
         timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as error:
        output = b"".join(part if isinstance(part, bytes) else (part or "").encode()
                          for part in (error.stdout, error.stderr))
        raise LabCommandError(f"{shlex.join(command)} did not finish within {timeout:g} s:\n"
                              f"{output.decode(errors='replace')}") from None
    if check and result.returncode != 0:
        raise LabCommandError(f"{shlex.join(command)} failed with status "
                              f"{result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def require_router_lab() -> None:
    """LabUnavailable unless this machine can build a lab (root, ip, nft, miniupnpd with
    the nftables backend, upnpc)."""
    if os.geteuid() != 0:
        raise LabUnavailable(NOT_ROOT)
    for program, missing in (("ip", IP_MISSING), ("nft", NFT_MISSING),
                             ("miniupnpd", MINIUPNPD_MISSING), ("upnpc", UPNPC_MISSING)):
        if find_program(program) is None:
            raise LabUnavailable(missing)
    version = _run(_program("miniupnpd"), "--version", check=False)
    if "nftables" not in version.stdout + version.stderr:
        raise LabUnavailable(MINIUPNPD_IPTABLES)


def _program(name: str) -> str:
    path = find_program(name)
    if path is None:
        raise LabUnavailable(f"{name} is missing")
    return path


def existing_namespaces() -> list[str]:
    listing = _run("ip", "netns", "list", check=False).stdout
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _delete_namespace(name: str, *, end_processes: bool) -> str | None:
    """Delete one namespace; with end_processes, first SIGKILL what still runs in it (a
    crashed run's miniupnpd). The error text, or None."""
    try:
        if end_processes:
            pids = _run("ip", "netns", "pids", name, check=False).stdout.split()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
        result = _run("ip", "netns", "delete", name, check=False)
        if result.returncode != 0 and name in existing_namespaces():
            return f"ip netns delete {name}: {result.stderr.strip()}"
    except LabCommandError as error:
        return str(error)
    return None


def remove_stale_labs() -> list[str]:
    """Delete the namespaces of labs whose process is gone (a crashed or killed run), and
    anything still running in them; the names deleted."""
    removed = []
    for name in existing_namespaces():
        match = NAME_PATTERN.match(name)
        stale = match and int(match[1]) != os.getpid() and not _pid_alive(int(match[1]))
        if stale and _delete_namespace(name, end_processes=True) is None:
            removed.append(name)
    return removed


def _wan_addresses(wan_network: str) -> tuple[str, str, int]:
    network = ipaddress.ip_network(wan_network)
    if network.version != 4 or network.num_addresses < 4:
        raise ValueError(f"the WAN network must be IPv4 with room for two hosts: {wan_network}")
    return str(network[1]), str(network[2]), network.prefixlen


def _build_namespaces(lab: RouterLab) -> None:
    router_wan, wan_host, wan_prefix = _wan_addresses(lab.wan_network)
    lan_prefix = ipaddress.ip_network(lab.lan_network).prefixlen
    for name in lab.namespaces:
        if name in existing_namespaces():  # our pid, reused after a crash
            _delete_namespace(name, end_processes=True)
    first = _run("ip", "netns", "add", lab.lan, check=False)
    if first.returncode != 0:
        raise LabUnavailable(f"cannot create a network namespace (ip netns add): "
                             f"{first.stderr.strip()}")
    for name in lab.namespaces[1:]:
        _run("ip", "netns", "add", name)
    commands = [
        # veth pairs made inside their namespaces: nothing in the host's namespace
        ("-n", lab.lan, "link", "add", LAN_INTERFACE, "type", "veth", "peer", "name", "lan0",
         "netns", lab.rtr),
        ("-n", lab.peer, "link", "add", LAN_INTERFACE, "type", "veth", "peer", "name",
         "peer0", "netns", lab.rtr),
        *_wan_side(lab),
        ("-n", lab.rtr, "link", "add", BRIDGE, "type", "bridge"),
        ("-n", lab.rtr, "link", "set", "lan0", "master", BRIDGE),
        ("-n", lab.rtr, "link", "set", "peer0", "master", BRIDGE),
        ("-n", lab.rtr, "address", "add", f"{lab.gateway_address}/{lan_prefix}", "dev",
         BRIDGE),
        ("-n", lab.rtr, "address", "add", f"{router_wan}/{wan_prefix}", "dev",
         WAN_INTERFACE),
        *[("-n", lab.rtr, "link", "set", device, "up")
          for device in ("lo", "lan0", "peer0", BRIDGE, WAN_INTERFACE)],
        ("-n", lab.lan, "address", "add", f"{lab.lan_address}/{lan_prefix}", "dev",
         LAN_INTERFACE),
        ("-n", lab.peer, "address", "add", f"{lab.peer_address}/{lan_prefix}", "dev",
         LAN_INTERFACE),
        *[("-n", name, "link", "set", device, "up")
          for name in (lab.lan, lab.peer, lab.wan) for device in ("lo", LAN_INTERFACE)],
        ("-n", lab.lan, "route", "add", "default", "via", lab.gateway_address),
        ("-n", lab.peer, "route", "add", "default", "via", lab.gateway_address),
    ]
    outer = ipaddress.ip_network(OUTER_NETWORK)
    if lab.outer_nat:
        commands += [
            ("-n", lab.isp, "address", "add", f"{wan_host}/{wan_prefix}", "dev", "in0"),
            ("-n", lab.isp, "address", "add", f"{outer[1]}/{outer.prefixlen}", "dev", "out0"),
            *[("-n", lab.isp, "link", "set", device, "up") for device in ("lo", "in0", "out0")],
            *[("-n", lab.wan, "address", "add", f"{address}/{outer.prefixlen}", "dev",
               LAN_INTERFACE) for address in lab.internet_addresses],
            ("-n", lab.rtr, "route", "add", "default", "via", wan_host),
        ]
    else:
        commands += [("-n", lab.wan, "address", "add", f"{address}/{wan_prefix}", "dev",
                      LAN_INTERFACE) for address in lab.internet_addresses]
    for command in commands:
        _run("ip", *command)
    # net.* sysctls follow the namespace of the thread that opens them
    for router in (lab.rtr, lab.isp) if lab.isp else (lab.rtr,):
        with netns.enter(router), open("/proc/sys/net/ipv4/ip_forward", "w") as switch:
            switch.write("1\n")
    ruleset = lab.folder / "router.nft"
    ruleset.write_text(NFT_RULESET.format(lan_network=lab.lan_network, bridge=BRIDGE,
                                          wan=WAN_INTERFACE))
    lab.run(lab.rtr, _program("nft"), "-f", str(ruleset))
    if lab.outer_nat:
        isp_rules = lab.folder / "isp.nft"
        isp_rules.write_text(ISP_NFT_RULESET.format(
            outer="out0", random=" fully-random" if lab.outer_nat == "symmetric" else ""))
        lab.run(lab.isp, _program("nft"), "-f", str(isp_rules))


def _wan_side(lab: RouterLab) -> list[tuple[str, ...]]:
    """The veth pairs from the router's wan0 out: straight to wan, or through isp."""
    if not lab.outer_nat:
        return [("-n", lab.wan, "link", "add", LAN_INTERFACE, "type", "veth", "peer", "name",
                 WAN_INTERFACE, "netns", lab.rtr)]
    return [("-n", lab.isp, "link", "add", "in0", "type", "veth", "peer", "name",
             WAN_INTERFACE, "netns", lab.rtr),
            ("-n", lab.wan, "link", "add", LAN_INTERFACE, "type", "veth", "peer", "name",
             "out0", "netns", lab.isp)]


def write_miniupnpd_config(lab: RouterLab) -> Path:
    """miniupnpd.conf for this lab (see the module docstring for the choices)."""
    lines = [
        "# Written by tests/lab/router_lab.py: the miniupnpd of one router lab.",
        f"ext_ifname={WAN_INTERFACE}",
        f"listening_ip={BRIDGE}",
        f"http_port={HTTP_PORT}",
        f"enable_upnp={'yes' if lab.upnp else 'no'}",
        f"enable_natpmp={'yes' if lab.natpmp else 'no'}",
        "secure_mode=yes",
        "ipv6_disable=yes",
        f"uuid={uuid.uuid4()}",
        f"lease_file={lab.folder / 'upnp.leases'}",
        f"minissdpdsocket={lab.folder / 'minissdpd.sock'}",  # never a host minissdpd
        "upnp_table_name=filter",
        "upnp_nat_table_name=nat",
        "upnp_forward_chain=miniupnpd",
        "upnp_nat_chain=prerouting_miniupnpd",
        "upnp_nat_postrouting_chain=postrouting_miniupnpd",
        "friendly_name=Cobalt Lab Router",
        f"force_igd_desc_v1={'yes' if lab.igd_v1 else 'no'}",
        f"allow {lab.allowed_ports} {lab.lan_network} 1024-65535",
        "deny 0-65535 0.0.0.0/0 0-65535",
    ]
    config = lab.folder / "miniupnpd.conf"
    config.write_text("\n".join(lines) + "\n")
    return config


def _http_ready(lab: RouterLab) -> str | None:
    """None once rootDesc.xml answers 200 from lan, else why not."""
    with lab.inside(lab.lan):
        connection = http.client.HTTPConnection(lab.gateway_address, HTTP_PORT, timeout=0.5)
        try:
            connection.request("GET", ROOT_DESCRIPTION_PATH)
            response = connection.getresponse()
            response.read()
            return None if response.status == 200 else f"HTTP status {response.status}"
        except OSError as error:
            return f"{type(error).__name__}: {error}"
        finally:
            connection.close()


def _natpmp_ready(lab: RouterLab) -> str | None:
    """None once a NAT-PMP request is answered from lan. A connected socket: while the
    port is still closed, the ICMP error ends the wait at once."""
    with lab.inside(lab.lan), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect((lab.gateway_address, NATPMP_PORT))
            sock.send(b"\x00\x00")
            return None if len(sock.recv(16)) >= 12 else "short NAT-PMP answer"
        except OSError as error:
            return f"{type(error).__name__}: {error}"


def _start_miniupnpd(lab: RouterLab) -> None:
    config = write_miniupnpd_config(lab)
    command = ["ip", "netns", "exec", lab.rtr, _program("miniupnpd"), "-f", str(config),
               "-d", "-P", str(lab.folder / "miniupnpd.pid")]
    with open(lab.log_path, "ab") as log:
        lab.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, cwd=lab.folder)
    check = _http_ready if lab.upnp else _natpmp_ready
    problem = await_ready(lab.process, lambda _left: check(lab),
                          deadline=time.monotonic() + READY_TIMEOUT, waiting_for="become ready",
                          pause=0.02)
    if problem is None:
        return
    raise LabStartError(f"miniupnpd in {lab.rtr}: {problem}; its log {lab.log_path}:\n"
                        f"{lab.log_text()}")


def start_router_lab(folder: Path, *, wan_network: str = DEFAULT_WAN_NETWORK,
                     upnp: bool = True, natpmp: bool = True, router_daemon: bool = True,
                     allowed_ports: str = DEFAULT_ALLOWED_PORTS,
                     igd_v1: bool = False, stun: str | None = None,
                     outer_nat: str | None = None) -> RouterLab:
    """Build a lab in fresh namespaces with its files in `folder`. upnp/natpmp: what
    miniupnpd serves (at least one); router_daemon=False: a router that forwards and
    masquerades but runs no miniupnpd. allowed_ports: the external port range of the one
    allow rule (everything else denied). igd_v1: describe itself as IGD:1. stun: a STUN
    server in wan ("coturn" or "stund"), answering on both `internet_addresses`.
    outer_nat ("cone" or "symmetric"): a second NAT (namespace isp) between the router and
    wan, which then sits on OUTER_NETWORK."""
    if router_daemon and not (upnp or natpmp):
        raise ValueError("miniupnpd needs UPnP or NAT-PMP; use router_daemon=False")
    if outer_nat not in (None, *OUTER_NAT_KINDS):
        raise ValueError(f"outer_nat must be None or one of {OUTER_NAT_KINDS}")
    require_router_lab()
    remove_stale_labs()
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"cl{os.getpid()}x{next(_counter)}"
    router_wan, wan_host, _prefix_length = _wan_addresses(wan_network)
    lab = RouterLab(
        prefix=prefix, lan=f"{prefix}lan", peer=f"{prefix}peer", rtr=f"{prefix}rtr",
        wan=f"{prefix}wan", lan_address=LAN_ADDRESS, peer_address=PEER_ADDRESS,
        gateway_address=GATEWAY_ADDRESS, lan_network=LAN_NETWORK,
        external_address=router_wan, wan_host_address=wan_host, wan_network=wan_network,
        log_path=folder / "miniupnpd.log", folder=folder, upnp=upnp, natpmp=natpmp,
        router_daemon=router_daemon, allowed_ports=allowed_ports, igd_v1=igd_v1,
        outer_nat=outer_nat, isp=f"{prefix}isp" if outer_nat else "",
        internet_addresses=_internet_addresses(wan_network, outer_nat))
    _LABS[prefix] = lab
    try:
        _build_namespaces(lab)
        if router_daemon:
            _start_miniupnpd(lab)
        if stun:
            with GUARD.allow(lab.internet_network):
                lab.stun = start_stun_server(folder / "stun", lab.internet_addresses,
                                             namespace=lab.wan, implementation=stun)
    except BaseException:
        stop_router_lab(lab)
        raise
    lab.build_seconds = time.monotonic() - started
    return lab


def _internet_addresses(wan_network: str, outer_nat: str | None) -> tuple[str, str]:
    """wan's two addresses: beside the router's WAN address, or beyond the second NAT."""
    network = ipaddress.ip_network(OUTER_NETWORK if outer_nat else wan_network)
    return str(network[2]), str(network[3])


def stop_router_lab(lab: RouterLab) -> None:
    """Stop miniupnpd by PID, delete the lab's namespaces. Idempotent; raises
    LabCommandError (after trying everything) if a namespace could not be deleted."""
    if lab.stun is not None:
        stop_stun_server(lab.stun)
        lab.stun = None
    if lab.process is not None:
        end_process(lab.process, STOP_TIMEOUT)
        lab.process = None
    try:
        present = set(existing_namespaces())
    except LabCommandError:  # `ip netns list` stalled: try them all
        present = set(lab.namespaces)
    errors = [problem for name in lab.namespaces if name in present
              for problem in [_delete_namespace(name, end_processes=False)] if problem]
    if errors:  # left in _LABS: tried again at exit
        raise LabCommandError("; ".join(errors))
    _LABS.pop(lab.prefix, None)


def lab_namespaces_left(prefix: str) -> list[str]:
    """The namespaces whose name starts with `prefix` (after teardown: none)."""
    return [name for name in existing_namespaces() if name.startswith(prefix)]




__all__ = [
    "CGNAT_WAN_NETWORK", "DEFAULT_WAN_NETWORK", "GATEWAY_ADDRESS", "HTTP_PORT", "LAN_ADDRESS",
    "LAN_NETWORK", "NATPMP_PORT", "PEER_ADDRESS", "SSDP_MULTICAST", "SSDP_PORT",
    "LabCommandError", "LabMapping", "LabStartError", "LabUnavailable", "RouterLab",
    "SoapReply", "lab_namespaces_left", "parse_upnpc_list", "remove_stale_labs",
    "require_router_lab", "start_router_lab", "stop_router_lab",
]
