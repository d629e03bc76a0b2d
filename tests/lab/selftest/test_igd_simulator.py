"""The simulated router speaks real UPnP: async-upnp-client (a careless client, not the
product) finds it with a unicast M-SEARCH, parses its documents and calls every action,
gets the UPnP error codes a real router gives, and its hostile quirks (bomb, redirect,
LOCATION or controlURL on another host, huge description, slow SOAP) behave as described,
so the product's refusals tested elsewhere are meaningful."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import aiohttp
import defusedxml
import pytest
from async_upnp_client.aiohttp import AiohttpRequester
from async_upnp_client.client import UpnpDevice, UpnpError, UpnpService
from async_upnp_client.client_factory import UpnpFactory
from async_upnp_client.exceptions import (
    UpnpActionResponseError,
    UpnpConnectionTimeoutError,
    UpnpXmlParseError,
)
from async_upnp_client.search import SsdpSearchListener
from async_upnp_client.utils import CaseInsensitiveDict

from lab.daemons import find_program
from lab.igd_simulator import (
    HUGE_DESCRIPTION_SIZE,
    IgdQuirks,
    IgdSimulator,
    PortMapping,
)

StartIgd = Callable[..., IgdSimulator]
IGD1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
IGD2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
LAN_CLIENT = "192.168.1.20"  # the internal client the mappings point at (never contacted)
OTHER_CLIENT = "192.168.1.99"
REPLY_TIMEOUT = 2.0


# -- helpers --------------------------------------------------------------------------------

def msearch(target: tuple[str, int], search_target: str) -> bytes:
    return ("M-SEARCH * HTTP/1.1\r\n"
            f"HOST: {target[0]}:{target[1]}\r\n"
            'MAN: "ssdp:discover"\r\nMX: 1\r\n'
            f"ST: {search_target}\r\n\r\n").encode()


def parse_reply(data: bytes) -> tuple[str, dict[str, str]]:
    status, *lines = data.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().upper()] = value.strip()
    return status, headers


def search(simulator: IgdSimulator, *search_targets: str, replies: int = 1,
           ) -> list[tuple[tuple[str, int], str, dict[str, str]]]:
    """Send one M-SEARCH per target from one socket, in order, and read `replies` answers:
    (source address, status line, headers) each."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(REPLY_TIMEOUT)
        for search_target in search_targets:
            sock.sendto(msearch(simulator.ssdp_address, search_target), simulator.ssdp_address)
        answers = []
        for _ in range(replies):
            data, source = sock.recvfrom(4096)
            answers.append((source, *parse_reply(data)))
        return answers


async def create_device(location: str, **factory_options: Any) -> UpnpDevice:
    return await UpnpFactory(AiohttpRequester(), **factory_options).async_create_device(
        location)


async def connection_service(simulator: IgdSimulator) -> UpnpService:
    device = await create_device(simulator.location)
    service = device.find_service(simulator.service_type)
    assert service is not None, f"no {simulator.service_type} in the description"
    return service


def mapping_arguments(external_port: int, client: str = LAN_CLIENT, lease: int = 0,
                      description: str = "Open Cobalt") -> dict[str, Any]:
    return {"NewRemoteHost": "", "NewExternalPort": external_port, "NewProtocol": "TCP",
            "NewInternalPort": external_port, "NewInternalClient": client, "NewEnabled": True,
            "NewPortMappingDescription": description, "NewLeaseDuration": lease}


def key_arguments(external_port: int) -> dict[str, Any]:
    return {"NewRemoteHost": "", "NewExternalPort": external_port, "NewProtocol": "TCP"}


async def upnp_error_code(service: UpnpService, action: str, **arguments: Any) -> int | None:
    with pytest.raises(UpnpActionResponseError) as raised:
        await service.action(action).async_call(**arguments)
    assert raised.value.status == 500
    return raised.value.error_code


# -- SSDP -----------------------------------------------------------------------------------

