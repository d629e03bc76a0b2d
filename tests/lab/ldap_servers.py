"""Real LDAP servers on loopback for the tests: the Space Directory's peers (see
../shared/DESIGN.md, "The lab").

slapd (OpenLDAP) runs as a child process in the foreground (`slapd -d 0 -h ldap://...
-f slapd.conf`) with a slapd.conf, an mdb database and a pid file of its own in a
temporary folder; it never reads /etc/ldap/slapd.d. The data is loaded with slapadd before
slapd starts. A server counts as started once a real anonymous bind succeeded. Stopping
is by PID: SIGTERM, up to 2 s, then SIGKILL, and the child is reaped.

Two directories, both with suffix dc=cobalt,dc=test, `ou=people` and three inetOrgPerson
users, anonymous read allowed (`access to * by * read`):

- cobalt   Open Cobalt's schema extension loaded (COBALT_SCHEMA: the auxiliary class
           openCobaltSpaces and the attribute x-openCobaltSpace, under a made-up arc
           1.3.6.1.4.1.99999); two of the users publish spaces, PUBLISHED_SPACES in all.
- plain    the same tree without the extension: an LDAP server, not an Open Cobalt
           directory.
- private  like cobalt, but anonymous binds are refused (`disallow bind_anon`).

And one fake, in a thread: start_mute_ldap_server() answers every anonymous bind with
success and then never answers anything else, like a directory whose backend hangs.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ldap3
from ldap3.core.exceptions import LDAPException

from lab.daemons import (
    LabStartError,
    LabUnavailable,
    Registry,
    await_ready,
    end_process,
    find_program,
)
from lab.ports import free_tcp_port
from lab.sockets import HOST, Peer, TcpPeer, client_closed
from lab.xmpp_servers import make_certificate

SLAPD_MISSING = "slapd is not installed: apt-get install slapd ldap-utils"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
READY_TIMEOUT = 5.0  # seconds slapd has to accept its first bind
STOP_TIMEOUT = 2.0  # seconds between SIGTERM and SIGKILL

SUFFIX = "dc=cobalt,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "lab-only-secret"  # the lab's throw-away directories only
OBJECT_CLASS = "openCobaltSpaces"
SPACE_ATTRIBUTE = "x-openCobaltSpace"

COBALT_SCHEMA = f"""\
# Open Cobalt's Space Directory extension, as the lab imagines it (made-up OIDs).
attributetype ( 1.3.6.1.4.1.99999.1.1 NAME '{SPACE_ATTRIBUTE}'
  DESC 'An Open Cobalt space this person publishes'
  EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )

objectclass ( 1.3.6.1.4.1.99999.2.1 NAME '{OBJECT_CLASS}'
  DESC 'A person who publishes Open Cobalt spaces'
  SUP top AUXILIARY
  MAY {SPACE_ATTRIBUTE} )
"""


@dataclass(frozen=True)
class Person:
    uid: str
    display_name: str
    spaces: tuple[str, ...] = ()

    @property
    def dn(self) -> str:
        return f"uid={self.uid},{PEOPLE}"


PEOPLE_ENTRIES = (
    Person("ada", "Ada Lovelace", ("Ada's Engine Room", "Analytical Garden")),
    Person("grace", "Grace Hopper", ("Harbour of Compilers",)),
    Person("alan", "Alan Kay"),
)
PUBLISHED_SPACES = sum(len(person.spaces) for person in PEOPLE_ENTRIES)


def directory_ldif(with_cobalt_schema: bool) -> str:
    """The lab's tree; the spaces only where the schema knows them."""
    blocks = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: cobalt\n"
        f"o: Open Cobalt lab\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
    ]
    for person in PEOPLE_ENTRIES:
        given, _, family = person.display_name.partition(" ")
        lines = [f"dn: {person.dn}", "objectClass: inetOrgPerson"]
        publishes = with_cobalt_schema and person.spaces
        if publishes:
            lines.append(f"objectClass: {OBJECT_CLASS}")
        lines += [f"uid: {person.uid}", f"cn: {person.display_name}", f"sn: {family}",
                  f"givenName: {given}", f"displayName: {person.display_name}"]
        if publishes:
            lines += [f"{SPACE_ATTRIBUTE}: {space}" for space in person.spaces]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def slapd_conf(workdir: Path, with_cobalt_schema: bool,
               extra_global: Sequence[str] = ()) -> str:
    includes = [SCHEMA_DIR / "core.schema", SCHEMA_DIR / "cosine.schema",
                SCHEMA_DIR / "inetorgperson.schema"]
    if with_cobalt_schema:
        includes.append(workdir / "open-cobalt.schema")
    lines = [f"include {path}" for path in includes]
    lines += list(extra_global)
    lines += [
        f"pidfile {workdir / 'slapd.pid'}",
        f"argsfile {workdir / 'slapd.args'}",
        f"modulepath {MODULE_DIR}",
        "moduleload back_mdb",
        "database mdb",
        "maxsize 16777216",
        f"directory {workdir / 'db'}",
        f'suffix "{SUFFIX}"',
        f'rootdn "{ROOT_DN}"',
        f"rootpw {ROOT_PASSWORD}",
        "access to * by * read",
    ]
    return "\n".join(lines) + "\n"


