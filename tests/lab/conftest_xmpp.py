"""pytest fixtures for the lab's chat servers (see lab/xmpp_servers.py and
lab/ejabberd_server.py for what each one is).

Import into a conftest or a test module with `from lab.conftest_xmpp import prosody, ...`.
The prosody fixtures are function-scoped: a prosody (with a fresh certificate) is ready in
about 0.3 s, so each test gets its own and sees no other test's state. `ejabberd` is
module-scoped (see its docstring). `xmpp_server` runs a test once on each server. Their
config, certificate and logs stay under a tmp folder; a server that does not come up fails
the test with its log. Where a server is missing, the fixtures skip the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab import ejabberd_server, xmpp_servers
from lab.ejabberd_server import EjabberdServer
from lab.xmpp_servers import ProsodyServer

__all__ = ["XmppServer", "ejabberd", "prosody", "prosody_optional_tls",
           "prosody_without_tls", "xmpp_server"]

# Either server: they have the same fields (host, port, direct_tls_port, domain,
# certificate, log_text(), ...).
XmppServer = ProsodyServer | EjabberdServer


def _start(tmp_path_factory: pytest.TempPathFactory, name: str,
           **options: bool) -> Iterator[ProsodyServer]:
    try:
        xmpp_servers.require_prosody()
    except xmpp_servers.LabUnavailable as missing:
        pytest.skip(str(missing))
    server = xmpp_servers.start_prosody(tmp_path_factory.mktemp(f"xmpp-{name}"), name=name,
                                        **options)
    try:
        yield server
    finally:
        xmpp_servers.stop_prosody(server)


@pytest.fixture
def prosody(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProsodyServer]:
    """prosody serving chat.cobalt.test with a self-signed certificate: STARTTLS required
    on .port, direct TLS on .direct_tls_port."""
    yield from _start(tmp_path_factory, "prosody")


@pytest.fixture
def prosody_optional_tls(tmp_path_factory: pytest.TempPathFactory,
                         ) -> Iterator[ProsodyServer]:
    """Like prosody, but STARTTLS is optional (c2s_require_encryption = false), so the SASL
    mechanisms (SCRAM) show before TLS; no direct TLS port."""
    yield from _start(tmp_path_factory, "prosody-optional-tls", require_encryption=False,
                      direct_tls=False)


@pytest.fixture
def prosody_without_tls(tmp_path_factory: pytest.TempPathFactory,
                        ) -> Iterator[ProsodyServer]:
    """prosody with no certificate and no TLS module: no STARTTLS, PLAIN offered in clear
    (allow_unencrypted_plain_auth); no direct TLS port."""
    yield from _start(tmp_path_factory, "prosody-without-tls", tls=False,
                      require_encryption=False)


@pytest.fixture(scope="module")
def ejabberd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EjabberdServer]:
    """ejabberd serving chat.cobalt.test with a self-signed certificate: STARTTLS required
    on .port, direct TLS on .direct_tls_port.

    Module-scoped: measured, starting one takes about 1.5 s (the certificate, then 0.85 s
    until the Erlang VM answers) and stopping it 1.1 s, against prosody's 0.25 s and
    0.06 s; so one ejabberd serves all the tests of a module. The tests only open streams
    and read the features, which change nothing on the server."""
    try:
        ejabberd_server.require_ejabberd()
    except ejabberd_server.LabUnavailable as missing:
        pytest.skip(str(missing))
    server = ejabberd_server.start_ejabberd(tmp_path_factory.mktemp("xmpp-ejabberd"))
    try:
        yield server
    finally:
        ejabberd_server.stop_ejabberd(server)


@pytest.fixture(params=["prosody", "ejabberd"])
def xmpp_server(request: pytest.FixtureRequest) -> XmppServer:
    """The test runs once on each real server (the `prosody` or `ejabberd` fixture, each
    serving chat.cobalt.test with STARTTLS required and a direct TLS port); each skips on
    its own where that server is missing."""
    server: XmppServer = request.getfixturevalue(request.param)
    return server
