"""The router code against a simulated IGD on loopback: quirks a real miniupnpd cannot show.

Each test starts its own simulator (tests/lab/igd_simulator.py) and points the product's
search at it instead of the multicast group. What is checked is what a user would see:
the router found or refused (and why), the forwarding done or not, nothing left behind.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cobalt_setup.result import Status
from cobalt_setup.router.forwarding import (
    ForwardPlan,
    Mapper,
    forward_ports,
    mapper_for,
    plan_forwarding,
    prove_automatic,
    undo_forwarding,
)
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.router.records import load_records
from cobalt_setup.router.status import (
    RouterEnvironment,
    RouterFindings,
    find_router,
    router_results,
)
from lab.igd_simulator import IgdSimulator, PortMapping

LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))
ME = "127.0.0.1"
TEATIME = list(range(6900, 6910))

Simulators = Callable[..., IgdSimulator]


def lab_env(tmp_path: Path, *routers: IgdSimulator, timeout: float = 1.0) -> RouterEnvironment:
    return RouterEnvironment(stun_servers=(), interfaces=(LOOPBACK,), gateway="",
                             ssdp_targets=tuple(r.ssdp_address for r in routers),
                             timeout=timeout, records_path=tmp_path / "mappings.json")


async def router_mapper(env: RouterEnvironment) -> tuple[RouterFindings, Mapper]:
    """Find the simulated router and how to forward on it."""
    findings = await find_router(env)
    mapper = mapper_for(findings, env)
    assert mapper is not None, router_results(findings, env)
    return findings, mapper


@pytest.mark.asyncio
async def test_a_well_behaved_router_is_found_with_its_model_and_address(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator(friendly_name="Kitchen router")
    env = lab_env(tmp_path, router)
    findings = await find_router(env)
    found, external, natpmp, pcp = router_results(findings, env)
    assert found.status is Status.OK
    assert "Kitchen router" in found.summary and "IGD v2" in found.summary
    assert "WANIPConnection:2" in found.summary
    assert external.status is Status.OK and "81.2.69.1" in external.summary
    assert natpmp.status is Status.SKIPPED
    assert pcp.status is Status.SKIPPED  # no gateway given: not asked
    assert not any(r.method == "SUBSCRIBE" for r in router.http_requests)


@pytest.mark.asyncio
async def test_search_ends_when_the_router_is_in_not_at_the_timeout(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator()
    started = time.perf_counter()
    findings = await find_router(lab_env(tmp_path, router, timeout=5.0))
    assert findings.igd is not None
    assert time.perf_counter() - started < 2.5  # half the 5 s window: it did not wait it out


@pytest.mark.asyncio
@pytest.mark.parametrize(("quirks", "version", "service"), [
    ({"igd_version": 1}, 1, "WANIPConnection:1"),
    ({"connection": "WANPPPConnection:1"}, 2, "WANPPPConnection:1"),
    ({"igd_version": 1, "connection": "WANPPPConnection:1"}, 1, "WANPPPConnection:1"),
])
async def test_older_and_ppp_routers_are_driven_too(
        igd_simulator: Simulators, tmp_path: Path, quirks: dict, version: int,
        service: str) -> None:
    router = igd_simulator(**quirks)
    env = lab_env(tmp_path, router)
    findings = await find_router(env)
    assert findings.igd is not None
    assert (findings.igd.info.igd_version, findings.igd.info.connection) == (version, service)
    mapper = mapper_for(findings, env)
    assert mapper is not None
    outcome = await forward_ports(mapper, await plan_forwarding(mapper, TEATIME, ME),
                                  env.records())
    assert outcome.ok
    assert sorted(m.external_port for m in router.mappings) == TEATIME
    # IGD v1 takes 0 (until removed); v2 routers get the longest lease they allow.
    assert {m.lease_duration for m in router.mappings} == ({0} if version == 1 else {604800})
    # ... and the user is told when they will go away.
    assert ("keeps them for 7 days" in outcome.result().summary) == (version == 2)


@pytest.mark.asyncio
async def test_a_router_that_takes_only_permanent_leases_gets_one_and_the_user_is_told(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator(only_permanent_leases=True)
    env = lab_env(tmp_path, router)
    _findings, mapper = await router_mapper(env)
    outcome = await forward_ports(mapper, await plan_forwarding(mapper, TEATIME, ME),
                                  env.records(), lease_s=3600)
    assert outcome.ok
    assert "only permanent" in outcome.result().summary
    assert sorted(m.external_port for m in router.mappings) == TEATIME
    leases = [call.arguments["NewLeaseDuration"] for call in router.calls
              if call.action == "AddPortMapping"]
    assert leases.count("3600") == 10 and leases.count("0") == 10  # 3600, then permanent


@pytest.mark.asyncio
async def test_ports_refused_for_one_reason_are_told_that_reason_once(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    env = lab_env(tmp_path, igd_simulator(refuse_mapping_code=606))
    _findings, mapper = await router_mapper(env)
    outcome = await forward_ports(mapper, await plan_forwarding(mapper, TEATIME, ME),
                                  env.records(), lease_s=3600)
    result = outcome.result()
    assert result.status is Status.FAILED
    assert result.summary == ("Forwarding failed for 6900-6909: the router's UPnP rules do not "
                              "allow this port or this computer.")
    assert load_records(env.records()) == []  # nothing was made, so nothing to undo


@pytest.mark.asyncio
async def test_lease_is_sent_in_whole_seconds_with_an_empty_remote_host(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    """async-upnp-client's own helper would send 86400 s as 0 and RemoteHost 0.0.0.0."""
    router = igd_simulator()
    env = lab_env(tmp_path, router)
    _findings, mapper = await router_mapper(env)
    await forward_ports(mapper, await plan_forwarding(mapper, [6900], ME), env.records(),
                        lease_s=86400)
    add = next(call for call in router.calls if call.action == "AddPortMapping")
    assert add.arguments["NewLeaseDuration"] == "86400"
    assert add.arguments["NewRemoteHost"] == ""
    assert router.mappings[0].lease_duration == 86400