# -- slapd processes -----------------------------------------------------------------------

@dataclass
class SlapdServer:
    name: str
    host: str
    port: int
    suffix: str
    pid: int | None
    log: Path = field(compare=False)
    workdir: Path = field(compare=False)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}/"

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError as error:
            return f"(cannot read {self.log}: {error})"




_PROCESSES: Registry[int, subprocess.Popen[bytes]] = Registry(
    lambda _pid, process: end_process(process))


def require_slapd() -> tuple[str, str]:
    """The paths of slapd and slapadd, or LabUnavailable."""
    slapd, slapadd = find_program("slapd"), find_program("slapadd")
    if (slapd is None or slapadd is None or not (MODULE_DIR / "back_mdb.so").exists()
            or not (SCHEMA_DIR / "inetorgperson.schema").exists()):
        raise LabUnavailable(SLAPD_MISSING)
    return slapd, slapadd


def anonymous_bind(host: str, port: int, timeout: float = 0.5, *, user: str | None = None,
                   password: str | None = None, ldaps: bool = False) -> None:
    """One real LDAPv3 bind, anonymous unless `user` is given (inside TLS with `ldaps`, the
    lab's self-signed certificate accepted); raises LDAPException if it does not succeed."""
    tls = ldap3.Tls(validate=ssl.CERT_NONE) if ldaps else None
    server = ldap3.Server(host, port=port, get_info=ldap3.NONE, connect_timeout=timeout,
                          use_ssl=ldaps, tls=tls)
    connection = ldap3.Connection(server, user=user, password=password,
                                  receive_timeout=max(1, round(timeout)),
                                  raise_exceptions=True)
    try:
        connection.open(read_server_info=False)
        connection.bind(read_server_info=False)
    finally:
        with contextlib.suppress(LDAPException, OSError):
            connection.unbind()


def _await_ready(server: SlapdServer, process: subprocess.Popen[bytes],
                 anonymous: bool, ldaps: bool = False) -> str | None:
    """None once a bind succeeded (anonymous, or as ROOT_DN), else why not."""
    credentials = {} if anonymous else {"user": ROOT_DN, "password": ROOT_PASSWORD}

    def binds(_left: float) -> None:
        anonymous_bind(server.host, server.port, ldaps=ldaps, **credentials)

    return await_ready(process, binds, deadline=time.monotonic() + READY_TIMEOUT,
                       waiting_for="accept a bind", errors=(LDAPException,))


