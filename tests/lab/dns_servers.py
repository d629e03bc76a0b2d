"""Real DNS servers on loopback for the tests: the peers of the resolver benchmark and of
DNS-SD discovery (see ../shared/DESIGN.md, "The lab").

Every server is a real daemon run as a child process in the foreground with its own
arguments (dnsmasq never reads /etc/dnsmasq.conf or /etc/dnsmasq.d, writes no pid file and
logs to a file of ours), on a free port chosen here, and counts as started only once it
has answered a real DNS query. Stopping is by PID: SIGTERM, up to 2 s, then SIGKILL, and
the child is reaped.

The servers (all on 127.0.0.1, each on its own port):

- good       dnsmasq serving LAB_ZONE under cobalt.test; any other name under cobalt.test
             is NXDOMAIN (`--local=/cobalt.test/`); names outside cobalt.test are REFUSED
             (there is no upstream).
- hijacking  the same records, but every name under nx.cobalt.test answers 127.0.0.9 (an
             ISP-style "NXDOMAIN hijack"; on the good server those names are NXDOMAIN).
- split      the same hosts and the _ldap/_xmpp-client SRV records, but none of the
             dispatcher DNS-SD records: "a resolver that cannot find the dispatcher".
- slow       a good server behind dns_delay_relay.py adding 150 ms to every query (UDP).
- lossy      a good server behind dns_delay_relay.py dropping every 2nd query (UDP).
- dead       a loopback port with nothing listening (pid None): a UDP query from a
             connected socket is refused at once (ICMP port unreachable), from an
             unconnected one it times out; a
             TCP query is refused at once.
- silent     a UDP socket (and a TCP listener on the same port) held open that never
             answers, as behind a firewall that drops: UDP and TCP queries time out.

Facts about dnsmasq 2.90 worth knowing when asserting on its answers: a space in a DNS-SD
instance label works (it is sent as `\\032`), but dnsmasq lowercases the targets of PTR
records, so the instance names come back as "lab dispatcher", not "Lab Dispatcher"
(dnspython's Name comparison ignores case; display strings do not). Owner names in
answers keep the question's case. Local records have TTL 0. AAAA of a known host is
NOERROR with no answer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import dns.exception
import dns.message
import dns.query

from lab import ports
from lab.daemons import (
    LabStartError,
    LabUnavailable,
    Registry,
    await_ready,
    end_process,
    find_program,
)

DNSMASQ_MISSING = "dnsmasq is not installed: apt-get install dnsmasq-base"
RELAY_SCRIPT = Path(__file__).with_name("dns_delay_relay.py")

READY_TIMEOUT = 3.0  # seconds a server has to answer its first query
STOP_TIMEOUT = 2.0  # seconds between SIGTERM and SIGKILL
AVOIDED_PORTS = frozenset({53, 5353, 5355})  # DNS, mDNS, LLMNR: never pick these

# -- the zone ------------------------------------------------------------------------------

DOMAIN = "cobalt.test"
DISPATCHER_SERVICE = f"_cobalt-dispatcher._tcp.{DOMAIN}"
LDAP_SERVICE = f"_ldap._tcp.{DOMAIN}"
XMPP_SERVICE = f"_xmpp-client._tcp.{DOMAIN}"
MISSING_HOST = f"gone.{DOMAIN}"  # the Broken instance's SRV target: NXDOMAIN everywhere
HIJACK_DOMAIN = f"nx.{DOMAIN}"  # NXDOMAIN on good/split, HIJACK_ADDRESS on hijacking
HIJACK_ADDRESS = "127.0.0.9"


@dataclass(frozen=True)
class SrvRecord:
    priority: int
    weight: int
    port: int
    target: str


@dataclass(frozen=True)
class LabZone:
    """The records the lab's dnsmasq servers answer. Names are written without the final dot.

    hosts: name -> IPv4 address (A records).
    ptr:   owner -> targets, in order (the DNS-SD browse record of a service type).
    srv:   owner -> one SRV record.
    txt:   owner -> the TXT record's strings.
    """

    domain: str
    hosts: Mapping[str, str]
    ptr: Mapping[str, tuple[str, ...]]
    srv: Mapping[str, SrvRecord]
    txt: Mapping[str, tuple[str, ...]]

    @staticmethod
    def is_dispatcher_record(owner: str) -> bool:
        return owner == DISPATCHER_SERVICE or owner.endswith("." + DISPATCHER_SERVICE)

    def without_dispatcher(self) -> LabZone:
        """The zone a split-horizon resolver serves: everything but the dispatcher's DNS-SD."""

        def keep(records: Mapping[str, object]) -> dict:
            return {k: v for k, v in records.items() if not self.is_dispatcher_record(k)}

        return LabZone(self.domain, self.hosts, MappingProxyType(keep(self.ptr)),
                       MappingProxyType(keep(self.srv)), MappingProxyType(keep(self.txt)))


