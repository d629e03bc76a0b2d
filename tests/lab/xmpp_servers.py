"""Real chat (XMPP) servers on loopback for the tests: prosody, started in the foreground.

Each server is `prosody -F --config FILE` as a child process, with everything in a folder
of its own: the config, a self-signed certificate for the chat domain (made with openssl),
the data folder and the log (`log = { debug = FILE }`). It listens on 127.0.0.1 only, on
free ports chosen here; s2s (server-to-server, the only part that would reach out) and
posix are disabled. It counts as started once it has answered a real client stream with
its `<stream:features>`. Stopping is by PID: SIGTERM, up to 2 s, then SIGKILL, and the
child is reaped.

Facts seen with prosody 0.12.3 (Debian 12), worth knowing when asserting on it:
- `prosody --version` is not an option: it starts the server with the system config
  (/etc/prosody). The version is in the first log line ("Hello and welcome to Prosody
  version 0.12.3"). This module never runs prosody without `--config`.
- Run as root, prosody refuses to start ("Refusing to run as root"); that check lives in
  mod_posix, which is disabled here, and `run_as_root = true` is set as well. The process
  stays root (nothing switches users; only prosodyctl does), so the tmp folder needs no
  special permissions.
- Without mod_posix prosody installs no SIGTERM handler: SIGTERM ends it at once.
- The direct TLS option is `c2s_direct_tls_ports` (0.12; `legacy_ssl_ports` is older).
- It prints a notice about the missing lua-unbound (it then uses its old DNS library):
  harmless, and no DNS query is made since s2s is off.
- c2s_require_encryption = true (the default): features before TLS are only
  `<starttls><required/></starttls>`, no SASL mechanisms. With it false and TLS on, the
  SCRAM mechanisms are shown before TLS (PLAIN is held back). Without TLS and with
  `allow_unencrypted_plain_auth = true`, PLAIN is offered in clear.
- A stream to another domain gets `<stream:error><host-unknown/>` with the text
  "This server does not serve DOMAIN", on the plain port and inside direct TLS alike.
- Ready about 0.15 s after it is started.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab.daemons import (
    LabStartError,
    LabUnavailable,
    Registry,
    await_ready,
    end_process,
    find_program,
)
from lab.ports import free_ports

PROSODY_MISSING = "prosody is not installed: apt-get install prosody"
OPENSSL_MISSING = "openssl is not installed: apt-get install openssl"
XMPP_DOMAIN = "chat.cobalt.test"

READY_TIMEOUT = 5.0  # seconds prosody has to answer its first stream
STOP_TIMEOUT = 2.0  # seconds between SIGTERM and SIGKILL
AVOIDED_PORTS = frozenset({5222, 5223, 5269, 5280, 5281})  # a system prosody's

_PROCESSES: Registry[int, subprocess.Popen[bytes]] = Registry(
    lambda _pid, process: end_process(process))




@dataclass
class ProsodyServer:
    """One prosody of the lab. `direct_tls_port` is None when it has no direct TLS port."""

    name: str
    domain: str
    host: str
    port: int  # c2s (STARTTLS) port
    direct_tls_port: int | None
    tls: bool  # has a certificate: offers STARTTLS and direct TLS
    require_encryption: bool
    folder: Path
    pid: int | None = None
    certificate: Path | None = field(default=None, compare=False)
    log: Path | None = field(default=None, compare=False)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def log_text(self) -> str:
        texts = []
        for path in (self.log, self.folder / "console.log"):
            if path is None:
                continue
            try:
                texts.append(path.read_text(errors="replace"))
            except OSError as error:
                texts.append(f"(cannot read {path}: {error})")
        return "\n".join(texts)


def find_prosody() -> str | None:
    return find_program("prosody")


def require_prosody() -> str:
    path = find_prosody()
    if path is None:
        raise LabUnavailable(PROSODY_MISSING)
    if shutil.which("openssl") is None:
        raise LabUnavailable(OPENSSL_MISSING)
    return path


def free_tcp_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct TCP ports free on `host` when chosen (released again for prosody)."""
    return free_ports(count, host, exclude=AVOIDED_PORTS)


def make_certificate(folder: Path, domain: str = XMPP_DOMAIN) -> tuple[Path, Path]:
    """A self-signed certificate for `domain` (2 days), as (certificate, key) PEM files."""
    certificate, key = folder / f"{domain}.crt", folder / f"{domain}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={domain}", "-addext", f"subjectAltName=DNS:{domain}",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, timeout=30)
    return certificate, key


def _lua_string(text: str | Path) -> str:
    text = str(text)
    if any(ch in text for ch in "\"\\\n"):
        raise ValueError(f"cannot quote {text!r} for Lua")
    return f'"{text}"'


