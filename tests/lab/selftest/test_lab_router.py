"""The router lab works: real miniupnpd in network namespaces answers SSDP, SOAP and NAT-PMP
the way lab/router_lab.py says, forwards what it maps, and leaves nothing behind.

Everything here talks to the lab from inside its namespaces (upnpc via `ip netns exec`,
Python sockets via RouterLab.inside), never to the host's own network.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

import ifaddr
import pytest
from defusedxml import ElementTree

from lab import netns
from lab import router_lab as router_lab_module
from lab.router_lab import (
    HTTP_PORT,
    NATPMP_PORT,
    SSDP_PORT,
    LabCommandError,
    LabUnavailable,
    RouterLab,
    SoapReply,
    existing_namespaces,
    lab_namespaces_left,
    require_router_lab,
    start_router_lab,
    stop_router_lab,
)

pytestmark = pytest.mark.lab

IGD_1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
IGD_2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
WAN_IP_1 = "urn:schemas-upnp-org:service:WANIPConnection:1"
WAN_IP_2 = "urn:schemas-upnp-org:service:WANIPConnection:2"
SSDP_GROUP = "239.255.255.250"
DID_NOT_WAIT_OUT = 1.5  # seconds: an answer "at once", far below any search timeout


def add_mapping(lab: RouterLab, external_port: int, client: str, *, lease: int = 3600,
                remote_host: str = "", description: str = "cobalt lab test") -> SoapReply:
    return lab.soap("AddPortMapping", NewRemoteHost=remote_host,
                    NewExternalPort=external_port, NewProtocol="TCP",
                    NewInternalPort=external_port, NewInternalClient=client, NewEnabled=1,
                    NewPortMappingDescription=description, NewLeaseDuration=lease)


def get_mapping(lab: RouterLab, external_port: int) -> SoapReply:
    return lab.soap("GetSpecificPortMappingEntry", NewRemoteHost="",
                    NewExternalPort=external_port, NewProtocol="TCP")


def m_search(lab: RouterLab, destination: str, search_target: str, mx: int | None,
             wait: float = 1.0, settle: float = 0.2) -> list[tuple[float, str, dict[str, str]]]:
    """Send one M-SEARCH from lan; every answer within `wait` (but no longer than `settle`
    after the last one) as (seconds after sending, source address, headers with
    upper-case names)."""
    lines = ["M-SEARCH * HTTP/1.1", f"HOST: {SSDP_GROUP}:{SSDP_PORT}", 'MAN: "ssdp:discover"',
             f"ST: {search_target}"]
    if mx is not None:
        lines.append(f"MX: {mx}")
    message = ("\r\n".join(lines) + "\r\n\r\n").encode()
    answers = []
    with lab.inside(lab.lan), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.05)
        sent = time.monotonic()
        sock.sendto(message, (destination, SSDP_PORT))
        deadline = sent + wait
        while time.monotonic() < deadline:
            try:
                data, source = sock.recvfrom(4096)
            except TimeoutError:
                continue
            headers = {}
            for line in data.decode(errors="replace").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if value:
                    headers[name.strip().upper()] = value.strip()
            answers.append((time.monotonic() - sent, source[0], headers))
            deadline = min(sent + wait, time.monotonic() + settle)
    return answers


def natpmp_public_address(lab: RouterLab) -> tuple[int, str] | None:
    """(result code, address) of a NAT-PMP public address request from lan, or None."""
    answer = lab.natpmp_request(b"\x00\x00")
    if answer is None:
        return None
    version, opcode, result = struct.unpack("!BBH", answer[:4])
    assert (version, opcode, len(answer)) == (0, 128, 12)
    return result, socket.inet_ntoa(answer[8:12])


def root_description(lab: RouterLab) -> Element:
    """rootDesc.xml, fetched from lan."""
    with lab.inside(lab.lan), urllib.request.urlopen(lab.root_description_url,
                                                     timeout=3) as response:
        return ElementTree.fromstring(response.read())


def local_names(root: Element, name: str) -> list[str]:
    """The texts of every element called `name`, whatever its namespace, in document order."""
    return [element.text or "" for element in root.iter() if element.tag.endswith("}" + name)]


# -- netns.enter: which thread is where --------------------------------------------------

def test_enter_moves_only_the_calling_thread_and_always_comes_back(
        router_lab_without_daemon: RouterLab) -> None:
    lab = router_lab_without_daemon
    home = netns.current_namespace_id()
    lan = netns.namespace_id(lab.lan)
    seen: dict[str, int] = {}
    go_on = threading.Event()

    def older_thread() -> None:
        go_on.wait(5)
        seen["older"] = netns.current_namespace_id()

    older = threading.Thread(target=older_thread)
    older.start()
    with netns.enter(lab.lan):
        seen["inside"] = netns.current_namespace_id()
        go_on.set()
        older.join()
        younger = threading.Thread(
            target=lambda: seen.__setitem__("younger", netns.current_namespace_id()))
        younger.start()
        younger.join()
        # a thread started inside keeps the namespace after its creator has left
        late = threading.Event()
        stays: list[int] = []
        lingering = threading.Thread(
            target=lambda: (late.wait(5), stays.append(netns.current_namespace_id())))
        lingering.start()
    late.set()
    lingering.join()
    assert seen == {"inside": lan, "older": home, "younger": lan}
    assert stays == [lan]
    assert netns.current_namespace_id() == home

    with pytest.raises(RuntimeError), netns.enter(lab.lan):
        raise RuntimeError("the body failed")
    assert netns.current_namespace_id() == home
    with pytest.raises(FileNotFoundError), netns.enter(lab.prefix + "missing"):
        pass
    assert netns.current_namespace_id() == home


def test_inside_lan_routes_and_interfaces_are_the_labs(
        router_lab_without_daemon: RouterLab) -> None:
    lab = router_lab_without_daemon
    gateway_hex = socket.inet_aton(lab.gateway_address)[::-1].hex().upper()  # little-endian
    found: dict[str, str] = {}

    def default_gateways(path: str) -> list[str]:
        rows = [line.split() for line in Path(path).read_text().splitlines()[1:]]
        return [row[2] for row in rows if row[1] == "00000000"]

    def worker() -> None:  # not the main thread: /proc/self is the main thread's view
        with lab.inside(lab.lan):
            found["thread-self"] = ",".join(default_gateways("/proc/thread-self/net/route"))
            found["self"] = ",".join(default_gateways("/proc/self/net/route"))
            found["ifaddr"] = ",".join(sorted(
                ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips
                if isinstance(ip.ip, str)))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert found["thread-self"] == gateway_hex
    assert found["self"] != gateway_hex
    assert found["ifaddr"] == f"127.0.0.1,{lab.lan_address}"
    # in the main thread both files show the namespace the main thread is in
    with lab.inside(lab.lan):
        assert default_gateways("/proc/self/net/route") == [gateway_hex]
        assert default_gateways("/proc/net/route") == [gateway_hex]


# -- UPnP IGD ------------------------------------------------------------------------------

def test_upnpc_discovers_the_router_and_its_external_address(router_lab: RouterLab) -> None:
    result = router_lab.upnpc("-s", discover=True)
    assert f"desc: {router_lab.root_description_url}" in result.stdout
    assert f"Found valid IGD : {router_lab.control_url}" in result.stdout
    assert f"Local LAN ip address : {router_lab.lan_address}" in result.stdout
    assert f"ExternalIPAddress = {router_lab.external_address}" in result.stdout


def test_mapping_from_lan_is_listed_and_forwards_wan_connections(router_lab: RouterLab,
                                                                 ) -> None:
    lab = router_lab
    with lab.inside(lab.lan):
        listener = socket.create_server(("0.0.0.0", 6900))
    with listener:
        listener.settimeout(3)
        with lab.inside(lab.wan), pytest.raises(ConnectionRefusedError):
            socket.create_connection((lab.external_address, 6900), timeout=3).close()

        added = lab.upnpc("-e", "cobalt test", "-a", lab.lan_address, "6900", "6900", "TCP")
        assert "is redirected to internal 192.168.77.10:6900" in added.stdout, added.stdout
        [mapping] = lab.upnpc_mappings()
        assert (mapping.external_port, mapping.protocol, mapping.internal_client,
                mapping.internal_port, mapping.description) == (
                    6900, "TCP", lab.lan_address, 6900, "cobalt test")

        with lab.inside(lab.wan):
            client = socket.create_connection((lab.external_address, 6900), timeout=3)
        with client:
            accepted, source = listener.accept()
            with accepted:
                client.sendall(b"hello through the router")
                assert accepted.recv(100) == b"hello through the router"
        assert source[0] == lab.wan_host_address  # DNAT only: the caller's own address


def test_lan_reaches_the_wan_host_through_masquerade(router_lab: RouterLab) -> None:
    lab = router_lab
    with lab.inside(lab.wan):
        listener = socket.create_server((lab.wan_host_address, 8080))
    with listener:
        listener.settimeout(3)
        with lab.inside(lab.lan):
            client = socket.create_connection((lab.wan_host_address, 8080), timeout=3)
        with client:
            accepted, source = listener.accept()
            accepted.close()
    assert source[0] == lab.external_address


def test_peer_mapping_shows_with_the_peer_address_and_blocks_the_port(
        router_lab: RouterLab) -> None:
    lab = router_lab
    lab.add_mapping_from_peer(6901, 6901, "the neighbour's game")
    [mapping] = lab.upnpc_mappings()
    assert (mapping.external_port, mapping.internal_client, mapping.description) == (
        6901, lab.peer_address, "the neighbour's game")

    taken = add_mapping(lab, 6901, lab.lan_address)
    assert (taken.error_code, taken.error_description) == (718, "ConflictInMappingEntry")
    deleted = lab.soap("DeletePortMapping", NewRemoteHost="", NewExternalPort=6901,
                       NewProtocol="TCP")
    assert deleted.error_code == 606
    assert [m.internal_client for m in lab.upnpc_mappings()] == [lab.peer_address]


def test_add_mapping_from_peer_reports_a_refusal(router_lab: RouterLab) -> None:
    with pytest.raises(LabCommandError, match="606"):
        router_lab.add_mapping_from_peer(80, 80, "privileged port")


def test_soap_error_codes_and_leases(router_lab: RouterLab) -> None:
    lab = router_lab
    for_peer = add_mapping(lab, 6902, lab.peer_address)
    assert (for_peer.status, for_peer.error_code) == (500, 718)
    outside_allow = add_mapping(lab, 80, lab.lan_address)
    assert (outside_allow.error_code, outside_allow.error_description) == (
        606, "Action not authorized")
    missing = get_mapping(lab, 6903)
    assert (missing.error_code, missing.error_description) == (714, "NoSuchEntryInArray")
    delete_missing = lab.soap("DeletePortMapping", NewRemoteHost="", NewExternalPort=6903,
                              NewProtocol="TCP")
    assert (delete_missing.status, delete_missing.error_code) == (200, None)

    assert add_mapping(lab, 6904, lab.lan_address, lease=0).error_code is None
    assert 604790 <= int(get_mapping(lab, 6904).values["NewLeaseDuration"]) <= 604800  # 7 days

    assert add_mapping(lab, 6905, lab.lan_address, lease=3600).error_code is None
    first = int(get_mapping(lab, 6905).values["NewLeaseDuration"])
    time.sleep(1.2)  # miniupnpd counts in whole seconds
    second = int(get_mapping(lab, 6905).values["NewLeaseDuration"])
    assert 3590 <= second < first <= 3600

    renew_any_host = add_mapping(lab, 6905, lab.lan_address, remote_host="0.0.0.0")
    assert renew_any_host.error_code == 718
    renewed = add_mapping(lab, 6905, lab.lan_address, remote_host="", lease=7200,
                          description="renamed")
    assert renewed.error_code is None
    entry = get_mapping(lab, 6905).values
    assert int(entry["NewLeaseDuration"]) > 3600
    assert entry["NewPortMappingDescription"] == "cobalt lab test"  # the old one stays
    # 0.0.0.0 is refused only when renewing
    assert add_mapping(lab, 6906, lab.lan_address, remote_host="0.0.0.0").error_code is None


def test_port_outside_allowed_ports_is_refused_with_606(
        make_router_lab: Callable[..., RouterLab]) -> None:
    lab = make_router_lab(allowed_ports="7000-7009")
    refused = lab.upnpc("-a", lab.lan_address, "6900", "6900", "TCP")
    assert "failed with code 606 (Action not authorized)" in refused.stdout
    allowed = lab.upnpc("-a", lab.lan_address, "7000", "7000", "TCP")
    assert "is redirected to internal" in allowed.stdout
    assert [m.external_port for m in lab.upnpc_mappings()] == [7000]


def test_root_description_is_igd_2_from_miniupnpd(router_lab: RouterLab) -> None:
    root = root_description(router_lab)
    device_types = local_names(root, "deviceType")
    service_types = local_names(root, "serviceType")
    assert device_types[0] == IGD_2
    assert "urn:schemas-upnp-org:device:WANConnectionDevice:2" in device_types
    assert WAN_IP_2 in service_types
    assert "urn:schemas-upnp-org:service:WANPPPConnection:1" not in service_types
    assert local_names(root, "friendlyName")[0] == "Cobalt Lab Router"
    assert local_names(root, "modelName")[0] == "Debian router"
    assert "/ctl/IPConn" in local_names(root, "controlURL")


def test_igd_v1_option_describes_an_igd_1(make_router_lab: Callable[..., RouterLab]) -> None:
    lab = make_router_lab(igd_v1=True)
    root = root_description(lab)
    assert local_names(root, "deviceType")[0] == IGD_1
    assert WAN_IP_1 in local_names(root, "serviceType")
    assert WAN_IP_2 not in local_names(root, "serviceType")


# -- SSDP ----------------------------------------------------------------------------------

@pytest.mark.parametrize("mx", [1, 0, None])
@pytest.mark.parametrize("destination", ["multicast", "unicast"])
def test_m_search_is_answered_at_once(router_lab: RouterLab, destination: str,
                                      mx: int | None) -> None:
    lab = router_lab
    address = SSDP_GROUP if destination == "multicast" else lab.gateway_address
    answers = m_search(lab, address, IGD_1, mx, wait=DID_NOT_WAIT_OUT)
    assert len(answers) == 1
    elapsed, source, headers = answers[0]
    assert elapsed < DID_NOT_WAIT_OUT
    assert source == lab.gateway_address
    assert headers["ST"] == IGD_1
    assert headers["LOCATION"] == lab.root_description_url
    assert headers["USN"].endswith("::" + IGD_1)


def test_m_search_answers_any_version_of_its_types(router_lab: RouterLab) -> None:
    """miniupnpd echoes the ST of every search for one of its types, whatever the version
    (even IGD:3, which does not exist) and WANPPPConnection, which it does not describe:
    an SSDP answer says nothing about the IGD version; rootDesc.xml does."""
    lab = router_lab
    for target in (IGD_1, IGD_2, WAN_IP_1, WAN_IP_2,
                   "urn:schemas-upnp-org:device:InternetGatewayDevice:3",
                   "urn:schemas-upnp-org:service:WANPPPConnection:1"):
        answers = m_search(lab, SSDP_GROUP, target, 1, wait=0.5)
        assert [headers["ST"] for _, _, headers in answers] == [target]
    assert m_search(lab, SSDP_GROUP, "urn:schemas-upnp-org:device:MediaServer:1", 1,
                    wait=0.5) == []


# -- the other lab variants ----------------------------------------------------------------

def test_cgnat_router_reports_no_external_address_and_refuses_mappings(
        router_lab_cgnat: RouterLab) -> None:
    lab = router_lab_cgnat
    assert lab.external_address == "100.64.5.1"
    status = lab.upnpc("-s")
    assert "GetExternalIPAddress failed. (empty string)" in status.stdout
    assert lab.soap("GetExternalIPAddress").values == {"NewExternalIPAddress": ""}
    refused = add_mapping(lab, 6900, lab.lan_address)
    assert (refused.error_code, refused.error_description) == (501, "ActionFailed")
    assert lab.upnpc_mappings() == []
    assert natpmp_public_address(lab) == (3, "0.0.0.0")  # 3: network failure
    assert "Port forwarding is impossible" in lab.log_text()


def test_natpmp_only_router_has_no_igd_but_maps_by_natpmp(
        router_lab_natpmp_only: RouterLab) -> None:
    lab = router_lab_natpmp_only
    assert m_search(lab, SSDP_GROUP, IGD_1, 1, wait=0.5) == []
    # no HTTP either (`upnpc -s` with its SSDP discovery says the same, after 8 s)
    assert "Connection refused" in lab.upnpc("-s").stderr
    assert natpmp_public_address(lab) == (0, lab.external_address)

    with lab.inside(lab.lan):
        listener = socket.create_server(("0.0.0.0", 6906))
    with listener:
        listener.settimeout(3)
        request = struct.pack("!BBHHHI", 0, 2, 0, 6906, 6906, 3600)  # TCP, 1 hour
        answer = lab.natpmp_request(request)
        assert answer is not None
        _version, opcode, result, _epoch, internal, external, lifetime = struct.unpack(
            "!BBHIHHI", answer)
        assert (opcode, result, internal, external, lifetime) == (130, 0, 6906, 6906, 3600)
        with lab.inside(lab.wan):
            client = socket.create_connection((lab.external_address, 6906), timeout=3)
        with client:
            listener.accept()[0].close()


def test_upnp_only_router_ignores_natpmp(router_lab_upnp_only: RouterLab) -> None:
    lab = router_lab_upnp_only
    assert f"ExternalIPAddress = {lab.external_address}" in lab.upnpc("-s").stdout
    assert lab.natpmp_request(b"\x00\x00", timeout=0.3) is None
    # a connected UDP socket learns at once that nothing listens (ICMP port unreachable)
    with lab.inside(lab.lan), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(1)
        sock.connect((lab.gateway_address, NATPMP_PORT))
        sock.send(b"\x00\x00")
        with pytest.raises(ConnectionRefusedError):
            sock.recv(16)


def test_router_without_daemon_answers_nothing(router_lab_without_daemon: RouterLab) -> None:
    lab = router_lab_without_daemon
    assert lab.process is None
    assert m_search(lab, SSDP_GROUP, "ssdp:all", 1, wait=0.5) == []
    assert m_search(lab, lab.gateway_address, "ssdp:all", 1, wait=0.5) == []
    assert lab.natpmp_request(b"\x00\x00", timeout=0.3) is None
    with lab.inside(lab.lan), pytest.raises(ConnectionRefusedError):
        socket.create_connection((lab.gateway_address, HTTP_PORT), timeout=3).close()
    assert "No valid UPNP Internet Gateway Device found" in lab.upnpc("-s").stderr


# -- building and tearing down -------------------------------------------------------------

def _skip_unless_lab_possible() -> None:
    try:
        require_router_lab()
    except LabUnavailable as missing:
        pytest.skip(str(missing))


def test_teardown_leaves_no_namespace_and_no_daemon(tmp_path: Path) -> None:
    _skip_unless_lab_possible()
    lab = start_router_lab(tmp_path / "lab")
    try:
        assert set(lab_namespaces_left(lab.prefix)) == set(lab.namespaces)
        assert lab.process is not None
        pid = lab.process.pid
        assert Path(f"/proc/{pid}/comm").read_text().strip() == "miniupnpd"
        assert Path(f"/proc/{pid}/ns/net").stat().st_ino == netns.namespace_id(lab.rtr)
    finally:
        stop_router_lab(lab)
    assert lab_namespaces_left(lab.prefix) == []
    assert lab.process is None
    assert not Path(f"/proc/{pid}").exists()
    stop_router_lab(lab)  # idempotent


def test_a_crashed_runs_leftovers_do_not_break_the_next_lab(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _skip_unless_lab_possible()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = f"cl{dead.pid}x0rtr"  # a crashed process's lab, its daemon still running
    subprocess.run(["ip", "netns", "add", stale], check=True)
    orphan = subprocess.Popen(["ip", "netns", "exec", stale, "sleep", "60"])
    # and one of a crashed process whose pid this process now has
    monkeypatch.setattr(router_lab_module, "_counter", itertools.count(9999))
    reused = f"cl{os.getpid()}x9999lan"
    subprocess.run(["ip", "netns", "add", reused], check=True)
    try:
        lab = start_router_lab(tmp_path / "lab")
        try:
            assert lab.lan == reused
            assert stale not in existing_namespaces()
            assert orphan.wait(timeout=5) == -signal.SIGKILL
            assert f"ExternalIPAddress = {lab.external_address}" in lab.upnpc("-s").stdout
        finally:
            stop_router_lab(lab)
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()
        for name in (stale, reused):
            subprocess.run(["ip", "netns", "delete", name], check=False, capture_output=True)


def test_teardown_happens_when_the_test_fails(pytester: pytest.Pytester) -> None:
    _skip_unless_lab_possible()
    tests = Path(__file__).parents[2]  # the suite's folder: lab/ and network_guard.py
    pytester.makeconftest(f"""
import sys
sys.path.insert(0, {str(tests)!r})
from network_guard import GUARD
pytest_plugins = ["lab.conftest_router"]
def pytest_configure(config):
    GUARD.install()
""")
    pytester.makepyfile(test_fails="""
from pathlib import Path
def test_fails(router_lab):
    Path("prefix.txt").write_text(router_lab.prefix)
    Path("pid.txt").write_text(str(router_lab.process.pid))
    assert False, "the test failed"
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    prefix = (pytester.path / "prefix.txt").read_text()
    assert lab_namespaces_left(prefix) == []
    assert not Path(f"/proc/{(pytester.path / 'pid.txt').read_text()}").exists()