LAB_INSTANCE = f"Lab Dispatcher.{DISPATCHER_SERVICE}"
BACKUP_INSTANCE = f"Backup.{DISPATCHER_SERVICE}"
BROKEN_INSTANCE = f"Broken.{DISPATCHER_SERVICE}"

LAB_ZONE = LabZone(
    domain=DOMAIN,
    hosts=MappingProxyType({
        f"directory.{DOMAIN}": "127.0.0.1",
        f"chat.{DOMAIN}": "127.0.0.1",
        f"dispatcher.{DOMAIN}": "127.0.0.1",
        f"dispatcher2.{DOMAIN}": "127.0.0.2",
        f"www.{DOMAIN}": "127.0.0.1",
        f"apps.{DOMAIN}": "127.0.0.1",
    }),
    ptr=MappingProxyType({
        DISPATCHER_SERVICE: (LAB_INSTANCE, BACKUP_INSTANCE, BROKEN_INSTANCE),
    }),
    srv=MappingProxyType({
        LAB_INSTANCE: SrvRecord(0, 10, 6900, f"dispatcher.{DOMAIN}"),
        BACKUP_INSTANCE: SrvRecord(10, 5, 6901, f"dispatcher2.{DOMAIN}"),
        BROKEN_INSTANCE: SrvRecord(20, 0, 6902, MISSING_HOST),
        LDAP_SERVICE: SrvRecord(0, 0, 1389, f"directory.{DOMAIN}"),
        XMPP_SERVICE: SrvRecord(0, 0, 5222, f"chat.{DOMAIN}"),
    }),
    txt=MappingProxyType({
        LAB_INSTANCE: ("txtvers=1", "island=lab"),
        BACKUP_INSTANCE: ("txtvers=1", "island=backup"),
        BROKEN_INSTANCE: ("txtvers=1", "island=broken"),
    }),
)


def dnsmasq_zone_args(zone: LabZone) -> list[str]:
    """dnsmasq options serving `zone`, authoritative-like (NXDOMAIN for unknown names)."""
    args = [f"--local=/{zone.domain}/"] if zone.domain else []
    args += [f"--host-record={name},{address}" for name, address in zone.hosts.items()]
    for owner, targets in zone.ptr.items():
        args += [f"--ptr-record={owner},{target}" for target in targets]
    for owner, srv in zone.srv.items():
        args.append(f"--srv-host={owner},{srv.target},{srv.port},{srv.priority},{srv.weight}")
    for owner, strings in zone.txt.items():
        if any("," in s or '"' in s for s in strings):
            raise ValueError(f"TXT strings of {owner} need quoting for dnsmasq: {strings}")
        args.append(f"--txt-record={owner},{','.join(strings)}")
    return args


# -- servers -------------------------------------------------------------------------------

@dataclass
class DnsServer:
    """A DNS server of the lab. `pid` is None for the ones that are not a process."""

    name: str
    host: str
    port: int
    pid: int | None = None
    log: Path | None = field(default=None, compare=False)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def log_text(self) -> str:
        if self.log is None:
            return ""
        try:
            return self.log.read_text(errors="replace")
        except OSError as error:
            return f"(cannot read {self.log}: {error})"




@dataclass
class DnsLab:
    """All the lab's DNS servers at once."""

    good: DnsServer
    hijacking: DnsServer
    split: DnsServer
    slow: DnsServer
    lossy: DnsServer
    dead: DnsServer
    silent: DnsServer
    # Servers the others need but the tests do not query directly (the relays' upstreams).
    helpers: list[DnsServer] = field(default_factory=list)

    def servers(self) -> list[DnsServer]:
        return [self.good, self.hijacking, self.split, self.slow, self.lossy, self.dead,
                self.silent, *self.helpers]