@pytest.mark.asyncio
@pytest.mark.parametrize(("quirks", "words"), [
    ({"description": "xml_bomb"}, "XML bomb"),
    ({"description": "huge"}, "more than 256 KiB"),
    ({"description": "redirect"}, "redirect"),
    ({"description": "garbage"}, "not a valid UPnP document"),
    ({"location_host": "127.0.0.2"}, "pointed to 127.0.0.2"),
    ({"control_url_host": "127.0.0.3"}, "another host"),
])
async def test_a_hostile_or_broken_answer_is_refused_with_the_reason(
        igd_simulator: Simulators, tmp_path: Path, quirks: dict, words: str) -> None:
    router = igd_simulator(**quirks)
    env = lab_env(tmp_path, router, timeout=1.0)
    findings = await find_router(env)
    found, external, _natpmp, _pcp = router_results(findings, env)
    assert findings.igd is None
    assert found.status is Status.FAILED
    assert words in found.summary
    # Something answered: it is named as refused, never called absent.
    assert found.summary.startswith("A UPnP device answered, but this wizard refused it: "
                                    "127.0.0.1: ")
    assert "No UPnP router answered" not in found.summary
    assert external.summary.startswith("No router this wizard can use: A UPnP device "
                                       "answered, but this wizard refused it")
    assert "No UPnP, no NAT-PMP and no PCP" not in external.summary
    assert not router.calls, "no SOAP request may reach a refused router"
    if "redirect" in quirks.get("description", ""):
        assert not any(r.host == "127.0.0.3" for r in router.http_requests)
    if quirks.get("location_host"):
        assert not router.http_requests  # not even the description was fetched