def start_slapd(workdir: Path, *, with_cobalt_schema: bool, name: str | None = None,
                host: str = HOST, anonymous_bind_allowed: bool = True,
                ldaps: bool = False) -> SlapdServer:
    """Write the config and data into `workdir`, load the data with slapadd, start slapd on
    a free port of `host` and wait for a real anonymous bind. With
    anonymous_bind_allowed=False the server says `disallow bind_anon` (anonymous binds
    fail with inappropriateAuthentication) and readiness is a bind as ROOT_DN. With
    `ldaps` it listens on an LDAPS-only port (TLS from the first byte, a self-signed
    certificate), as a directory that offers no plain LDAP does."""
    extra: list[str] = [] if anonymous_bind_allowed else ["disallow bind_anon"]
    slapd, slapadd = require_slapd()
    name = name or ("cobalt" if with_cobalt_schema else "plain")
    workdir.mkdir(parents=True, exist_ok=True)
    if ldaps:
        certificate, key = make_certificate(workdir, "directory.cobalt.test")
        extra += [f"TLSCertificateFile {certificate}", f"TLSCertificateKeyFile {key}"]
    (workdir / "db").mkdir(exist_ok=True)
    if with_cobalt_schema:
        (workdir / "open-cobalt.schema").write_text(COBALT_SCHEMA)
    conf = workdir / "slapd.conf"
    conf.write_text(slapd_conf(workdir, with_cobalt_schema, extra))
    ldif = workdir / "directory.ldif"
    ldif.write_text(directory_ldif(with_cobalt_schema))
    log = workdir / f"{name}.log"
    loaded = subprocess.run([slapadd, "-q", "-f", str(conf), "-l", str(ldif)],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    if loaded.returncode != 0:
        raise LabStartError(f"slapadd failed ({loaded.returncode}) for {name}:\n"
                            f"{loaded.stdout.decode(errors='replace')}"
                            f"{loaded.stderr.decode(errors='replace')}")
    for _attempt in range(3):
        port = free_tcp_port(host)
        scheme = "ldaps" if ldaps else "ldap"
        argv = [slapd, "-d", "0", "-h", f"{scheme}://{host}:{port}/", "-f", str(conf)]
        with open(log, "ab") as out:
            out.write(f"$ {' '.join(argv)}\n".encode())
            out.flush()
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT)
        _PROCESSES[process.pid] = process
        server = SlapdServer(name, host, port, SUFFIX, process.pid, log, workdir)
        problem = _await_ready(server, process, anonymous_bind_allowed, ldaps)
        if problem is None:
            return server
        stop_slapd(server)
        text = server.log_text()
        if "already in use" not in text:
            break
    raise LabStartError(f"{name} slapd on {host}:{port} {problem}; its log ({log}):\n{text}")


def stop_slapd(server: SlapdServer) -> None:
    """SIGTERM, wait up to STOP_TIMEOUT, SIGKILL; reap. Idempotent."""
    if server.pid is None:
        return
    pid, server.pid = server.pid, None
    process = _PROCESSES.pop(pid, None)
    if process is not None:
        end_process(process, STOP_TIMEOUT)




# -- a fake that binds and then says nothing -------------------------------------------------

def _ber_size(data: bytes) -> int | None:
    """Total size of the BER element at the start of `data`, None if not known yet."""
    if len(data) < 2:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if len(data) < 2 + count:
        return None
    return 2 + count + int.from_bytes(data[2:2 + count], "big")


def _bind_success(message_id: bytes) -> bytes:
    """An LDAPMessage with `message_id` (its encoded INTEGER) and BindResponse success."""
    body = message_id + bytes.fromhex("61070a010004000400")
    return bytes([0x30, len(body)]) + body


def start_mute_ldap_server() -> Peer:
    """Answers every BindRequest with success (so it looks like LDAP), then never answers
    any other request. Closes when the client unbinds or goes away."""

    def serve(conn: socket.socket, stopping: threading.Event) -> bool:
        pending = b""
        while True:
            size = _ber_size(pending)
            if size is None or len(pending) < size:
                conn.settimeout(0.05)
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    if stopping.is_set():
                        return False
                    continue
                if not chunk:
                    return True
                pending += chunk
                continue
            message, pending = pending[:size], pending[size:]
            # messageID is the first element inside the SEQUENCE: 02 LL <value>.
            id_start = 2 if message[1] < 0x80 else 2 + (message[1] & 0x7F)
            id_end = id_start + 2 + message[id_start + 1]
            operation = message[id_end] if id_end < len(message) else None
            if operation == 0x60:  # BindRequest
                conn.sendall(_bind_success(message[id_start:id_end]))
            elif operation == 0x42:  # UnbindRequest: the client is leaving
                outcome = client_closed(conn, stopping, 1.0)
                return outcome is not False

    return TcpPeer("mute-ldap", serve).peer()


__all__ = [
    "COBALT_SCHEMA", "OBJECT_CLASS", "PEOPLE", "PEOPLE_ENTRIES", "PUBLISHED_SPACES",
    "ROOT_DN", "ROOT_PASSWORD", "SLAPD_MISSING", "SPACE_ATTRIBUTE", "SUFFIX", "LabStartError",
    "LabUnavailable", "Person", "SlapdServer", "anonymous_bind", "directory_ldif",
    "free_tcp_port", "require_slapd", "slapd_conf", "start_mute_ldap_server", "start_slapd",
    "stop_slapd",
]
