"""The router code against a real miniupnpd, in network namespaces the tests build.

The product runs in the lab's `lan` namespace with its real defaults (this machine's
interfaces, the default gateway, SSDP multicast): nothing is injected but the records
file. `upnpc` is the independent client that checks what the product did, and a TCP
connection from the `wan` namespace proves a forwarding works end to end.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from cobalt_setup.cli import main
from cobalt_setup.result import Status
from cobalt_setup.router.forwarding import (
    Mapper,
    NatPmpMapper,
    forward_ports,
    mapper_for,
    plan_forwarding,
    prove_automatic,
    undo_forwarding,
)
from cobalt_setup.router.records import default_records_path, load_records
from cobalt_setup.router.status import (
    Nat,
    RouterEnvironment,
    RouterFindings,
    find_router,
    router_results,
)
from lab.router_lab import RouterLab
from lab.sockets import closed_port

pytestmark = pytest.mark.lab

TEATIME = list(range(6900, 6910))


async def router_mapper(env: RouterEnvironment) -> tuple[RouterFindings, Mapper]:
    """Find the router (from the namespace this thread is in) and how to forward on it."""
    findings = await find_router(env)
    mapper = mapper_for(findings, env)
    assert mapper is not None, router_results(findings, env)
    return findings, mapper


@pytest.fixture
def env(tmp_path: Path) -> RouterEnvironment:
    return RouterEnvironment(stun_servers=(), records_path=tmp_path / "mappings.json")


@pytest.mark.asyncio
async def test_the_router_is_found_with_its_external_address_and_nat_pmp(
        router_lab: RouterLab, env: RouterEnvironment) -> None:
    with router_lab.inside(router_lab.lan):
        findings = await find_router(env)
    found, external, natpmp, pcp = router_results(findings, env)
    assert findings.gateway == router_lab.gateway_address
    assert findings.lan_address == router_lab.lan_address
    assert found.status is Status.OK and router_lab.gateway_address in found.summary
    assert "IGD v2" in found.summary
    assert external.status is Status.OK and router_lab.external_address in external.summary
    assert findings.nat is Nat.PUBLIC
    assert natpmp.status is Status.OK and router_lab.external_address in natpmp.summary
    assert pcp.status is Status.OK  # miniupnpd speaks PCP where it speaks NAT-PMP


@pytest.mark.asyncio
async def test_forwarding_teatime_is_verified_by_upnpc_and_reaches_this_computer_from_wan(
        router_lab: RouterLab, env: RouterEnvironment) -> None:
    with router_lab.inside(router_lab.lan):
        _findings, mapper = await router_mapper(env)
        plan = await plan_forwarding(mapper, TEATIME, router_lab.lan_address)
        outcome = await forward_ports(mapper, plan, env.records())
        listener = socket.create_server(("0.0.0.0", 6905))
    assert outcome.ok, outcome.result().summary
    assert all(port.verified for port in outcome.ports)
    seen = {m.external_port: m for m in router_lab.upnpc_mappings()}
    assert sorted(seen) == TEATIME
    assert {m.internal_client for m in seen.values()} == {router_lab.lan_address}
    assert [r.external_port for r in load_records(env.records())] == TEATIME
    try:
        listener.settimeout(5)
        with router_lab.inside(router_lab.wan):
            outside = socket.create_connection((router_lab.external_address, 6905), timeout=5)
        with outside:
            outside.sendall(b"TeaTime")
            accepted, (peer, _port) = listener.accept()
            with accepted:
                assert accepted.recv(16) == b"TeaTime"
        assert peer == router_lab.wan_host_address
    finally:
        listener.close()


@pytest.mark.asyncio
async def test_automatic_mode_is_proven_and_leaves_no_mapping_behind(
        router_lab: RouterLab, env: RouterEnvironment) -> None:
    with router_lab.inside(router_lab.lan):
        _findings, mapper = await router_mapper(env)
        proof = await prove_automatic(mapper, await plan_forwarding(
            mapper, TEATIME, router_lab.lan_address))
    assert proof.status is Status.OK, proof.summary
    assert router_lab.upnpc_mappings() == []


@pytest.mark.asyncio
@pytest.mark.parametrize("igd_v1", [False, True], ids=["igd2-listing", "igd1-port-by-port"])
async def test_a_port_another_host_forwarded_is_reported_and_kept(
        make_router_lab: Callable[..., RouterLab], env: RouterEnvironment,
        igd_v1: bool) -> None:
    router_lab = make_router_lab(igd_v1=igd_v1)
    router_lab.add_mapping_from_peer(6903, 6903, "NAS")
    with router_lab.inside(router_lab.lan):
        _findings, mapper = await router_mapper(env)
        plan = await plan_forwarding(mapper, TEATIME, router_lab.lan_address)
        outcome = await forward_ports(mapper, plan, env.records())
    assert [m.external_port for m in plan.conflicts] == [6903]
    assert [o.port for o in outcome.ports if o.verified] == [p for p in TEATIME if p != 6903]
    assert not outcome.ok
    summary = outcome.result().summary
    assert "6903" in summary and router_lab.peer_address in summary
    seen = {m.external_port: m for m in router_lab.upnpc_mappings()}
    assert seen[6903].internal_client == router_lab.peer_address
    assert seen[6903].description == "NAS"
    assert sorted(seen) == TEATIME  # the nine others were forwarded here


@pytest.mark.asyncio
async def test_undo_removes_this_tools_mappings_and_not_the_peers(
        router_lab: RouterLab, env: RouterEnvironment) -> None:
    router_lab.add_mapping_from_peer(7000, 7000, "NAS")
    with router_lab.inside(router_lab.lan):
        _findings, mapper = await router_mapper(env)
        await forward_ports(mapper, await plan_forwarding(
            mapper, [6900, 6901], router_lab.lan_address), env.records())
        outcome = await undo_forwarding(mapper, env.records())
    assert sorted(r.external_port for r in outcome.removed) == [6900, 6901]
    assert [(m.external_port, m.internal_client) for m in router_lab.upnpc_mappings()] == \
        [(7000, router_lab.peer_address)]
    assert load_records(env.records()) == []


@pytest.mark.asyncio
async def test_a_port_outside_the_routers_rules_is_refused_in_words(
        make_router_lab: Callable[..., RouterLab], env: RouterEnvironment) -> None:
    lab = make_router_lab(allowed_ports="6900-6904")
    with lab.inside(lab.lan):
        _findings, mapper = await router_mapper(env)
        outcome = await forward_ports(mapper, await plan_forwarding(
            mapper, TEATIME, lab.lan_address), env.records())
    states = {port.port: port for port in outcome.ports}
    assert all(states[p].verified for p in range(6900, 6905))
    assert all(states[p].state == "failed" for p in range(6905, 6910))
    assert "rules do not allow" in states[6905].words  # UPnP error 606
    assert "6905-6909" in outcome.result().summary


@pytest.mark.asyncio
async def test_without_upnp_pcp_forwards_the_ports(
        router_lab_natpmp_only: RouterLab, env: RouterEnvironment) -> None:
    """miniupnpd with UPnP off speaks NAT-PMP and PCP on 5351: the wizard forwards with
    PCP (NAT-PMP's successor), and the ports really reach this computer."""
    lab = router_lab_natpmp_only
    env = RouterEnvironment(stun_servers=(), records_path=env.records_path, timeout=0.5)
    with lab.inside(lab.lan):
        findings, mapper = await router_mapper(env)
        outcome = await forward_ports(mapper, await plan_forwarding(
            mapper, [6900, 6901], lab.lan_address), env.records())
        listener = socket.create_server(("0.0.0.0", 6901))
    found, external, natpmp, pcp = router_results(findings, env)
    assert found.status is Status.FAILED
    assert external.status is Status.OK and "NAT-PMP" in external.summary
    assert natpmp.status is Status.OK
    assert pcp.status is Status.OK and "PCP answers" in pcp.summary
    assert mapper.method == "pcp"
    assert ("tcp", 6901, lab.lan_address, 6901) in lab.nft_redirects()
    # An independent NAT-PMP client (libnatpmp's natpmpc) hears the same external address.
    assert lab.natpmpc_public_address() == lab.external_address
    assert lab.external_address in natpmp.summary
    assert outcome.ok, outcome.result().summary
    try:
        with lab.inside(lab.wan):
            socket.create_connection((lab.external_address, 6901), timeout=5).close()
        listener.settimeout(5)
        listener.accept()[0].close()
    finally:
        listener.close()
    with lab.inside(lab.lan):
        removed = await undo_forwarding(mapper, env.records())
    assert sorted(r.external_port for r in removed.removed) == [6900, 6901]


@pytest.mark.asyncio
async def test_carrier_grade_nat_is_explained_and_forwarding_fails_in_words(
        router_lab_cgnat: RouterLab, env: RouterEnvironment) -> None:
    lab = router_lab_cgnat
    with lab.inside(lab.lan):
        findings, mapper = await router_mapper(env)
        outcome = await forward_ports(mapper, await plan_forwarding(
            mapper, [6900], lab.lan_address), env.records())
    external = router_results(findings, env)[1]
    assert external.status is Status.WARNING
    assert "carrier-grade NAT" in external.summary
    assert "public IPv4 address" in external.fix
    assert not outcome.ok
    assert "carrier-grade NAT" in outcome.ports[0].words  # UPnP error 501, explained
    assert lab.upnpc_mappings() == []


@pytest.mark.asyncio
async def test_a_router_without_upnp_or_nat_pmp_says_what_to_do(
        router_lab_without_daemon: RouterLab, env: RouterEnvironment) -> None:
    lab = router_lab_without_daemon
    env = RouterEnvironment(stun_servers=(), records_path=env.records_path, timeout=0.5)
    with lab.inside(lab.lan):
        findings = await find_router(env)
    found, external, natpmp, pcp = router_results(findings, env)
    assert findings.gateway == lab.gateway_address
    assert found.status is Status.FAILED and "No UPnP router answered" in found.summary
    assert external.status is Status.FAILED
    assert "No UPnP, no NAT-PMP and no PCP" in external.summary and "LAN only" in external.fix
    assert natpmp.status is Status.WARNING
    assert pcp.status is Status.WARNING and "PCP" in pcp.summary
    assert mapper_for(findings, env) is None


def test_undo_removes_forwardings_made_through_nat_pmp_when_the_router_also_speaks_upnp(
        router_lab: RouterLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A forward that was slow to find UPnP used NAT-PMP; Undo finds UPnP first, and must
    remove the NAT-PMP forwardings all the same (they are on record for natpmp:GATEWAY)."""
    env = RouterEnvironment(records_path=default_records_path())
    with router_lab.inside(router_lab.lan):
        findings = asyncio.run(find_router(env))
        natpmp_only = NatPmpMapper(router_lab.gateway_address, env.natpmp_port, env.timeout)
        plan = asyncio.run(plan_forwarding(natpmp_only, [6900, 6901], findings.lan_address))
        outcome = asyncio.run(forward_ports(natpmp_only, plan, env.records()))
        assert outcome.ok, outcome.result()
        made = {m.external_port for m in router_lab.upnpc_mappings()}
        assert main(["router", "undo"]) == 0
        undone = capsys.readouterr().out
    assert "Removed the forwarding of TCP 6900 and 6901" in undone
    assert made == {6900, 6901}  # one table: UPnP lists what NAT-PMP made
    assert router_lab.upnpc_mappings() == []
    assert load_records(default_records_path()) == []


def test_command_line_status_forward_and_undo(
        make_router_lab: Callable[..., RouterLab], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    router_lab = make_router_lab(stun="coturn")
    assert router_lab.stun is not None
    ini = tmp_path / "general-preferences.ini"
    ini.write_text(f"[Router]\nStunServers = {router_lab.stun.endpoints}\n")
    settings = ["--settings", str(ini)]
    router_lab.add_mapping_from_peer(6909, 6909, "NAS")
    with router_lab.inside(router_lab.lan):
        assert main(["router", "status", "--json", *settings]) == 1  # 6909 is taken
        status = json.loads(capsys.readouterr().out)
        code = main(["router", "forward", "--ports", "6900-6904", "--json", *settings])
        forwarded = json.loads(capsys.readouterr().out)
        listed = router_lab.upnpc_mappings()
        assert main(["router", "undo", *settings]) == 0
        undone = capsys.readouterr().out
    assert status["router"]["external_address"] == router_lab.external_address
    # the STUN servers beyond the router see the router's own address: it is the edge
    assert status["router"]["stun"]["public_address"] == router_lab.external_address
    assert status["router"]["stun"]["mapping"] == "endpoint-independent"
    edge = next(c for c in status["checks"] if c["id"] == "router.stun")
    assert edge["status"] == "ok" and "the router is the edge" in edge["summary"]
    assert status["router"]["upnp"]["igd_version"] == 2
    assert status["ports"]["held_elsewhere"][0]["internal_client"] == router_lab.peer_address
    conflict = next(c for c in status["checks"] if c["id"] == "router.ports")
    assert conflict["status"] == "failed" and "6910-6919" in conflict["fix"]
    assert status["ports"]["offer"] == [6910, 6919]
    assert code == 0
    assert [p["port"] for p in forwarded["ports"] if p["verified"]] == list(range(6900, 6905))
    assert sorted(m.external_port for m in listed) == [6900, 6901, 6902, 6903, 6904, 6909]
    assert "Removed the forwarding of TCP 6900-6904" in undone
    assert [m.external_port for m in router_lab.upnpc_mappings()] == [6909]
    assert load_records(default_records_path()) == []


def test_command_line_refuses_bad_ports_and_leases_without_touching_the_router(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["router", "forward", "--ports", "6900-70000"]) == 2
    assert "--ports 6900-70000" in capsys.readouterr().err
    assert main(["router", "forward", "--lease", "-5"]) == 2
    assert "--lease -5" in capsys.readouterr().err


def test_after_forwarding_a_connection_to_the_public_address_is_tried_from_here(
        router_lab: RouterLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """miniupnpd's forwardings match only what comes in on the WAN side: no NAT loopback,
    said as common and harmless."""
    ini = tmp_path / "general-preferences.ini"
    ini.write_text("[Router]\nStunServers =\n")
    with router_lab.inside(router_lab.lan):
        code = main(["router", "forward", "--ports", "6900-6901", "--json", "--settings",
                     str(ini)])
        report = json.loads(capsys.readouterr().out)
        assert main(["router", "undo", "--settings", str(ini)]) == 0
    assert code == 0
    (loop,) = [c for c in report["checks"] if c["id"] == "router.hairpin"]
    assert loop["target"] == f"{router_lab.external_address}:6900"
    assert loop["status"] == "skipped"
    assert "does not loop back" in loop["summary"] and "not a problem" in loop["summary"]


@pytest.mark.asyncio
async def test_a_connection_that_comes_back_proves_the_path() -> None:
    """The other answer, on loopback: the address leads back to this computer."""
    from cobalt_setup.router.hairpin import probe_hairpin

    port = closed_port()
    result = await probe_hairpin("127.0.0.1", port, timeout=1.0)
    assert result.status is Status.OK, result
    assert "came back to this computer" in result.summary
    busy = socket.create_server(("0.0.0.0", port))
    try:
        taken = await probe_hairpin("127.0.0.1", port, timeout=1.0)
    finally:
        busy.close()
    assert taken.status is Status.SKIPPED and "in use on this computer" in taken.summary
