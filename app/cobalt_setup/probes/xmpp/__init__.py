"""The chat (XMPP) check: does a server answer chat clients for a domain, and is it safe.

`probe_xmpp` opens a client stream to `host:port` for `domain` (the part after @ in chat
addresses), reads the server's stream header and its `<stream:features>`, and hangs up
with `</stream:stream>`, without logging in. It reports whether STARTTLS is offered (and
required), the SASL mechanisms when they are visible before TLS, and a stream error in
plain words (`host-unknown` is the common one: a wrong chat domain). Meanwhile, on its own
connection, it tries direct TLS on `direct_tls_port` (5223, the legacy "XMPP over SSL"
port): a TLS handshake, then the same stream exchange inside it. Both halves run at the
same time, each bounded by `timeout`, so the probe ends within `timeout` plus a little.

The host and port come from the caller (the DNS code looks up `_xmpp-client._tcp` SRV
records); the TCP kit resolves the host and races its addresses.

Safety: everything read from one connection is capped (READ_CAP); the XML is parsed
incrementally by defusedxml, with document type declarations refused (XMPP forbids them,
RFC 6120 section 11.1), so no entity can be declared, let alone expanded: an "XML bomb"
costs nothing. The parser keeps no tree: it notes the few facts the report needs, each
capped in size and number.

Parts: `stream` (the XML read safely), `connection` (one connection on the TCP kit),
`certificate` (what the direct TLS certificate says), `verdict` (the words), `check`
(`probe_xmpp`).
"""

from cobalt_setup.probes.xmpp.certificate import subject_and_issuer
from cobalt_setup.probes.xmpp.check import probe_xmpp
from cobalt_setup.probes.xmpp.connection import trust_context
from cobalt_setup.probes.xmpp.stream import (
    DIRECT_TLS_PORT,
    PROBE_ID,
    READ_CAP,
    SERVICE,
    STARTTLS_PORT,
    domain_problem,
    stream_header,
)

__all__ = ["DIRECT_TLS_PORT", "PROBE_ID", "READ_CAP", "SERVICE", "STARTTLS_PORT",
           "domain_problem", "probe_xmpp", "stream_header", "subject_and_issuer",
           "trust_context"]
