"""Real STUN servers for the tests, in the foreground: coturn's turnserver (STUN only), and
stund (Debian's stun-server, an RFC 3489 server) as the second implementation.

`turnserver -n --stun-only -L A [-L B] -p PORT --no-cli --no-tls --no-dtls --no-tcp
--log-file F --simple-log --pidfile P --userdb DB`, on loopback or inside one of a
router lab's namespaces (`ip netns exec`, which execs it: the child's PID is
turnserver's). Everything it writes is in a folder of ours; `-n` keeps it from reading
/etc/turnserver.conf, and it is never the Debian service. It counts as started once it
has answered a Binding request on every address. Stopping is by PID (SIGTERM, then
SIGKILL).

Facts seen with coturn 4.6.1 (Debian 12):
- A Binding request gets a success response with XOR-MAPPED-ADDRESS, MAPPED-ADDRESS,
  RESPONSE-ORIGIN and SOFTWARE ("Coturn-4.6.1 'Gorst'").
- It starts in about 0.1 s; with several -L it answers on each address from that address.

stund 0.97 runs as `stund -h A -a B -p PORT -o PORT+1` (it needs two addresses, as RFC 3489
does for its change requests), writes nothing but its console, and answers a Binding
request with MAPPED-ADDRESS (RFC 3489 has no XOR-MAPPED-ADDRESS).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from aioice import stun

from lab import netns
from lab.daemons import LabStartError, LabUnavailable, await_ready, end_process, find_program

STUN_PORT = 3478
READY_TIMEOUT = 10.0


@dataclass
class StunServer:
    addresses: tuple[str, ...]
    port: int
    namespace: str | None
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoints(self) -> str:
        """As [Router] StunServers spells them: "A:P, B:P"."""
        return ", ".join(f"{address}:{self.port}" for address in self.addresses)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"(cannot read {self.log_path}: {error})"


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port free on `host` now (for coturn on loopback, beside other tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def find_turnserver() -> str | None:
    return find_program("turnserver")


def binding_answer(address: str, port: int, timeout: float) -> tuple[str, int] | None:
    """The mapped address a Binding request to address:port gets, or None (a client of the
    lab's own, so the readiness check does not rest on the product's code)."""
    request = stun.Message(stun.Method.BINDING, stun.Class.REQUEST)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((address, port))
        sock.send(bytes(request))
        try:
            answer = stun.parse_message(sock.recv(2048))
        except (TimeoutError, ConnectionRefusedError, ValueError):
            return None
    mapped = answer.attributes.get("XOR-MAPPED-ADDRESS")
    return (str(mapped[0]), int(mapped[1])) if mapped else None


IMPLEMENTATIONS = ("coturn", "stund")


def start_stun_server(folder: Path, addresses: tuple[str, ...] = ("127.0.0.1",), *,
                      port: int = STUN_PORT, namespace: str | None = None,
                      implementation: str = "coturn") -> StunServer:
    """A STUN server answering on every one of `addresses` (which must exist where it
    runs; stund needs exactly two), inside `namespace` when given. Raises LabUnavailable
    when the program is not installed, LabStartError with its log when it does not
    answer."""
    folder.mkdir(parents=True, exist_ok=True)
    if implementation == "coturn":
        program = find_turnserver()
        if program is None:
            raise LabUnavailable("coturn's turnserver is not installed (Debian package coturn)")
        server = StunServer(addresses, port, namespace, folder / "turnserver.log")
        argv = [program, "-n", "--stun-only", *[arg for a in addresses for arg in ("-L", a)],
                "-p", str(port), "--no-cli", "--no-tls", "--no-dtls", "--no-tcp",
                "--log-file", str(server.log_path), "--simple-log",
                "--pidfile", str(folder / "turnserver.pid"), "--userdb",
                str(folder / "turn.db")]
    elif implementation == "stund":
        program = find_program("stund")
        if program is None:
            raise LabUnavailable("stund is not installed (Debian package stun-server)")
        if len(addresses) != 2:
            raise ValueError("stund needs two addresses")
        server = StunServer(addresses, port, namespace, folder / "stund.log")
        argv = [program, "-h", addresses[0], "-a", addresses[1], "-p", str(port),
                "-o", str(port + 1)]
    else:
        raise ValueError(f"implementation must be one of {IMPLEMENTATIONS}")
    if namespace is not None:
        argv = ["ip", "netns", "exec", namespace, *argv]
    with open(server.log_path, "ab") as log:
        server.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, cwd=folder)

    def answers(left: float) -> str | None:
        with netns.enter(namespace) if namespace else contextlib.nullcontext():
            for address in addresses:
                if binding_answer(address, port, min(left, 0.2)) is None:
                    return f"no Binding answer on {address}:{port}"
        return None

    problem = await_ready(server.process, answers, deadline=time.monotonic() + READY_TIMEOUT,
                          waiting_for="answer STUN", pause=0.02)
    if problem is not None:
        stop_stun_server(server)
        raise LabStartError(f"{implementation}: {problem}; its log {server.log_path}:\n"
                            f"{server.log_text()}")
    return server


def stop_stun_server(server: StunServer) -> None:
    """Stop it by PID; idempotent."""
    if server.process is not None:
        end_process(server.process)
        server.process = None
