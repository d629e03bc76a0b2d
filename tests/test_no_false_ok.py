"""No false ok: with every target silent, refusing, or answering garbage, no check that
talks to a target says OK, and each one's words say what came back.

One diagnosis per kind of peer, every service pointed at such peers on loopback: TCP
listeners that never answer, closed ports, or listeners that send bytes of no protocol;
UDP (DNS, NAT-PMP, SSDP) sockets that never answer, closed ports, or answer garbage.
Not asked here: the checks of this computer itself (free local ports), an address that
needs no look-up ("is an address: no name to look up"), and the passive LAN listen (it has
no target that could be silent or refuse).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cobalt_setup.checks.diagnosis import Diagnosis, run_diagnosis
from cobalt_setup.result import Status
from lab.peer_kinds import KINDS, Peers, settings_and_environment

NOT_ASKED = {"vnc.hosting", "teatime.hosting", "crqt.listen", "ldap.resolution",
             "xrfb.resolution", "xmpp.resolution"}


@pytest.fixture(params=KINDS)
def diagnosed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Diagnosis]]:
    peers = Peers(request.param)
    try:
        settings, environment = settings_and_environment(peers, tmp_path / "mappings.json")
        yield request.param, asyncio.run(run_diagnosis(settings, environment))
    finally:
        peers.close()


def test_no_check_of_a_target_says_ok_when_the_target_does_not_serve(
        diagnosed: tuple[str, Diagnosis]) -> None:
    kind, diagnosis = diagnosed
    asked = {check.id: check for check in diagnosis.checks if check.id not in NOT_ASKED}
    assert {"dns.discovery", "http.version-check", "ldap.directory", "xrfb.control",
            "vnc.range", "xmpp.client", "router.ssdp", "router.natpmp"} <= set(asked)
    assert any(check_id.startswith("dns.resolver.") for check_id in asked)
    false_ok = {check_id: check.summary for check_id, check in asked.items()
                if check.status is Status.OK}
    assert false_ok == {}, f"{kind} peers"


WORDS: dict[str, Callable[[str], bool]] = {
    "silent": lambda summary: "refused" not in summary and (
        "within 1 s" in summary or "no answer" in summary),
    "refusing": lambda summary: "refused" in summary,
    "garbage": lambda summary: "no answer" not in summary and "within" not in summary,
}


def test_the_words_say_what_came_back(diagnosed: tuple[str, Diagnosis]) -> None:
    """A refused connection is never called silent, an answer in another protocol never
    "no answer", and silence never "refused"."""
    kind, diagnosis = diagnosed
    tcp_checks = {"http.version-check", "ldap.directory", "xrfb.control", "vnc.range",
                  "xmpp.client"}
    wrong = {check.id: check.summary for check in diagnosis.checks
             if check.id in tcp_checks and not WORDS[kind](check.summary)}
    assert wrong == {}, f"{kind} peers"