# Children and sockets we own, so stop_server() can end them and atexit can clean up.
_PROCESSES: Registry[int, subprocess.Popen[bytes]] = Registry(
    lambda pid, _process: stop_server(DnsServer("leftover", "127.0.0.1", 0, pid)))
_SOCKETS: Registry[tuple[str, int], list[socket.socket]] = Registry(
    lambda _where, sockets: [sock.close() for sock in sockets] and None)


def find_dnsmasq() -> str | None:
    return find_program("dnsmasq")


def require_dnsmasq() -> str:
    path = find_dnsmasq()
    if path is None:
        raise LabUnavailable(DNSMASQ_MISSING)
    return path


def free_ports(count: int, host: str = "127.0.0.1",
               exclude: frozenset[int] | set[int] = frozenset()) -> list[int]:
    """`count` distinct ports, each free for both UDP and TCP on `host` when chosen (they
    are released again: a daemon binds them next). Never 53, 5353 (mDNS) or 5355."""
    return ports.free_ports(count, host, udp=True, tcp=True, exclude={*exclude, *AVOIDED_PORTS})


def free_port(host: str = "127.0.0.1") -> int:
    return free_ports(1, host)[0]


def probe_query(host: str, port: int, timeout: float = 0.2,
                name: str = f"directory.{DOMAIN}") -> dns.message.Message:
    """One real UDP DNS query. Uses a connected socket so that a closed port is reported
    at once (ConnectionRefusedError) instead of after `timeout`."""
    query = dns.message.make_query(name, "A")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)  # dnspython waits with select(); a blocking recv never times out
        sock.connect((host, port))
        return dns.query.udp(query, host, port=port, timeout=timeout, sock=sock)


@dataclass
class _Spec:
    """How to start one server on a given port."""

    name: str
    argv: Callable[[int], list[str]]
    host: str = "127.0.0.1"
    port: int | None = None  # None: pick a free one (and a new one if it was taken)


def _launch(spec: _Spec, log_dir: Path, port: int) -> tuple[DnsServer, subprocess.Popen[bytes]]:
    log = log_dir / f"{spec.name}.log"
    argv = spec.argv(port)
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        # No preexec_fn (PR_SET_PDEATHSIG): unsafe with threads, and dnsmasq clears it when
        # it drops privileges anyway. The relay watches its parent itself.
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT)
    _PROCESSES[process.pid] = process
    return DnsServer(spec.name, spec.host, port, process.pid, log), process


def _await_ready(server: DnsServer, process: subprocess.Popen[bytes],
                 deadline: float) -> str | None:
    """None once the server answered a query, else why not."""
    def answers(left: float) -> None:
        probe_query(server.host, server.port, timeout=min(0.5, left))

    return await_ready(process, answers, deadline=deadline, waiting_for="answer a query",
                       errors=(dns.exception.DNSException, OSError), pause=0.005)


def _start_all(phases: list[list[_Spec]], log_dir: Path) -> list[DnsServer]:
    """Start the servers of all `phases` at once, then wait phase by phase (the servers of
    one phase concurrently) until each answers a query: a relay's probe needs its upstream
    up. A port lost to a race between free_port() and the daemon's bind is retried on a new
    port (for specs without a fixed port). Returns the servers in the order of the specs."""
    log_dir.mkdir(parents=True, exist_ok=True)
    started: dict[str, DnsServer] = {}
    launched: dict[str, tuple[_Spec, DnsServer, subprocess.Popen[bytes]]] = {}
    try:
        specs = [spec for phase in phases for spec in phase]
        fixed = {spec.port for spec in specs if spec.port}
        chosen = iter(free_ports(sum(not spec.port for spec in specs), exclude=fixed))
        for spec in specs:
            launched[spec.name] = (spec, *_launch(spec, log_dir, spec.port or next(chosen)))
        for phase in phases:
            pending = [launched[spec.name] for spec in phase]
            for attempt in range(3):
                deadlines = [time.monotonic() + READY_TIMEOUT] * len(pending)
                with ThreadPoolExecutor(max_workers=len(pending)) as pool:
                    outcomes = list(pool.map(_await_ready, [item[1] for item in pending],
                                             [item[2] for item in pending], deadlines))
                retry, failures = [], []
                for (spec, server, _process), problem in zip(pending, outcomes, strict=True):
                    if problem is None:
                        started[spec.name] = server
                        continue
                    stop_server(server)
                    text = server.log_text()
                    if spec.port is None and "in use" in text and attempt < 2:
                        launched[spec.name] = (spec, *_launch(spec, log_dir, free_port(spec.host)))
                        retry.append(launched[spec.name])
                    else:
                        failures.append(f"{server.name} DNS server on {server.endpoint} "
                                        f"{problem}; its log ({server.log}):\n{text}")
                if failures:
                    raise LabStartError("\n".join(failures))
                if not retry:
                    break
                pending = retry
    except BaseException:
        stop_servers([item[1] for item in launched.values()])  # stopping twice is harmless
        raise
    return [started[spec.name] for phase in phases for spec in phase]


