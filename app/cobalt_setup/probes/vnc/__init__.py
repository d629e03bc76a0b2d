"""VNC (RFB) checks: is a VNC server on a port, which protocol version, which security
types; a scan of the VNC port range; can this computer host VNC displays.

The VNC probe reads the server's greeting (`RFB 003.008\\n`), answers with the version it
will speak, reads the list of security types, and hangs up without authenticating. Every
read is capped (a hostile peer cannot make it hold more than a few KiB) and the whole
exchange is bounded by the probe's timeout.

A VNC server speaks first. When a port accepts the connection and stays silent for a
moment (`GREETING_GRACE`), the probe sends one plain HTTP request to learn what else is
there: a web server answers it, which usually means the Xrfb control port (HTTP) was
given where a VNC display port was expected.

Caution, seen with TigerVNC 1.12: the server counts every connection that ends before
authentication (ours do) as a failed attempt, and after 5 of them it blocks the prober's
address for a while (10 s at first, doubling) and greets it with RFB 3.3 and "Too many
security failures". Probe a user's VNC server once per user action, not in a tight loop;
the probe recognises that refusal and says so.

Port numbers: VNC display N listens on TCP 5900 + N. Open Cobalt's network table lists
5900-5930 (what a client connects to); the Xrfb setup guide asks a server's firewall to
open 5910-5999. `VNC_RANGE_NOTE` says this for users.

Parts: `rfb` (what is read from the wire), `verdict` (the words), `check` (one port, a
range), `hosting` (can this computer host displays; the range note).
"""

from cobalt_setup.probes.vnc.check import probe_vnc_port, scan_vnc_range
from cobalt_setup.probes.vnc.hosting import (
    VNC_RANGE_NOTE,
    free_local_ports,
    probe_vnc_hosting,
    vnc_range_note,
)
from cobalt_setup.probes.vnc.rfb import (
    CLIENT_RANGE,
    SECURITY_TYPE_NAMES,
    SERVER_RANGE,
    VNC_BASE_PORT,
    XRFB_CONTROL_PORT,
    could_be_greeting,
    display_for_port,
    security_type_name,
)

__all__ = [
    "CLIENT_RANGE", "SECURITY_TYPE_NAMES", "SERVER_RANGE", "VNC_BASE_PORT", "VNC_RANGE_NOTE",
    "XRFB_CONTROL_PORT", "could_be_greeting", "display_for_port", "free_local_ports",
    "probe_vnc_hosting", "probe_vnc_port", "scan_vnc_range", "security_type_name",
    "vnc_range_note",
]
