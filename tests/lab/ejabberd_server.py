"""A second real chat (XMPP) server on loopback for the tests: ejabberd, in the foreground.

The server is the Erlang VM run directly (`erl -noinput ... -s ejabberd`, what
`ejabberdctl foreground` runs, without the script) as a child process, with everything
in a folder of its own: the config (ejabberd.yml), a self-signed certificate for the chat
domain (lab.xmpp_servers.make_certificate), the Mnesia database (the spool), the logs, the
crash dump and HOME. It never reads or writes /etc/ejabberd, /var/lib/ejabberd or
/var/log/ejabberd and is never a system service. It listens on 127.0.0.1 only: one c2s
port with STARTTLS required and one direct TLS port (`tls: true`), both free ports chosen
here; there is no s2s listener, outgoing s2s is denied (`s2s_access: none`), there is no
http, stun or mqtt listener and no module at all (`modules: {}`: no mod_http_upload, no
mod_s2s_dialback, ...), and ACME is off. It counts as started once both ports have
answered a real client stream with their `<stream:features>`. Stopping is by PID: SIGTERM,
up to STOP_TIMEOUT, then SIGKILL, and the child is reaped.

Facts seen with ejabberd 23.01 (Debian 12, Erlang/OTP 25, erts 13.1.5), worth knowing:
- No Erlang distribution, so no epmd and no node name or cookie: the VM is started
  without -sname/-name and ejabberd runs happily on the node `nonode@nohost` (Mnesia too).
  `-start_epmd false` is passed as well, so that nothing can start an epmd behind our back
  (a distribution started by mistake then fails instead). No ~/.erlang.cookie is written.
  ejabberdctl cannot talk to this node; the lab does not need it. (`erl -sname x` leaves
  an `epmd -daemon` listening on 0.0.0.0:4369 and [::]:4369 after the VM has ended.)
- What it does on the network (seen with strace): TCP listens on the two 127.0.0.1 ports
  only; the Erlang kernel opens a UDP socket on 0.0.0.0 with port 0 for a moment, only to
  ask the computer's name (inet_config:set_hostname), and sends nothing on it; it then
  looks that name up once through glibc (the inet_gethost helper: /etc/hosts, then DNS
  as nsswitch.conf says), which stays local where /etc/hosts has the name (as here, and as
  Debian sets it up); that look-up comes before any inetrc is read. A second one, made
  later with Erlang's default `native` lookup, is avoided by a private inetrc,
  `{lookup, [file]}.` (ERL_INETRC). No connection to anything but loopback.
- Why not `ejabberdctl foreground`: as root it runs the VM as the ejabberd user through
  `su` (a user who cannot enter pytest's tmp folders: root's, mode 700), it sources
  ejabberdctl.cfg and reads vm.args and inetrc from its config folder (/etc/ejabberd
  unless told otherwise), and with a node name it starts an epmd that stays behind unless
  ERL_DIST_PORT is set. Run as root directly, ejabberd does not refuse.
- What the script sets and the VM needs: ERL_LIBS (Debian: /usr/lib/x86_64-linux-gnu,
  where ejabberd-23.01 lives; its dependencies are in /usr/lib/erlang/lib), read here from
  the ejabberdctl script; EJABBERD_CONFIG_PATH (the config), EJABBERD_LOG_PATH (the log;
  error.log goes beside it), `-mnesia dir '"SPOOL"'` (an Erlang string, quotes included).
  Also set here: ERL_CRASH_DUMP, ERL_INETRC, HOME, CONTRIB_MODULES_PATH and
  CONTRIB_MODULES_CONF_DIR (else ~/.ejabberd-modules); removed from the inherited
  environment: ERL_FLAGS, ERL_AFLAGS, ERL_ZFLAGS, ERL_OPTIONS (they could add flags such
  as -sname), ERL_DIST_PORT, ERL_EPMD_ADDRESS and NOTIFY_SOCKET (ejabberd would notify
  systemd through it: "Got no NOTIFY_SOCKET, notifications disabled" when it is absent).
- Ready about 0.85 s after it is started (the log says "ejabberd 23.01-1 is started in
  the node nonode@nohost in 0.80s"; the VM's own start comes on top). The listeners open
  during the start; a taken port ends the VM with status 1 and "Failed to open socket at
  127.0.0.1:PORT for ejabberd_c2s: address already in use" in the log.
- SIGTERM is handled ("SIGTERM received - shutting down"): ejabberd stops in about 10 ms,
  but the VM takes about 1 s more to exit (init:stop() of an empty Erlang VM takes 1 s
  here too), hence STOP_TIMEOUT of 5 s rather than the lab's 2 s. The eimp helper
  programs it starts (children of erl_child_setup) end with it.
- The c2s listener has no STARTTLS by default, even with certificates (PLAIN and
  DIGEST-MD5 offered in clear); `starttls: true` offers it (optional) with the SASL
  mechanisms, PLAIN included, shown before TLS; `starttls_required: true` (set here) shows
  only `<starttls><required/></starttls>` before TLS, as prosody does.
- Inside direct TLS it lists DIGEST-MD5, PLAIN, SCRAM-SHA-{512,256,1}(-PLUS) and X-OAUTH2.
- It logs "Invalid certificate in FILE: at line 1: self-signed certificate" and "will
  expire in 2 days" as warnings, and uses the certificate anyway.
- A stream to another domain gets `<stream:error><host-unknown/>` with no text (prosody
  adds one), on the plain port and inside direct TLS alike. Unlike prosody, a TLS
  handshake with another name (SNI) succeeds: ejabberd sends the certificate it has and
  refuses the domain only in the stream that follows.
"""