def write_config(server: ProsodyServer, key: Path | None) -> Path:
    folder = server.folder
    lines = [
        "-- Written by tests/lab/xmpp_servers.py: a prosody of the test lab.",
        "run_as_root = true",
        f"pidfile = {_lua_string(folder / 'prosody.pid')}",
        f"data_path = {_lua_string(folder / 'data')}",
        f"interfaces = {{ {_lua_string(server.host)} }}",
        f"c2s_ports = {{ {server.port} }}",
        'modules_enabled = { "saslauth", "disco"' + (', "tls"' if server.tls else "") + " }",
        'modules_disabled = { "s2s", "posix" }',
        'authentication = "internal_plain"',
        f"c2s_require_encryption = {'true' if server.require_encryption else 'false'}",
        f"log = {{ debug = {_lua_string(server.log)} }}",
        f"certificates = {_lua_string(folder)}",
    ]
    if server.direct_tls_port is not None:
        lines.append(f"c2s_direct_tls_ports = {{ {server.direct_tls_port} }}")
    else:
        lines.append("c2s_direct_tls_ports = { }")
    if server.tls:
        assert server.certificate is not None and key is not None
        lines.append(f"ssl = {{ certificate = {_lua_string(server.certificate)}, "
                     f"key = {_lua_string(key)} }}")
    else:
        lines.append("allow_unencrypted_plain_auth = true")
    lines += ["", f"VirtualHost {_lua_string(server.domain)}", ""]
    config = folder / "prosody.cfg.lua"
    config.write_text("\n".join(lines))
    return config


def client_stream(host: str, port: int, domain: str, *, tls: bool = False,
                  timeout: float = 0.5) -> bytes:
    """One client stream, blocking (the lab's readiness check, independent of the probe):
    what the server sent until its features or stream error were complete."""
    header = (f"<?xml version='1.0'?><stream:stream to='{domain}' xmlns='jabber:client' "
              "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>").encode()
    deadline = time.monotonic() + timeout
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock, server_hostname=domain)
        sock.sendall(header)
        data = b""
        while b"</stream:features>" not in data and b"</stream:error>" not in data:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        with contextlib.suppress(OSError):
            sock.sendall(b"</stream:stream>")
        return data
    finally:
        sock.close()


def _await_ready(server: ProsodyServer, process: subprocess.Popen[bytes]) -> str | None:
    """None once the server listed its features (on every port), else why not."""
    ports = [(server.port, False)]
    if server.direct_tls_port is not None:
        ports.append((server.direct_tls_port, True))

    def lists_features(left: float) -> str | None:
        for port, tls in ports:
            reply = client_stream(server.host, port, server.domain, tls=tls,
                                  timeout=max(0.05, min(1.0, left)))
            if b"</stream:features>" not in reply:
                return f"port {port} answered {reply[:200]!r}"
        return None

    return await_ready(process, lists_features, deadline=time.monotonic() + READY_TIMEOUT,
                       waiting_for="list its stream features")


def start_prosody(folder: Path, *, name: str = "prosody", domain: str = XMPP_DOMAIN,
                  tls: bool = True, require_encryption: bool = True,
                  direct_tls: bool = True) -> ProsodyServer:
    """A prosody serving `domain` on 127.0.0.1. tls: a self-signed certificate, STARTTLS
    (required if `require_encryption`) and, if `direct_tls`, a direct TLS port."""
    binary = require_prosody()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    certificate = key = None
    if tls:
        certificate, key = make_certificate(folder, domain)
    failures = []
    for _attempt in range(3):  # a port taken between choosing and binding: new ports
        port, direct_port = free_tcp_ports(2)
        server = ProsodyServer(name, domain, "127.0.0.1", port,
                               direct_port if tls and direct_tls else None, tls,
                               require_encryption, folder, certificate=certificate,
                               log=folder / "prosody.log")
        config = write_config(server, key)
        with open(folder / "console.log", "ab") as console:
            process = subprocess.Popen([binary, "-F", "--config", str(config)],
                                       stdin=subprocess.DEVNULL, stdout=console,
                                       stderr=subprocess.STDOUT, cwd=folder)
        _PROCESSES[process.pid] = process
        server.pid = process.pid
        problem = _await_ready(server, process)
        if problem is None:
            return server
        text = server.log_text()
        stop_prosody(server)
        failures.append(f"{name} on {server.endpoint} {problem}; its logs:\n{text}")
        if "in use" not in text and "Address already" not in text:
            break
    raise LabStartError("\n".join(failures))


def stop_prosody(server: ProsodyServer) -> None:
    """SIGTERM, wait up to STOP_TIMEOUT, SIGKILL; reap. Idempotent."""
    if server.pid is None:
        return
    pid, server.pid = server.pid, None
    process = _PROCESSES.pop(pid, None)
    if process is not None:
        end_process(process, STOP_TIMEOUT)


def prosody_version(server: ProsodyServer) -> str:
    """The version prosody logged when it started ("" if not found)."""
    for line in server.log_text().splitlines():
        marker = "Prosody version "
        if marker in line:
            return line.split(marker, 1)[1].strip()
    return ""




__all__ = [
    "PROSODY_MISSING", "XMPP_DOMAIN", "LabStartError", "LabUnavailable", "ProsodyServer",
    "client_stream", "find_prosody", "free_tcp_ports", "make_certificate", "prosody_version",
    "require_prosody", "start_prosody", "stop_prosody",
]
