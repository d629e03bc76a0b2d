"""A guard that fails any test (or benchmark) whose code reaches beyond this machine.

The product's defaults point at public hosts (8.8.8.8, the Open Cobalt directory), so a
test that forgets to inject its target would quietly send traffic to the Internet. This
guard wraps the socket calls that put traffic on the wire (connect, sendto, sendmsg) and
name lookups, allows loopback and the networks a test registers (addresses inside network
namespaces it created), and records everything else. The attempt fails with an OSError in
the code under test, and the test fails even if that code caught the error.

Hand-written rather than pytest-socket: pytest-socket guards `connect` only, not UDP
`sendto`/`sendmsg`, and does not let a test allow a namespace's addresses.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class OutsideNetworkError(OSError):
    """Raised in place of traffic that would leave the machine."""

    def __init__(self, what: str) -> None:
        super().__init__(errno.ENETUNREACH, f"network guard: {what} is not allowed in tests")


class NetworkGuard:
    def __init__(self) -> None:
        self.allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = list(LOOPBACK)
        self.violations: list[str] = []
        self._originals: dict[str, Callable[..., Any]] = {}

    # -- policy ---------------------------------------------------------------------
    def is_allowed_address(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.allowed)

    @contextlib.contextmanager
    def allow(self, network: str) -> Iterator[None]:
        """Allow a network for a while (the addresses of namespaces a test made)."""
        net = ipaddress.ip_network(network, strict=False)
        self.allowed.append(net)
        try:
            yield
        finally:
            self.allowed.remove(net)

    def _refuse(self, what: str) -> OutsideNetworkError:
        self.violations.append(what)
        return OutsideNetworkError(what)

    def check_destination(self, sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # Unix sockets, netlink: never leave the machine
        host, port = (address[0], address[1]) if isinstance(address, tuple) else (address, "?")
        if host in LOCAL_NAMES:
            return
        if not self.is_allowed_address(str(host)):
            raise self._refuse(f"sending to {host} port {port}")

    def check_lookup(self, host: Any) -> None:
        if host is None:
            return
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in LOCAL_NAMES or name == "":
            return
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            raise self._refuse(f"looking up the name {name!r}") from None
        # A numeric address is converted locally; sending to it is checked on connect/send.

    # -- installation ---------------------------------------------------------------
    def install(self) -> None:
        if self._originals:
            return
        guard = self
        cls = socket.socket
        self._originals = {
            "connect": cls.connect,
            "connect_ex": cls.connect_ex,
            "sendto": cls.sendto,
            "sendmsg": cls.sendmsg,
            "getaddrinfo": socket.getaddrinfo,
        }
        originals = self._originals

        def connect(sock: socket.socket, address: Any) -> Any:
            guard.check_destination(sock, address)
            return originals["connect"](sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> Any:
            guard.check_destination(sock, address)
            return originals["connect_ex"](sock, address)

        def sendto(sock: socket.socket, data: Any, *args: Any) -> Any:
            guard.check_destination(sock, args[-1])
            return originals["sendto"](sock, data, *args)

        def sendmsg(sock: socket.socket, buffers: Any, *args: Any) -> Any:
            if len(args) >= 3 and args[2] is not None:
                guard.check_destination(sock, args[2])
            return originals["sendmsg"](sock, buffers, *args)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            guard.check_lookup(host)
            return originals["getaddrinfo"](host, *args, **kwargs)

        cls.connect = connect  # type: ignore[method-assign]
        cls.connect_ex = connect_ex  # type: ignore[method-assign]
        cls.sendto = sendto  # type: ignore[method-assign]
        cls.sendmsg = sendmsg  # type: ignore[method-assign]
        socket.getaddrinfo = getaddrinfo

    def uninstall(self) -> None:
        if not self._originals:
            return
        cls = socket.socket
        for name in ("connect", "connect_ex", "sendto", "sendmsg"):
            setattr(cls, name, self._originals[name])
        socket.getaddrinfo = self._originals["getaddrinfo"]
        self._originals = {}

    def take_violations(self) -> list[str]:
        found, self.violations = self.violations, []
        return found

    def exit_if_violated(self, who: str) -> None:
        """For scripts (benchmarks, the verdicts document): stop with what `who` tried to
        reach, if anything, even where the code under test caught the error."""
        violations = self.take_violations()
        if violations:
            raise SystemExit(f"{who} tried to reach the outside network: {violations}")


GUARD = NetworkGuard()