def test_unicast_msearch_gets_a_reply_with_the_location(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator()

    [(source, status, headers)] = search(simulator, IGD2)

    assert source == simulator.ssdp_address
    assert status == "HTTP/1.1 200 OK"
    assert headers["LOCATION"] == simulator.location
    assert headers["ST"] == IGD2
    assert headers["USN"] == f"{simulator.udn}::{IGD2}"
    assert headers["CACHE-CONTROL"] == "max-age=120"
    assert "EXT" in headers and "UPnP/1.1" in headers["SERVER"]
    assert simulator.msearch_count == 1
    assert simulator.searches[0].headers["MAN"] == '"ssdp:discover"'


def test_it_answers_its_own_types_only(igd_simulator: StartIgd) -> None:
    """An IGD v1 router ignores a search for IGD:2 and a media server's type, and answers
    IGD:1 and its WAN service; the ignored searches were sent first, on the same socket."""
    simulator = igd_simulator(igd_version=1)
    service_type = "urn:schemas-upnp-org:service:WANIPConnection:1"

    answers = search(simulator, IGD2, "urn:schemas-upnp-org:device:MediaServer:1", IGD1,
                     "urn:schemas-upnp-org:service:WANIPConnection:2", service_type,
                     replies=2)

    assert [headers["ST"] for _, _, headers in answers] == [IGD1, service_type]
    assert simulator.msearch_count == 5


def test_a_newer_router_answers_a_search_for_an_older_version(igd_simulator: StartIgd,
                                                              ) -> None:
    simulator = igd_simulator()

    [(_, _, headers)] = search(simulator, IGD1)

    assert headers["ST"] == IGD1
    assert headers["USN"] == f"{simulator.udn}::{IGD1}"


def test_ssdp_all_gets_one_reply_per_device_and_service(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(connection="WANPPPConnection:1")

    answers = search(simulator, "ssdp:all", replies=7)

    targets = {headers["ST"] for _, _, headers in answers}
    assert {"upnp:rootdevice", simulator.udn, IGD2,
            "urn:schemas-upnp-org:service:WANPPPConnection:1"} <= targets
    assert {headers["LOCATION"] for _, _, headers in answers} == {simulator.location}


def test_two_routers_answer_with_their_own_location(igd_simulator: StartIgd) -> None:
    first, second = igd_simulator(), igd_simulator(igd_version=1)

    [(_, _, first_headers)] = search(first, "upnp:rootdevice")
    [(_, _, second_headers)] = search(second, "upnp:rootdevice")

    assert first.ssdp_address != second.ssdp_address
    assert first_headers["LOCATION"] == first.location != second.location
    assert second_headers["USN"] == f"{second.udn}::upnp:rootdevice"


@pytest.mark.asyncio
async def test_async_upnp_client_search_finds_it(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator()
    found: asyncio.Queue[CaseInsensitiveDict] = asyncio.Queue()
    listener = SsdpSearchListener(callback=found.put_nowait, source=("127.0.0.1", 0),
                                  target=simulator.ssdp_address, search_target=IGD2)
    await listener.async_start()
    try:
        listener.async_search()
        headers = await asyncio.wait_for(found.get(), REPLY_TIMEOUT)
    finally:
        listener.async_stop()

    assert headers["location"] == simulator.location
    assert headers["_host"] == "127.0.0.1"


# -- documents and actions ------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize(("igd_version", "connection"), [
    (2, "WANIPConnection:2"), (1, "WANIPConnection:1"), (2, "WANPPPConnection:1"),
    (1, "WANPPPConnection:1")])
async def test_description_parses_and_every_action_answers(
        igd_simulator: StartIgd, igd_version: int, connection: str) -> None:
    simulator = igd_simulator(igd_version=igd_version, connection=connection)

    device = await create_device(simulator.location)

    assert device.device_type == f"urn:schemas-upnp-org:device:InternetGatewayDevice:{igd_version}"
    assert device.udn == simulator.udn
    assert device.manufacturer and device.model_name and device.model_number
    assert [found.device_type.split(":")[-2] for found in device.all_devices] == [
        "InternetGatewayDevice", "WANDevice", "WANConnectionDevice"]
    service = device.find_service(simulator.service_type)
    assert service is not None
    assert service.service_type == f"urn:schemas-upnp-org:service:{connection}"
    add = service.action("AddPortMapping")
    types = {argument.name: (argument.direction, argument.related_state_variable.data_type)
             for argument in add.arguments}
    assert types["NewExternalPort"] == ("in", "ui2")
    assert types["NewLeaseDuration"] == ("in", "ui4")
    assert types["NewEnabled"] == ("in", "boolean")
    assert types["NewRemoteHost"] == ("in", "string")
    expected_actions = {"GetExternalIPAddress", "GetSpecificPortMappingEntry",
                        "GetGenericPortMappingEntry", "AddPortMapping", "DeletePortMapping",
                        "GetStatusInfo", "GetConnectionTypeInfo"}
    if connection == "WANIPConnection:2":
        expected_actions |= {"AddAnyPortMapping", "GetListOfPortMappings"}
    assert set(service.actions) == expected_actions

    answers = {
        "GetExternalIPAddress": await service.action("GetExternalIPAddress").async_call(),
        "GetStatusInfo": await service.action("GetStatusInfo").async_call(),
        "GetConnectionTypeInfo": await service.action("GetConnectionTypeInfo").async_call(),
        "AddPortMapping": await add.async_call(**mapping_arguments(8000)),
        "GetSpecificPortMappingEntry": await service.action(
            "GetSpecificPortMappingEntry").async_call(**key_arguments(8000)),
        "GetGenericPortMappingEntry": await service.action(
            "GetGenericPortMappingEntry").async_call(NewPortMappingIndex=0),
        "DeletePortMapping": await service.action("DeletePortMapping").async_call(
            **key_arguments(8000)),
    }
    if "AddAnyPortMapping" in expected_actions:
        answers["AddAnyPortMapping"] = await service.action("AddAnyPortMapping").async_call(
            **mapping_arguments(8001))
        assert answers["AddAnyPortMapping"] == {"NewReservedPort": 8001}
        answers["GetListOfPortMappings"] = await service.action(
            "GetListOfPortMappings").async_call(NewStartPort=8000, NewEndPort=8001,
                                                NewProtocol="TCP", NewManage=True,
                                                NewNumberOfPorts=0)
        listing = answers["GetListOfPortMappings"]["NewPortListing"]
        # 8000 was deleted above: the range holds 8001 only
        assert listing.count("<p:PortMappingEntry>") == 1 and "8001" in listing

    assert answers["GetExternalIPAddress"] == {"NewExternalIPAddress": "81.2.69.1"}
    assert answers["GetStatusInfo"]["NewConnectionStatus"] == "Connected"
    assert answers["GetConnectionTypeInfo"]["NewConnectionType"] == "IP_Routed"
    assert answers["GetSpecificPortMappingEntry"]["NewInternalClient"] == LAN_CLIENT
    assert answers["GetGenericPortMappingEntry"]["NewExternalPort"] == 8000
    assert [call.action for call in simulator.calls] == list(answers)
    assert simulator.calls[3].arguments["NewExternalPort"] == "8000"
    assert not any(method == "SUBSCRIBE" for method, _, _ in simulator.http_requests)


@pytest.mark.asyncio
async def test_port_mapping_round_trip(igd_simulator: StartIgd) -> None:
    theirs = PortMapping(8080, "TCP", OTHER_CLIENT, 80, "someone else's web server")
    simulator = igd_simulator(connection="WANIPConnection:1", existing=[theirs])
    service = await connection_service(simulator)

    await service.action("AddPortMapping").async_call(**mapping_arguments(5222, lease=3600))
    specific = await service.action("GetSpecificPortMappingEntry").async_call(
        **key_arguments(5222))
    first = await service.action("GetGenericPortMappingEntry").async_call(
        NewPortMappingIndex=0)
    second = await service.action("GetGenericPortMappingEntry").async_call(
        NewPortMappingIndex=1)

    assert specific == {"NewInternalPort": 5222, "NewInternalClient": LAN_CLIENT,
                        "NewEnabled": True, "NewPortMappingDescription": "Open Cobalt",
                        "NewLeaseDuration": 3600}
    assert (first["NewExternalPort"], first["NewInternalClient"]) == (8080, OTHER_CLIENT)
    assert (second["NewExternalPort"], second["NewProtocol"]) == (5222, "TCP")
    assert simulator.mappings == [theirs, PortMapping(5222, "TCP", LAN_CLIENT, 5222,
                                                      "Open Cobalt", 3600)]

    await service.action("DeletePortMapping").async_call(**key_arguments(5222))

    assert simulator.mappings == [theirs]
    assert await upnp_error_code(service, "GetSpecificPortMappingEntry",
                                 **key_arguments(5222)) == 714


@pytest.mark.asyncio
async def test_fault_codes_of_a_real_router(igd_simulator: StartIgd) -> None:
    theirs = PortMapping(5222, "TCP", OTHER_CLIENT, 5222, "someone else's chat server")
    simulator = igd_simulator(existing=[theirs])
    service = await connection_service(simulator)

    conflict = await upnp_error_code(service, "AddPortMapping", **mapping_arguments(5222))
    missing = await upnp_error_code(service, "GetSpecificPortMappingEntry",
                                    **key_arguments(5223))
    delete_missing = await upnp_error_code(service, "DeletePortMapping", **key_arguments(5223))
    beyond_end = await upnp_error_code(service, "GetGenericPortMappingEntry",
                                       NewPortMappingIndex=1)

    assert (conflict, missing, delete_missing, beyond_end) == (718, 714, 714, 713)
    assert simulator.mappings == [theirs]


@pytest.mark.asyncio
async def test_the_same_client_replaces_its_own_mapping(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator()
    service = await connection_service(simulator)

    await service.action("AddPortMapping").async_call(**mapping_arguments(5222, lease=60))
    await service.action("AddPortMapping").async_call(
        **mapping_arguments(5222, lease=0, description="renewed"))

    [mapping] = simulator.mappings
    assert mapping.description == "renewed"
    assert mapping.lease_duration == 604800  # IGD2: a lease of 0 is one week


@pytest.mark.asyncio
async def test_only_permanent_leases(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(igd_version=1, only_permanent_leases=True)
    service = await connection_service(simulator)

    code = await upnp_error_code(service, "AddPortMapping", **mapping_arguments(5222, lease=3600))
    await service.action("AddPortMapping").async_call(**mapping_arguments(5222, lease=0))

    assert code == 725
    assert [mapping.lease_duration for mapping in simulator.mappings] == [0]


@pytest.mark.asyncio
async def test_cgnat_router_refuses_every_mapping(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(external_address="100.64.1.2", refuse_mapping_code=501)
    service = await connection_service(simulator)

    address = await service.action("GetExternalIPAddress").async_call()
    code = await upnp_error_code(service, "AddPortMapping", **mapping_arguments(5222))

    assert address == {"NewExternalIPAddress": "100.64.1.2"}
    assert code == 501
    assert simulator.mappings == []


@pytest.mark.asyncio
async def test_forced_vendor_error_and_empty_external_address(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(external_address="", action_errors={"GetStatusInfo": 899})
    service = await connection_service(simulator)

    address = await service.action("GetExternalIPAddress").async_call()
    code = await upnp_error_code(service, "GetStatusInfo")

    assert address == {"NewExternalIPAddress": ""}
    assert code == 899


@pytest.mark.asyncio
async def test_add_any_port_mapping_picks_a_free_port(igd_simulator: StartIgd) -> None:
    theirs = PortMapping(5222, "TCP", OTHER_CLIENT, 5222)
    simulator = igd_simulator(existing=[theirs])
    service = await connection_service(simulator)

    reserved = await service.action("AddAnyPortMapping").async_call(**mapping_arguments(5222))

    assert reserved == {"NewReservedPort": 5223}
    assert simulator.mappings[1].external_port == 5223


@pytest.mark.asyncio
async def test_secure_mode_maps_only_to_the_sender(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(secure_mode=True)
    service = await connection_service(simulator)

    code = await upnp_error_code(service, "AddPortMapping", **mapping_arguments(5222))
    await service.action("AddPortMapping").async_call(**mapping_arguments(5222, "127.0.0.1"))

    assert code == 718
    assert [mapping.internal_client for mapping in simulator.mappings] == ["127.0.0.1"]


def test_upnpc_agrees(igd_simulator: StartIgd) -> None:
    """miniupnpc, an independent C client, maps and unmaps through the simulator too."""
    upnpc = find_program("upnpc")
    if upnpc is None:
        pytest.skip("miniupnpc is not installed: apt-get install miniupnpc")
    simulator = igd_simulator(igd_version=1)

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([upnpc, "-u", simulator.location, *arguments],
                              capture_output=True, text=True, timeout=20, check=False)

    added = run("-e", "Open Cobalt", "-a", LAN_CLIENT, "5222", "5222", "TCP", "0")
    mapped = simulator.mappings
    run("-d", "5222", "TCP")
    deleted_again = run("-d", "5222", "TCP")

    assert added.returncode == 0, added.stdout + added.stderr
    assert mapped == [PortMapping(5222, "TCP", LAN_CLIENT, 5222, "Open Cobalt", 0)]
    assert simulator.mappings == []
    assert "714" in deleted_again.stdout


# -- hostile quirks -------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_xml_bomb_is_refused_by_defusedxml(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(description="xml_bomb")

    with pytest.raises(defusedxml.EntitiesForbidden):
        await create_device(simulator.location)


@pytest.mark.asyncio
async def test_garbage_description_does_not_parse(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(description="garbage")

    with pytest.raises(UpnpXmlParseError):
        await create_device(simulator.location)


@pytest.mark.asyncio
async def test_redirect_leads_a_careless_client_to_another_host(igd_simulator: StartIgd,
                                                                ) -> None:
    simulator = igd_simulator(description="redirect")
    async with aiohttp.ClientSession() as session, session.get(
            simulator.location, allow_redirects=False) as response:
        status, target = response.status, response.headers["Location"]

    device = await create_device(simulator.location)

    assert status == 302
    assert urlparse(target).hostname == "127.0.0.3"
    assert device.udn == simulator.udn
    assert ("GET", "/igd/rootDesc.xml", "127.0.0.3") in simulator.http_requests


@pytest.mark.asyncio
async def test_location_on_another_host_than_the_reply(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(location_host="127.0.0.2")

    [(source, _, headers)] = search(simulator, IGD2)
    device = await create_device(headers["LOCATION"])

    assert source[0] == "127.0.0.1"
    assert urlparse(headers["LOCATION"]).hostname == "127.0.0.2"
    assert device.udn == simulator.udn
    assert ("GET", "/rootDesc.xml", "127.0.0.2") in simulator.http_requests


@pytest.mark.asyncio
async def test_control_url_on_another_host_answers(igd_simulator: StartIgd) -> None:
    """async-upnp-client 0.49 itself refuses such a device (SSRF check); a client that posts
    to the controlURL as written reaches the other host and gets its answer."""
    simulator = igd_simulator(control_url_host="127.0.0.4")
    with pytest.raises(UpnpError, match="SSRF"):
        await create_device(simulator.location)

    async with aiohttp.ClientSession() as session:
        async with session.get(simulator.location) as response:
            description = await response.text()
        control_url = description.split("<controlURL>")[2].split("</controlURL>")[0]
        body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/'
                'envelope/"><s:Body><u:GetExternalIPAddress xmlns:u="'
                f'{simulator.service_type}"/></s:Body></s:Envelope>')
        headers = {"SOAPAction": f'"{simulator.service_type}#GetExternalIPAddress"',
                   "Content-Type": 'text/xml; charset="utf-8"'}
        async with session.post(control_url, data=body, headers=headers) as response:
            status, answer = response.status, await response.text()

    assert urlparse(control_url).hostname == "127.0.0.4"
    assert status == 200
    assert "<NewExternalIPAddress>81.2.69.1</NewExternalIPAddress>" in answer
    assert simulator.calls[-1].server_host == "127.0.0.4"


@pytest.mark.asyncio
async def test_huge_description_is_streamed_and_counted(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(description="huge")
    received = 0
    async with aiohttp.ClientSession() as session, session.get(simulator.location) as response:
        assert "Content-Length" not in response.headers
        async for chunk in response.content.iter_chunked(1 << 20):
            received += len(chunk)

    assert simulator.wait_huge_stream_ended()
    assert received == simulator.huge_bytes_sent == HUGE_DESCRIPTION_SIZE


@pytest.mark.asyncio
async def test_huge_description_counts_what_a_client_that_hung_up_got(
        igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(description="huge")
    async with aiohttp.ClientSession() as session, session.get(simulator.location) as response:
        await response.content.readexactly(1 << 20)
        response.close()

    assert simulator.wait_huge_stream_ended()
    assert 1 << 20 <= simulator.huge_bytes_sent < HUGE_DESCRIPTION_SIZE // 2


@pytest.mark.asyncio
async def test_slow_router_answers_soap_late(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(soap_delay_s=1.0)
    service = await connection_service(simulator)
    action = service.action("GetExternalIPAddress")

    with pytest.raises(UpnpConnectionTimeoutError):
        await action.async_call(request_timeout=0.3)
    answer = await action.async_call(request_timeout=5)

    assert answer == {"NewExternalIPAddress": "81.2.69.1"}
    assert [call.action for call in simulator.calls] == ["GetExternalIPAddress"] * 2


@pytest.mark.asyncio
async def test_stop_does_not_wait_out_a_held_back_answer(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator(soap_delay_s=30)
    service = await connection_service(simulator)
    with pytest.raises(UpnpConnectionTimeoutError):
        await service.action("GetExternalIPAddress").async_call(request_timeout=0.2)

    started = time.monotonic()
    await asyncio.to_thread(simulator.stop)

    assert time.monotonic() - started < 5  # far below the 30 s delay


@pytest.mark.asyncio
async def test_subscribe_is_recorded(igd_simulator: StartIgd) -> None:
    simulator = igd_simulator()
    device = await create_device(simulator.location)
    service = device.find_service(simulator.service_type)
    assert service is not None
    async with aiohttp.ClientSession() as session, session.request(
            "SUBSCRIBE", service.event_sub_url,
            headers={"CALLBACK": "<http://127.0.0.1:9/>", "NT": "upnp:event"}) as response:
        status, sid = response.status, response.headers.get("SID", "")

    assert status == 200 and sid.startswith("uuid:")
    assert ("SUBSCRIBE", "/evt/IPConn", "127.0.0.1") in simulator.http_requests


def test_quirks_that_cannot_exist_are_refused() -> None:
    with pytest.raises(ValueError, match="IGD v1"):
        IgdQuirks(igd_version=1, connection="WANIPConnection:2")
    assert IgdQuirks(igd_version=1).connection == "WANIPConnection:1"


def test_context_manager_and_start_returns_a_listening_router() -> None:
    with IgdSimulator(ssdp_delay_s=0.05) as simulator:
        [(_, _, headers)] = search(simulator, "upnp:rootdevice")
        assert headers["LOCATION"] == simulator.location
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        assert probe.connect_ex(("127.0.0.1", urlparse(simulator.location).port)) != 0