def _dnsmasq_spec(name: str, zone: LabZone, *extra: str, host: str = "127.0.0.1") -> _Spec:
    dnsmasq = require_dnsmasq()

    def argv(port: int) -> list[str]:
        return [
            dnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file=",
            "--no-resolv", "--no-hosts", "--no-poll",
            f"--listen-address={host}", "--bind-interfaces", f"--port={port}",
            "--log-facility=-", "--log-queries",
            *dnsmasq_zone_args(zone), *extra,
        ]

    return _Spec(name, argv, host)


def _relay_spec(name: str, upstream: str, *, delay_ms: float = 0, drop_every: int = 0,
                host: str = "127.0.0.1") -> _Spec:
    def argv(port: int) -> list[str]:
        return [sys.executable, "-I", str(RELAY_SCRIPT), "--listen", f"{host}:{port}",
                "--upstream", upstream, "--delay-ms", str(delay_ms),
                "--drop-every", str(drop_every), "--parent-pid", str(os.getpid())]

    return _Spec(name, argv, host)


UNBOUND_MISSING = "unbound is not installed: apt-get install unbound"


def unbound_zone_lines(zone: LabZone) -> list[str]:
    """unbound `local-data` for `zone` (a static local zone: NXDOMAIN for unknown names)."""
    def name(owner: str) -> str:  # unbound reads \032 as a space inside a label
        return owner.replace(" ", "\\032") + "."

    lines = [f'local-zone: "{zone.domain}." static']
    lines += [f'local-data: "{name(host)} 0 IN A {address}"'
              for host, address in zone.hosts.items()]
    for owner, targets in zone.ptr.items():
        lines += [f"local-data: '{name(owner)} 0 IN PTR {name(target)}'" for target in targets]
    for owner, srv in zone.srv.items():
        lines.append(f"local-data: '{name(owner)} 0 IN SRV {srv.priority} {srv.weight} "
                     f"{srv.port} {name(srv.target)}'")
    for owner, strings in zone.txt.items():
        quoted = " ".join(f'"{s}"' for s in strings)
        lines.append(f"local-data: '{name(owner)} 0 IN TXT {quoted}'")
    return lines


def _unbound_spec(name: str, zone: LabZone, folder: Path, *, refuse_all: bool = False,
                  servfail: bool = False, host: str = "127.0.0.1") -> _Spec:
    """unbound answering `zone` from local data and REFUSED for every other name, so it
    never recurses: nothing it is asked leaves loopback. `refuse_all`: an access list that
    refuses this computer, as a resolver that serves only its own network does.
    `servfail`: every other name is forwarded to a dead loopback port instead, so it
    answers SERVFAIL, as a resolver that cannot reach the Internet's servers does."""
    unbound = find_program("unbound")
    if unbound is None:
        raise LabUnavailable(UNBOUND_MISSING)

    def argv(port: int) -> list[str]:
        config = folder / f"{name}-{port}.conf"
        lines = [
            "server:", f"interface: {host}", f"port: {port}", "do-daemonize: no",
            "use-syslog: no", 'logfile: ""', "verbosity: 1", 'chroot: ""', 'username: ""',
            f'directory: "{folder}"', 'pidfile: ""', "do-ip6: no", "num-threads: 1",
            'module-config: "iterator"',
            f"access-control: 127.0.0.0/8 {'refuse' if refuse_all else 'allow'}",
            *unbound_zone_lines(zone),
            *([] if servfail else ['local-zone: "." refuse']),
            "remote-control:", "control-enable: no",
            *(["forward-zone:", 'name: "."', f"forward-addr: 127.0.0.1@{DEAD_FORWARD_PORT}"]
              if servfail else []),
        ]
        config.write_text("\n".join(lines) + "\n")
        return [unbound, "-d", "-p", "-c", str(config)]

    return _Spec(name, argv, host)