from __future__ import annotations

import json
import os
import re
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
from lab.xmpp_servers import (
    OPENSSL_MISSING,
    XMPP_DOMAIN,
    client_stream,
    free_tcp_ports,
    make_certificate,
)

EJABBERD_MISSING = "ejabberd is not installed: apt-get install ejabberd"
READY_TIMEOUT = 20.0  # seconds ejabberd has to answer its first streams (needs ~0.85 s)
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL (needs ~1 s)
DEBIAN_ERL_LIBS = "/usr/lib/x86_64-linux-gnu"
# Inherited variables that could change how the VM starts (add -sname, ...) or whom
# ejabberd talks to (systemd's notify socket).
_DROPPED_ENV = ("ERL_FLAGS", "ERL_AFLAGS", "ERL_ZFLAGS", "ERL_OPTIONS", "ERL_LIBS",
                "ERL_DIST_PORT", "ERL_EPMD_ADDRESS", "NOTIFY_SOCKET",
                "EJABBERDCTL_CONFIG_PATH", "EJABBERD_PID_PATH")

_PROCESSES: Registry[int, subprocess.Popen[bytes]] = Registry(
    lambda _pid, process: end_process(process, STOP_TIMEOUT))


@dataclass
class EjabberdServer:
    """One ejabberd of the lab, with the fields of lab.xmpp_servers.ProsodyServer, so a
    test can take either. `direct_tls_port` is None when it has no direct TLS port."""

    name: str
    domain: str
    host: str
    port: int  # c2s (STARTTLS) port
    direct_tls_port: int | None
    tls: bool  # has a certificate: offers STARTTLS (always, here)
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


@dataclass(frozen=True)
class Installation:
    erl: str  # the Erlang VM's start script
    erl_libs: str  # where the ejabberd application lives


def _from_ejabberdctl(script: str, name: str) -> str | None:
    """A variable's value as the ejabberdctl script sets it (`NAME="..."` or `NAME='...'`)."""
    try:
        text = Path(script).read_text(errors="replace")
    except OSError:
        return None
    found = re.search(rf"^{name}=[\"']([^\"'$]*)[\"']\s*$", text, re.MULTILINE)
    return found.group(1) if found else None


def find_ejabberd() -> Installation | None:
    ctl = find_program("ejabberdctl")
    if ctl is None:
        return None
    erl = _from_ejabberdctl(ctl, "ERL") or find_program("erl")
    libs = _from_ejabberdctl(ctl, "ERL_LIBS") or DEBIAN_ERL_LIBS
    if erl is None or not os.access(erl, os.X_OK):
        return None
    if not any(Path(folder).glob("ejabberd-*/ebin/ejabberd.app")
               for folder in [*libs.split(":"), "/usr/lib/erlang/lib"]):
        return None
    return Installation(erl, libs)


def require_ejabberd() -> Installation:
    installation = find_ejabberd()
    if installation is None:
        raise LabUnavailable(EJABBERD_MISSING)
    if find_program("openssl") is None:
        raise LabUnavailable(OPENSSL_MISSING)
    return installation


def _erlang_string(text: str | Path) -> str:
    text = str(text)
    if any(ch in text for ch in "\"\\\n"):
        raise ValueError(f"cannot quote {text!r} for Erlang")
    return f'"{text}"'


