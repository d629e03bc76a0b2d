"""The system errors the probes tell apart, with their Windows (Winsock) twins: one place,
so that a bind or a connect is judged the same way everywhere."""

from __future__ import annotations

import errno


def _with_winsock(name: str) -> frozenset[int]:
    code = getattr(errno, name)
    return frozenset({code, getattr(errno, "WSA" + name, code)})


ADDRESS_IN_USE = _with_winsock("EADDRINUSE")  # another program listens on the port
ACCESS_DENIED = _with_winsock("EACCES")  # a reserved port, or a security policy
NOT_MINE = _with_winsock("EADDRNOTAVAIL")  # the address is not one of this computer's
UNREACHABLE = (_with_winsock("ENETUNREACH") | _with_winsock("EHOSTUNREACH")
               | NOT_MINE)  # no route from here (or no address to send from)