def start_unbound_dns(log_dir: Path, *, refuse_all: bool = False,
                      servfail: bool = False) -> DnsServer:
    """A second implementation beside dnsmasq: unbound serving LAB_ZONE (refusing every
    other name, refusing everything, or answering SERVFAIL for every other name)."""
    name = "unbound-refusing" if refuse_all else "unbound-servfail" if servfail else "unbound"
    log_dir.mkdir(parents=True, exist_ok=True)
    spec = _unbound_spec(name, LAB_ZONE, log_dir, refuse_all=refuse_all, servfail=servfail)
    return _start_all([[spec]], log_dir)[0]


PDNS_MISSING = "pdns-recursor is not installed: apt-get install pdns-recursor"
# Where pdns-recursor and unbound forward the names they do not serve: the discard port on
# loopback, where nothing listens, so they answer SERVFAIL and nothing leaves the machine.
DEAD_FORWARD_PORT = 9


def _zone_file(zone: LabZone) -> str:
    """LAB_ZONE's A records as a BIND zone file (what pdns-recursor's auth-zones read)."""
    lines = [f"$ORIGIN {zone.domain}.",
             f"@ 0 IN SOA ns.{zone.domain}. admin.{zone.domain}. 1 3600 600 86400 0",
             f"@ 0 IN NS ns.{zone.domain}.", "ns 0 IN A 127.0.0.1"]
    lines += [f"{host}. 0 IN A {address}" for host, address in zone.hosts.items()]
    return "\n".join(lines) + "\n"


def start_pdns_recursor(log_dir: Path) -> DnsServer:
    """PowerDNS Recursor serving LAB_ZONE's hosts, SERVFAIL for every other name (it
    forwards them to a dead loopback port and never primes the root: checked with strace,
    it sends nothing but to 127.0.0.1:9)."""
    program = find_program("pdns_recursor")
    if program is None:
        raise LabUnavailable(PDNS_MISSING)
    log_dir.mkdir(parents=True, exist_ok=True)
    zone = log_dir / f"{DOMAIN}.zone"
    zone.write_text(_zone_file(LAB_ZONE))

    def argv(port: int) -> list[str]:
        return [program, f"--config-dir={log_dir}", f"--socket-dir={log_dir}",
                "--local-address=127.0.0.1", f"--local-port={port}", "--daemon=no",
                "--write-pid=no", "--disable-syslog=yes", f"--auth-zones={DOMAIN}={zone}",
                f"--forward-zones-recurse=.=127.0.0.1:{DEAD_FORWARD_PORT}", "--hint-file=no",
                "--threads=1", "--allow-from=127.0.0.0/8", "--dnssec=off",
                "--setuid=root", "--setgid=root"]

    return _start_all([[_Spec("pdns-recursor", argv)]], log_dir)[0]


def start_refusing_dnsmasq(log_dir: Path) -> DnsServer:
    """dnsmasq with no zone and no upstream: it answers REFUSED to every query."""
    empty = LabZone("", MappingProxyType({}), MappingProxyType({}), MappingProxyType({}),
                    MappingProxyType({}))
    spec = _dnsmasq_spec("dnsmasq-refusing", empty)
    return _start_all([[spec]], log_dir)[0]


def good_spec(name: str = "good", port: int | None = None) -> _Spec:
    spec = _dnsmasq_spec(name, LAB_ZONE)
    spec.port = port
    return spec


def hijacking_spec(name: str = "hijacking") -> _Spec:
    return _dnsmasq_spec(name, LAB_ZONE, f"--address=/{HIJACK_DOMAIN}/{HIJACK_ADDRESS}")


def split_spec(name: str = "split") -> _Spec:
    return _dnsmasq_spec(name, LAB_ZONE.without_dispatcher())


def start_good_dns(log_dir: Path) -> DnsServer:
    return _start_all([[good_spec()]], log_dir)[0]


def start_hijacking_dns(log_dir: Path) -> DnsServer:
    return _start_all([[hijacking_spec()]], log_dir)[0]


def start_split_dns(log_dir: Path) -> DnsServer:
    return _start_all([[split_spec()]], log_dir)[0]