@pytest.mark.asyncio
async def test_the_huge_description_is_cut_off_early(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator(description="huge")
    await find_router(lab_env(tmp_path, router))
    router.wait_huge_stream_ended()
    assert router.huge_bytes_sent < 8 * 1024 * 1024  # of 50 MB: the client hung up


@pytest.mark.asyncio
async def test_a_router_whose_description_is_too_slow_is_named_not_called_absent(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator(description_delay_s=10)
    env = lab_env(tmp_path, router, timeout=0.5)
    started = time.perf_counter()
    findings = await find_router(env)
    found = router_results(findings, env)[0]
    assert findings.igd is None
    assert found.status is Status.FAILED
    assert "127.0.0.1: its description did not arrive within 0.5 s" in found.summary
    assert time.perf_counter() - started < 3  # the timeout, never the router's 10 s


@pytest.mark.asyncio
async def test_a_router_that_answers_soap_after_10_s_costs_the_timeout_not_10_s(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator(soap_delay_s=10)
    env = lab_env(tmp_path, router, timeout=0.5)
    started = time.perf_counter()
    findings = await find_router(env)
    external = router_results(findings, env)[1]
    assert findings.igd is not None
    assert external.status is Status.WARNING
    assert "did not answer within 0.5 s" in external.summary
    mapper = mapper_for(findings, env)
    assert mapper is not None
    proof = await prove_automatic(mapper, await plan_forwarding(mapper, [6900], ME))
    assert proof.status is Status.FAILED and "did not answer" in proof.summary
    assert time.perf_counter() - started < 6  # a few 0.5 s waits, never one of 10 s


@pytest.mark.asyncio
async def test_of_two_routers_answering_the_gateway_is_used_and_the_user_is_warned(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    first = igd_simulator(friendly_name="Upstairs")
    again = igd_simulator(friendly_name="Upstairs, its second device")  # the same host
    second = igd_simulator(friendly_name="Downstairs", ssdp_host="127.0.0.4")
    env = RouterEnvironment(stun_servers=(), interfaces=(LOOPBACK,), gateway="127.0.0.4",
                            ssdp_targets=(first.ssdp_address, again.ssdp_address,
                                          second.ssdp_address),
                            natpmp_port=9, timeout=2.0, settle=1.0,
                            records_path=tmp_path / "m.json")
    findings = await find_router(env)
    found = router_results(findings, env)[0]
    assert findings.igd is not None and findings.igd.info.host == "127.0.0.4"
    assert found.status is Status.WARNING
    assert "Other routers answered too (127.0.0.1); using 127.0.0.4." in found.summary, \
        "each other host is named once"


async def planned(igd_simulator: Simulators, tmp_path: Path, **quirks: object
                  ) -> tuple[IgdSimulator, RouterEnvironment, Mapper, ForwardPlan]:
    """A simulated router with these quirks, found, and the TeaTime ports planned on it."""
    router = igd_simulator(**quirks)
    env = lab_env(tmp_path, router)
    _findings, mapper = await router_mapper(env)
    return router, env, mapper, await plan_forwarding(mapper, TEATIME, ME)


@pytest.mark.asyncio
async def test_a_port_held_by_another_device_is_never_overwritten(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    nas = PortMapping(6903, "TCP", "192.168.1.40", 6903, "NAS")
    router, env, mapper, plan = await planned(igd_simulator, tmp_path, existing=[nas])
    assert [m.external_port for m in plan.conflicts] == [6903]
    outcome = await forward_ports(mapper, plan, env.records())
    assert not outcome.ok
    result = outcome.result()
    assert "6903" in result.summary and "192.168.1.40" in result.summary
    assert nas in router.mappings  # untouched
    assert not [c for c in router.calls if c.action == "AddPortMapping"
                and c.arguments["NewExternalPort"] == "6903"]


@pytest.mark.asyncio
async def test_undo_removes_only_what_this_tool_made(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    nas = PortMapping(7000, "TCP", "192.168.1.40", 7000, "NAS")
    router = igd_simulator(existing=[nas])
    env = lab_env(tmp_path, router)
    _findings, mapper = await router_mapper(env)
    await forward_ports(mapper, await plan_forwarding(mapper, [6900, 6901], ME), env.records())
    assert len(load_records(env.records())) == 2
    outcome = await undo_forwarding(mapper, env.records())
    assert [r.external_port for r in outcome.removed] == [6900, 6901]
    assert router.mappings == [nas]
    assert load_records(env.records()) == []


@pytest.mark.asyncio
async def test_the_automatic_mode_test_mapping_is_removed_even_when_reading_it_fails(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    router = igd_simulator(action_errors={"GetSpecificPortMappingEntry": 899},
                           port_listing="none")
    env = lab_env(tmp_path, router)
    _findings, mapper = await router_mapper(env)
    plan = await plan_forwarding(mapper, TEATIME, ME)
    assert len(plan.unreadable) == len(TEATIME)  # every read failed, none was guessed
    proof = await prove_automatic(mapper, plan)
    assert proof.status is Status.FAILED
    assert "899" in proof.summary
    assert router.mappings == [], "the test mapping must not stay"


def _actions(router: IgdSimulator, name: str) -> int:
    return [call.action for call in router.calls].count(name)


@pytest.mark.asyncio
async def test_an_igd2_router_is_read_in_one_listing_before_and_after_forwarding(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    nas = PortMapping(6903, "TCP", "192.168.1.40", 6903, "NAS")
    router, env, mapper, plan = await planned(igd_simulator, tmp_path, existing=[nas])
    assert [m.external_port for m in plan.conflicts] == [6903]
    outcome = await forward_ports(mapper, plan, env.records())
    verified = [o.port for o in outcome.ports if o.verified]
    assert verified == [p for p in TEATIME if p != 6903]
    # one listing to plan and one to read back, instead of a question per port each time
    assert _actions(router, "GetListOfPortMappings") == 2
    assert _actions(router, "GetSpecificPortMappingEntry") == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("listing", ["xml_bomb", "garbage"])
async def test_a_listing_that_is_no_listing_is_not_trusted(
        igd_simulator: Simulators, tmp_path: Path, listing: str) -> None:
    nas = PortMapping(6903, "TCP", "192.168.1.40", 6903, "NAS")
    router, env, mapper, plan = await planned(igd_simulator, tmp_path, existing=[nas],
                                              port_listing=listing)
    assert [m.external_port for m in plan.conflicts] == [6903]  # asked port by port
    outcome = await forward_ports(mapper, plan, env.records())
    assert [o.port for o in outcome.ports if o.verified] == [p for p in TEATIME if p != 6903]
    assert "192.168.1.40" in outcome.result().summary
    assert nas in router.mappings


@pytest.mark.asyncio
async def test_a_listing_cut_short_hides_neither_a_held_port_nor_a_forwarding(
        igd_simulator: Simulators, tmp_path: Path) -> None:
    nas = PortMapping(6900, "TCP", "192.168.1.40", 6900, "NAS")
    camera = PortMapping(6905, "TCP", "192.168.1.41", 6905, "camera")
    router = igd_simulator(existing=[nas, camera], port_listing="truncated")
    env = lab_env(tmp_path, router)
    _findings, mapper = await router_mapper(env)
    plan = await plan_forwarding(mapper, TEATIME, ME)
    assert [m.external_port for m in plan.conflicts] == [6900]  # the listing shows one
    outcome = await forward_ports(mapper, plan, env.records())
    by_port = {o.port: o for o in outcome.ports}
    assert by_port[6905].state == "conflict"  # the router refused it with 718
    assert [p for p, o in by_port.items() if o.verified] == \
        [p for p in TEATIME if p not in (6900, 6905)]  # read back one by one
    assert nas in router.mappings and camera in router.mappings
    summary = outcome.result().summary
    assert "6905" in summary and "6900" in summary
    await undo_forwarding(mapper, env.records())  # its listing shows the NAS only, again
    assert set(router.mappings) == {nas, camera}, "Undo must find what the listing hides"
    assert load_records(env.records()) == []
