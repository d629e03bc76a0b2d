"""STUN: what the Internet sees, against real STUN servers (coturn, and stund for the
verdicts in the router lab), and what that proves.

On loopback, coturn answers the product's Binding requests; silent, garbage and error
answers come from small peers of our own (coturn cannot be made to send them). In the
router lab, coturn sits beyond the router on the lab's "Internet": at the edge it sees
the router's own external address; behind a second NAT (namespace isp) it sees another,
and the wizard names the other NAT; with a symmetric second NAT the two servers see two
ports, and the wizard says peers cannot connect directly.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aioice import stun as aioice_stun

from cobalt_setup.addresses import Endpoint, InvalidValue, parse_stun_servers
from cobalt_setup.result import Status
from cobalt_setup.router.checks import check_router
from cobalt_setup.router.environment import RouterEnvironment
from cobalt_setup.router.stun import Answer, Mapping, ask_stun_servers
from cobalt_setup.settings import FIELDS_BY_ID, Settings, SettingsInvalid
from lab.router_lab import RouterLab
from lab.stun_server import StunServer, free_udp_port, start_stun_server, stop_stun_server


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[StunServer]:
    """coturn on two loopback addresses (two servers, one process)."""
    from lab.daemons import LabUnavailable

    try:
        server = start_stun_server(tmp_path / "coturn", ("127.0.0.1", "127.0.0.2"),
                              port=free_udp_port())
    except LabUnavailable as missing:
        pytest.skip(str(missing))
    yield server
    stop_stun_server(server)


def _endpoints(server: StunServer) -> tuple[Endpoint, ...]:
    return tuple(Endpoint(address, server.port) for address in server.addresses)


class _Answering:
    """A UDP peer that answers every datagram with `reply(request, client)`, or not at all
    (None)."""

    def __init__(self, reply: Callable[[bytes, tuple[str, int]], bytes | None]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.reply = reply
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("127.0.0.1", self.sock.getsockname()[1])

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                data, client = self.sock.recvfrom(2048)
            except (TimeoutError, OSError):
                continue
            answer = self.reply(data, client)
            if answer is not None:
                self.sock.sendto(answer, client)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def answering() -> Iterator[Callable[..., _Answering]]:
    made: list[_Answering] = []

    def make(reply: Callable[[bytes, tuple[str, int]], bytes | None]) -> _Answering:
        made.append(_Answering(reply))
        return made[-1]

    yield make
    for peer in made:
        peer.close()


def _error_reply(request: bytes, _client: tuple[str, int]) -> bytes:
    asked = aioice_stun.parse_message(request)
    error = aioice_stun.Message(aioice_stun.Method.BINDING, aioice_stun.Class.ERROR,
                                transaction_id=asked.transaction_id,
                                attributes={"ERROR-CODE": (400, "Bad Request")})
    return bytes(error)


# -- the protocol, on loopback ---------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.lab
async def test_a_real_stun_server_tells_the_address_and_port_it_sees(
        coturn: StunServer) -> None:
    findings = await ask_stun_servers(_endpoints(coturn), timeout=2.0)
    assert [a.answer for a in findings.answers] == [Answer.MAPPED, Answer.MAPPED]
    assert findings.public is not None and findings.public[0] == "127.0.0.1"
    # one socket asked both: both saw the same port, so the mapping is one for all
    assert findings.mapping is Mapping.SAME
    assert findings.as_dict()["public_port"] == findings.public[1]


@pytest.mark.asyncio
async def test_silence_garbage_and_an_error_are_told_apart(answering: Callable) -> None:
    silent = answering(lambda _request, _client: None)
    garbage = answering(lambda _request, _client: b"HTTP/1.0 400 Bad Request\r\n\r\n")
    error = answering(_error_reply)
    findings = await ask_stun_servers((silent.endpoint, garbage.endpoint, error.endpoint),
                                      timeout=1.0)
    by_kind = {a.answer: a for a in findings.answers}
    assert set(by_kind) == {Answer.SILENT, Answer.NOT_STUN, Answer.ERROR}
    assert by_kind[Answer.SILENT].words == "no answer within 1 s"
    assert by_kind[Answer.NOT_STUN].words == "answered, but not in STUN"
    assert by_kind[Answer.ERROR].words == "answered with STUN error 400 (Bad Request)"
    assert findings.public is None and findings.mapping is Mapping.UNKNOWN


@pytest.mark.asyncio
async def test_an_answer_from_another_address_is_not_taken(answering: Callable) -> None:
    """A reply that carries our transaction but comes from elsewhere is ignored: only the
    server asked can tell what it saw."""
    elsewhere = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    elsewhere.bind(("127.0.0.1", 0))

    def reply_from_elsewhere(request: bytes, client: tuple[str, int]) -> None:
        asked = aioice_stun.parse_message(request)
        fake = aioice_stun.Message(aioice_stun.Method.BINDING, aioice_stun.Class.RESPONSE,
                                   transaction_id=asked.transaction_id,
                                   attributes={"XOR-MAPPED-ADDRESS": ("203.0.113.9", 1)})
        elsewhere.sendto(bytes(fake), client)

    try:
        server = answering(reply_from_elsewhere)
        findings = await ask_stun_servers((server.endpoint,), timeout=1.0)
    finally:
        elsewhere.close()
    assert findings.answers[0].answer is Answer.SILENT
    assert findings.public is None


def test_the_stun_servers_setting_takes_names_and_ports_and_refuses_bad_ones() -> None:
    assert parse_stun_servers("stun.example.net, 192.0.2.7:19302") == (
        Endpoint("stun.example.net"), Endpoint("192.0.2.7", 19302))
    assert parse_stun_servers("  ") == ()
    for bad in ("stun example.net", "stun.example.net:70000"):
        with pytest.raises(InvalidValue):
            parse_stun_servers(bad)
    with pytest.raises(SettingsInvalid) as refused:
        Settings.from_texts({("Router", "StunServers"): "stun.example.net:70000"})
    assert refused.value.errors[0].field is FIELDS_BY_ID["Router", "StunServers"]
    assert Settings.defaults().router.stun_servers == (
        Endpoint("stun.l.google.com", 19302), Endpoint("stun.cloudflare.com", 3478))


# -- what it proves, in the router lab --------------------------------------------------------

# Two STUN implementations: coturn (RFC 5389/8489, XOR-MAPPED-ADDRESS) and stund (RFC 3489,
# MAPPED-ADDRESS only).
STUN_IMPLEMENTATIONS = pytest.mark.parametrize("implementation", ["coturn", "stund"])

async def _edge_check(lab: RouterLab, tmp_path: Path) -> tuple[dict, str]:
    assert lab.stun is not None
    settings = Settings.from_texts({("Router", "StunServers"): lab.stun.endpoints})
    report = await check_router(settings, RouterEnvironment(records_path=tmp_path / "m.json"),
                                lambda _result: None, prove=False)
    edge = next(r for r in report.results if r.id == "router.stun")
    return {"status": edge.status, "summary": edge.summary, "fix": edge.fix,
            **edge.details}, report.findings.external_address or ""


@pytest.mark.lab
@STUN_IMPLEMENTATIONS
def test_at_the_edge_stun_sees_the_routers_own_address(
        make_router_lab: Callable[..., RouterLab], tmp_path: Path, implementation: str
) -> None:
    lab = make_router_lab(stun=implementation)
    with lab.inside(lab.lan):
        edge, external = asyncio.run(_edge_check(lab, tmp_path))
    assert external == lab.external_address == edge["public_address"]
    assert edge["status"] is Status.OK
    assert "the router is the edge of your network" in edge["summary"]
    assert edge["mapping"] == Mapping.SAME.value


@pytest.mark.lab
@STUN_IMPLEMENTATIONS
def test_behind_a_second_nat_the_other_nat_is_named_with_the_fix(
        make_router_lab: Callable[..., RouterLab], tmp_path: Path, implementation: str
) -> None:
    lab = make_router_lab(stun=implementation, outer_nat="cone")
    with lab.inside(lab.lan):
        edge, external = asyncio.run(_edge_check(lab, tmp_path))
    assert external == lab.external_address == "81.2.69.1"  # the router looks public
    assert edge["public_address"] == lab.seen_from_internet == "81.2.70.1"
    assert edge["status"] is Status.WARNING
    assert "another NAT is in front of the router" in edge["summary"]
    assert "81.2.70.1" in edge["summary"] and "81.2.69.1" in edge["summary"]
    assert "bridge" in edge["fix"]
    assert edge["mapping"] == Mapping.SAME.value


@pytest.mark.lab
@STUN_IMPLEMENTATIONS
def test_a_symmetric_second_nat_shows_a_mapping_per_destination(
        make_router_lab: Callable[..., RouterLab], tmp_path: Path, implementation: str
) -> None:
    lab = make_router_lab(stun=implementation, outer_nat="symmetric")
    with lab.inside(lab.lan):
        edge, _external = asyncio.run(_edge_check(lab, tmp_path))
    assert edge["mapping"] == Mapping.PER_DESTINATION.value
    ports = {answer["mapped"] for answer in edge["answers"]}
    assert len(ports) == 2, edge["answers"]
    assert "symmetric NAT" in edge["summary"]
    assert "another NAT is in front of the router" in edge["summary"]


@pytest.mark.lab
def test_when_no_stun_server_answers_the_wizard_says_so_and_guesses_nothing(
        make_router_lab: Callable[..., RouterLab], tmp_path: Path) -> None:
    lab = make_router_lab(stun="coturn", outer_nat="cone")
    assert lab.stun is not None
    stop_stun_server(lab.stun)
    with lab.inside(lab.lan):
        edge, _external = asyncio.run(_edge_check(lab, tmp_path))
    assert edge["status"] is Status.WARNING
    assert edge["public_address"] is None
    assert "cannot tell whether another NAT is in front of the router" in edge["summary"]
    assert "another NAT is in front of the router (" not in edge["summary"]


@pytest.mark.lab
@pytest.mark.parametrize("outer_nat", [None, "cone"], ids=["at the edge", "second NAT"])
def test_router_status_opens_with_whether_friends_can_reach_you(
        make_router_lab: Callable[..., RouterLab], tmp_path: Path, outer_nat: str | None,
        capsys: pytest.CaptureFixture[str]) -> None:
    from cobalt_setup.cli import main

    lab = make_router_lab(stun="coturn", outer_nat=outer_nat)
    assert lab.stun is not None
    ini = tmp_path / "general-preferences.ini"
    ini.write_text(f"[Router]\nStunServers = {lab.stun.endpoints}\n")
    with lab.inside(lab.lan):
        main(["router", "status", "--json", "--settings", str(ini)])
    report = json.loads(capsys.readouterr().out)
    (friends,) = report["outcomes"]
    assert friends["id"] == "friends-reach-you"
    assert "router.stun" in friends["because"]
    if outer_nat is None:
        assert friends["status"] == "ok", friends
        assert "the router is the edge of your network" in friends["summary"]
        assert friends["fix"] == ""
    else:
        assert friends["status"] == "failed", friends
        assert "another NAT is in front of the router" in friends["summary"]
        assert "bridge" in friends["fix"]
