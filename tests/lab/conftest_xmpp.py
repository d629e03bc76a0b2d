"""pytest fixtures for the lab's chat servers (see lab/xmpp_servers.py for what each one is).

Import into a conftest or a test module with `from lab.conftest_xmpp import prosody, ...`.
All fixtures are function-scoped: a prosody (with a fresh certificate) is ready in about
0.3 s, so each test gets its own and sees no other test's state. Its config, certificate
and logs stay under the test's tmp folder; a server that does not come up fails the test
with its log. Where prosody is missing, the fixtures skip the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab import xmpp_servers
from lab.xmpp_servers import ProsodyServer

__all__ = ["prosody", "prosody_optional_tls", "prosody_without_tls"]


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
