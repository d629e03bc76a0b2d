"""pytest fixtures for the lab's LDAP servers (see lab/ldap_servers.py for what each is).

Import into a test module with `from lab.conftest_ldap import *  # noqa: F403`
(the module's __all__ lists the fixtures; importing them by name makes ruff report F811
wherever a test takes one as an argument).
Function-scoped: slapadd and slapd together take well under 0.1 s, so every test gets a
fresh directory. A slapd that does not come up fails the test with its log; where slapd is
not installed, the fixtures skip the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab import ldap_servers
from lab.ldap_servers import SlapdServer
from lab.sockets import Peer

__all__ = ["cobalt_slapd", "ldaps_slapd", "mute_ldap_server", "plain_slapd", "private_slapd"]


def _start(tmp_path_factory: pytest.TempPathFactory, with_cobalt_schema: bool,
           name: str | None = None, anonymous_bind_allowed: bool = True,
           ldaps: bool = False) -> SlapdServer:
    try:
        ldap_servers.require_slapd()
    except ldap_servers.LabUnavailable as missing:
        pytest.skip(str(missing))
    name = name or ("cobalt" if with_cobalt_schema else "plain")
    return ldap_servers.start_slapd(tmp_path_factory.mktemp(f"slapd-{name}"),
                                    with_cobalt_schema=with_cobalt_schema, name=name,
                                    anonymous_bind_allowed=anonymous_bind_allowed,
                                    ldaps=ldaps)


@pytest.fixture
def cobalt_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlapdServer]:
    """slapd with Open Cobalt's schema extension; PUBLISHED_SPACES spaces under ou=people."""
    server = _start(tmp_path_factory, with_cobalt_schema=True)
    yield server
    ldap_servers.stop_slapd(server)


@pytest.fixture
def plain_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlapdServer]:
    """slapd with the same people but no Open Cobalt schema: LDAP, not a Space Directory."""
    server = _start(tmp_path_factory, with_cobalt_schema=False)
    yield server
    ldap_servers.stop_slapd(server)


@pytest.fixture
def private_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlapdServer]:
    """Like cobalt_slapd, but anonymous binds are refused (`disallow bind_anon`)."""
    server = _start(tmp_path_factory, with_cobalt_schema=True, name="private",
                    anonymous_bind_allowed=False)
    yield server
    ldap_servers.stop_slapd(server)


@pytest.fixture
def ldaps_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlapdServer]:
    """Like cobalt_slapd, but on an LDAPS-only port: TLS from the first byte."""
    server = _start(tmp_path_factory, with_cobalt_schema=True, name="ldaps", ldaps=True)
    yield server
    ldap_servers.stop_slapd(server)


@pytest.fixture
def mute_ldap_server() -> Iterator[Peer]:
    """A fake LDAP server (a thread) that accepts anonymous binds and answers nothing else."""
    peer = ldap_servers.start_mute_ldap_server()
    yield peer
    peer.stop()