def write_config(server: EjabberdServer, key: Path) -> Path:
    """ejabberd.yml for `server`; strings are written as JSON strings (valid YAML)."""
    def quoted(text: str | Path) -> str:
        return json.dumps(str(text))

    c2s = [
        f"  - port: {server.port}",
        f"    ip: {quoted(server.host)}",
        "    module: ejabberd_c2s",
        # Without either option ejabberd offers no STARTTLS at all.
        "    starttls_required: true" if server.require_encryption else "    starttls: true",
    ]
    if server.direct_tls_port is not None:
        c2s += [
            f"  - port: {server.direct_tls_port}",
            f"    ip: {quoted(server.host)}",
            "    module: ejabberd_c2s",
            "    tls: true",
        ]
    lines = [
        "# Written by tests/lab/ejabberd_server.py: an ejabberd of the test lab.",
        "hosts:",
        f"  - {quoted(server.domain)}",
        "loglevel: info",
        "log_rotate_count: 0",
        "certfiles:",
        f"  - {quoted(server.certificate)}",
        f"  - {quoted(key)}",
        "acme:",
        "  auto: false",
        "s2s_access: none",  # no outgoing server-to-server connection
        "auth_method: internal",
        "listen:",
        *c2s,
        "modules: {}",
        "",
    ]
    config = server.folder / "ejabberd.yml"
    config.write_text("\n".join(lines))
    return config


def write_inetrc(folder: Path) -> Path:
    """Erlang's resolver configuration: names from /etc/hosts only. The VM looks up the
    computer's own name when it starts; by default (`native`) that is glibc's resolver,
    which would ask the DNS server of /etc/resolv.conf where /etc/hosts lacks the name."""
    inetrc = folder / "inetrc"
    inetrc.write_text("{lookup, [file]}.\n")
    return inetrc


def command(installation: Installation, server: EjabberdServer,
            config: Path) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that start `server` in the foreground."""
    folder = server.folder
    argv = [installation.erl, "-noinput", "-start_epmd", "false",
            "-mnesia", "dir", _erlang_string(folder / "spool"), "-s", "ejabberd"]
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    env.update({
        "HOME": str(folder),
        "ERL_LIBS": installation.erl_libs,
        "ERL_CRASH_DUMP": str(folder / "logs" / "erl_crash.dump"),
        "EJABBERD_CONFIG_PATH": str(config),
        "EJABBERD_LOG_PATH": str(server.log),
        "CONTRIB_MODULES_PATH": str(folder / "modules"),
        "CONTRIB_MODULES_CONF_DIR": str(folder / "modules" / "conf"),
        "ERL_INETRC": str(write_inetrc(folder)),
    })
    return argv, env


def _await_ready(server: EjabberdServer, process: subprocess.Popen[bytes]) -> str | None:
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
                       waiting_for="list its stream features", pause=0.02)


def start_ejabberd(folder: Path, *, name: str = "ejabberd", domain: str = XMPP_DOMAIN,
                   require_encryption: bool = True, direct_tls: bool = True,
                   ) -> EjabberdServer:
    """An ejabberd serving `domain` on 127.0.0.1 with a self-signed certificate: STARTTLS
    (required if `require_encryption`) and, if `direct_tls`, a direct TLS port."""
    installation = require_ejabberd()
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("spool", "logs", "modules"):
        (folder / sub).mkdir(exist_ok=True)
    certificate, key = make_certificate(folder, domain)
    failures = []
    for _attempt in range(3):  # a port taken between choosing and binding: new ports
        port, direct_port = free_tcp_ports(2)
        server = EjabberdServer(name, domain, "127.0.0.1", port,
                                direct_port if direct_tls else None, True,
                                require_encryption, folder, certificate=certificate,
                                log=folder / "logs" / "ejabberd.log")
        config = write_config(server, key)
        argv, env = command(installation, server, config)
        with open(folder / "console.log", "ab") as console:
            process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                       stdout=console, stderr=subprocess.STDOUT, cwd=folder)
        _PROCESSES[process.pid] = process
        server.pid = process.pid
        problem = _await_ready(server, process)
        if problem is None:
            return server
        text = server.log_text()
        stop_ejabberd(server)
        failures.append(f"{name} on {server.endpoint} {problem}; its logs:\n{text}")
        if "address already in use" not in text and "eaddrinuse" not in text:
            break
    raise LabStartError("\n".join(failures))


def stop_ejabberd(server: EjabberdServer) -> None:
    """SIGTERM, wait up to STOP_TIMEOUT, SIGKILL; reap. Idempotent."""
    if server.pid is None:
        return
    pid, server.pid = server.pid, None
    process = _PROCESSES.pop(pid, None)
    if process is not None:
        end_process(process, STOP_TIMEOUT)


def ejabberd_version(server: EjabberdServer) -> str:
    """The version ejabberd logged when it started ("" if not found)."""
    found = re.search(r"ejabberd (\S+) is started", server.log_text())
    return found.group(1) if found else ""


__all__ = [
    "EJABBERD_MISSING", "EjabberdServer", "Installation", "LabStartError", "LabUnavailable",
    "ejabberd_version", "find_ejabberd", "require_ejabberd", "start_ejabberd",
    "stop_ejabberd",
]