def start_relayed_dns(name: str, log_dir: Path, *, delay_ms: float = 0,
                      drop_every: int = 0) -> tuple[DnsServer, DnsServer]:
    """A good server and dns_delay_relay.py in front of it (UDP only), started together.
    Returns (relay, upstream); stop both."""
    (upstream_port,) = free_ports(1)
    upstream, relay = _start_all(
        [[good_spec(f"{name}-upstream", upstream_port)],
         [_relay_spec(name, f"127.0.0.1:{upstream_port}", delay_ms=delay_ms,
                      drop_every=drop_every)]], log_dir)
    return relay, upstream


def start_dead_dns(host: str = "127.0.0.1") -> DnsServer:
    """A port nothing listens on (reserved by binding it, then closed)."""
    return DnsServer("dead", host, free_port(host))


def start_silent_dns(host: str = "127.0.0.1") -> DnsServer:
    """A UDP socket that receives and never answers, plus a TCP listener on the same port
    that never accepts (the kernel completes the handshake; no answer ever comes)."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            if port in AVOIDED_PORTS:
                raise OSError("avoided port")
            tcp.bind((host, port))
            tcp.listen(8)
        except OSError:
            udp.close()
            tcp.close()
            continue
        _SOCKETS[(host, port)] = [udp, tcp]
        return DnsServer("silent", host, port)
    raise OSError(f"no free UDP+TCP port on {host}")


def stop_server(server: DnsServer) -> None:
    """End a server: SIGTERM, wait up to STOP_TIMEOUT, SIGKILL; reap it. Idempotent."""
    if server.pid is None:
        for sock in _SOCKETS.pop((server.host, server.port), []):
            sock.close()
        return
    pid, server.pid = server.pid, None
    process = _PROCESSES.pop(pid, None)
    if process is not None:
        end_process(process, STOP_TIMEOUT)
        return
    # Not started by us in this process: best effort by PID alone.
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return
        except ChildProcessError:  # not our child: wait for it to vanish
            if not Path(f"/proc/{pid}").exists():
                return
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def stop_servers(servers: list[DnsServer]) -> None:
    """Stop several servers at once (SIGTERM to all first, so teardown does not add up)."""
    for server in servers:
        process = _PROCESSES.get(server.pid) if server.pid is not None else None
        if process is not None and process.poll() is None:
            process.terminate()
    for server in servers:
        stop_server(server)


def start_dns_lab(log_dir: Path) -> DnsLab:
    """Every server of the lab, all processes launched at once."""
    slow_port, lossy_port = free_ports(2)
    dead = start_dead_dns()
    silent = start_silent_dns()
    try:
        good, hijacking, split, slow_upstream, lossy_upstream, slow, lossy = _start_all(
            [[good_spec(), hijacking_spec(), split_spec(),
              good_spec("slow-upstream", slow_port), good_spec("lossy-upstream", lossy_port)],
             [_relay_spec("slow", f"127.0.0.1:{slow_port}", delay_ms=150),
              _relay_spec("lossy", f"127.0.0.1:{lossy_port}", drop_every=2)]], log_dir)
    except BaseException:
        stop_servers([dead, silent])
        raise
    return DnsLab(good, hijacking, split, slow, lossy, dead, silent,
                  helpers=[slow_upstream, lossy_upstream])


def stop_dns_lab(lab: DnsLab) -> None:
    stop_servers(lab.servers())




__all__ = [
    "BACKUP_INSTANCE", "BROKEN_INSTANCE", "DISPATCHER_SERVICE", "DNSMASQ_MISSING", "DOMAIN",
    "HIJACK_ADDRESS", "HIJACK_DOMAIN", "LAB_INSTANCE", "LAB_ZONE", "LDAP_SERVICE",
    "MISSING_HOST", "XMPP_SERVICE", "DnsLab", "DnsServer", "LabStartError", "LabUnavailable",
    "LabZone", "SrvRecord", "dnsmasq_zone_args", "find_dnsmasq", "free_port", "free_ports",
    "probe_query", "require_dnsmasq", "start_dead_dns", "start_dns_lab", "start_good_dns",
    "start_hijacking_dns", "start_relayed_dns", "start_silent_dns", "start_split_dns",
    "stop_dns_lab", "stop_server", "stop_servers",
]


def start_zone_dns(name: str, zone: LabZone, log_dir: Path) -> DnsServer:
    """A dnsmasq serving another zone: a company resolver that knows internal names, or a
    split-horizon one that answers other addresses."""
    return _start_all([[_dnsmasq_spec(name, zone)]], log_dir)[0]
