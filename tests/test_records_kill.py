"""The records of port mappings this tool made survive kills and concurrent runs.

Undo removes only mappings the records file lists, so a record lost is a forwarding nobody
can undo. `remember` is called before the router is asked; it is killed here at each of its
renames, two processes update the file at once, and `router forward` itself is killed (at
its renames and at moments while it talks to a real miniupnpd) to check that every mapping
the router lists for this computer is in the file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cobalt_setup.prefs.journal import JOURNAL_NAME
from cobalt_setup.router.records import MappingRecord, load_records, remember
from lab.router_lab import HTTP_PORT, RouterLab
from lab.save_runs import (
    RENAMES,
    STRACE,
    STRACE_MISSING,
    child_environment,
    cobalt_setup,
    under_strace,
)

needs_strace = pytest.mark.skipif(STRACE is None, reason=STRACE_MISSING)
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")


def record(port: int, lease: int = 0) -> MappingRecord:
    return MappingRecord("upnp", "uuid:lab-router", "192.168.77.1", port, "TCP",
                         "192.168.77.20", port, "Open Cobalt TeaTime", lease,
                         "2024-06-11T10:00:00+00:00")


# Like forward_ports: write the record, ask the router (here: leave a mark), then write
# what the router granted.
_FORWARDER = r"""
import sys
from pathlib import Path
from cobalt_setup.router.records import MappingRecord, remember

path, asked = Path(sys.argv[1]), Path(sys.argv[2])
def record(port, lease):
    return MappingRecord("upnp", "uuid:lab-router", "192.168.77.1", port, "TCP",
                         "192.168.77.20", port, "Open Cobalt TeaTime", lease,
                         "2024-06-11T10:00:00+00:00")
remember(path, [record(6901, 0)])
asked.write_text("the router was asked for 6901")
remember(path, [record(6901, 3600)])
"""


def _stray(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@needs_strace
@posix_only
@pytest.mark.parametrize("rename", range(1, 8))
def test_remember_killed_at_each_rename_keeps_every_record(tmp_path: Path, rename: int) -> None:
    folder = tmp_path / "data"
    path = folder / "port-mappings.json"
    asked = tmp_path / "asked"
    remember(path, [record(6900)])
    command = under_strace([sys.executable, "-c", _FORWARDER, str(path), str(asked)],
                           f"signal=SIGKILL:when={rename}")

    run = subprocess.run(command, capture_output=True, text=True, timeout=60,
                         env=child_environment())

    assert run.returncode == (-9 if rename <= 6 else 0), run.stderr
    ports = [r.external_port for r in load_records(path)]  # a whole file, old or new
    assert 6900 in ports
    if asked.exists():
        assert 6901 in ports, f"the router was asked, but the record is gone (rename {rename})"
    remember(path, [record(6950)])  # the next run: finishes the interrupted save first
    ports = [r.external_port for r in load_records(path)]
    assert 6900 in ports and 6950 in ports and (6901 in ports or not asked.exists())
    assert _stray(folder) == [] and not (folder / JOURNAL_NAME).exists()
    json.loads((folder / "port-mappings.json.bak").read_text())  # the .bak is whole too


_REMEMBERER = r"""
import sys
from pathlib import Path
from cobalt_setup.router.records import MappingRecord, remember

path, first, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
for port in range(first, first + count):
    remember(path, [MappingRecord("upnp", "uuid:r", "192.168.77.1", port, "TCP",
                                  "192.168.77.20", port, "Open Cobalt TeaTime", 0,
                                  "2024-06-11T10:00:00+00:00")], wait_s=30)
"""


def test_two_processes_updating_the_records_at_once_lose_no_entry(tmp_path: Path) -> None:
    path = tmp_path / "data" / "port-mappings.json"
    runs = 40
    workers = [subprocess.Popen([sys.executable, "-c", _REMEMBERER, str(path), str(first),
                                 str(runs)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=child_environment())
               for first in (7000, 8000, 9000)]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
    for worker in workers:  # all three start at once
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err

    ports = sorted(r.external_port for r in load_records(path))
    assert ports == [*range(7000, 7000 + runs), *range(8000, 8000 + runs),
                     *range(9000, 9000 + runs)]
    assert _stray(path.parent) == []


# --- `router forward` against a real router, killed ----------------------------------------

PORTS = "6900-6904"


def _forward_command(lab: RouterLab, inject: str | None, calls: str = RENAMES) -> list[str]:
    command = [*cobalt_setup(), "router", "forward", "--ports", PORTS, "--json"]
    if inject is not None:
        command = under_strace(command, inject, calls=calls)
    return ["ip", "netns", "exec", lab.lan, *command]


def _environment(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return child_environment(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                             XDG_DATA_HOME=str(home / ".local" / "share"))


def _records_path(tmp_path: Path) -> Path:
    return (tmp_path / "home" / ".local" / "share" / "Cobalt Network Setup"
            / "port-mappings.json")


def _router_busy(lab: RouterLab) -> list[str]:
    """The router's HTTP connections still open (requests it has not finished): a killed
    forward's requests that reached it are still carried out, after the kill."""
    # Open, or closed by the client only: the router has not answered and closed yet.
    return lab.run(lab.rtr, "ss", "-Htn", "state", "established", "state", "close-wait",
                   "state", "syn-recv", "sport", "=", f":{HTTP_PORT}",
                   check=False).stdout.splitlines()


def _check_and_undo(lab: RouterLab, tmp_path: Path, where: str) -> int:
    """Every mapping the router lists for this computer is recorded; then undo them all.
    Returns how many mappings the router listed.

    First the router finishes what it received: miniupnpd carries out a request that
    reached it before the kill, so without this wait a mapping could appear after undo
    found it missing (it then forgets that record, and the mapping stays behind)."""
    deadline = time.monotonic() + 30
    while _router_busy(lab) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _router_busy(lab), f"the router kept connections open {where}"
    listed = {m.external_port for m in lab.upnpc_mappings()
              if m.internal_client == lab.lan_address}
    path = _records_path(tmp_path)
    recorded = {r.external_port for r in load_records(path)} if path.exists() else set()
    assert listed <= recorded, f"mappings on the router but not in the records {where}: " \
                               f"{sorted(listed - recorded)}"
    undo = subprocess.run(["ip", "netns", "exec", lab.lan, *cobalt_setup(), "router", "undo"],
                          capture_output=True, text=True, timeout=60, env=_environment(tmp_path))
    assert undo.returncode in (0, 1), undo.stderr
    assert not {m.external_port for m in lab.upnpc_mappings()
                if m.internal_client == lab.lan_address}, f"undo left mappings {where}"
    assert not path.parent.exists() or _stray(path.parent) == []
    return len(listed)


@pytest.mark.lab
@needs_strace
def test_router_forward_killed_at_its_renames_or_while_asking_never_loses_a_record(
        router_lab: RouterLab, tmp_path: Path) -> None:
    env = _environment(tmp_path)
    # Killed as it enters each rename (the records are written before the router is asked).
    for rename in range(1, 5):
        run = subprocess.run(_forward_command(router_lab, f"signal=SIGKILL:when={rename}"),
                             capture_output=True, text=True, timeout=60, env=env)
        assert run.returncode in (-9, 137, 0, 1), run.stderr
        _check_and_undo(router_lab, tmp_path, f"(killed at rename {rename})")

    # Killed while it talks to the router, at moments found by watching, not by timing: as
    # soon as the records are written (the router is being asked), and as soon as the router
    # has made a first mapping. Each connection to the router waits 0.3 s (strace delays
    # connect), so that most of the run is still ahead when the kill comes, on a busy
    # machine too. (Kills timed as fractions of an earlier run missed the second moment when
    # the runs' lengths varied under load.)
    mapped_when_killed = 0
    for moment, happened in (
            ("as the router was asked", lambda: bool(_recorded_ports(tmp_path))),
            ("after the router mapped a port", lambda: bool(_listed_ports(router_lab)))):
        # Undo keeps the records it could not settle (on a busy machine it may not find the
        # router in time); the router lists none of ours (checked above), so they may go,
        # and the records that appear next are this run's.
        _records_path(tmp_path).unlink(missing_ok=True)
        forward = subprocess.Popen(
            _forward_command(router_lab, "delay_enter=300000", calls="connect"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while not happened() and forward.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        still_running = forward.poll() is None
        os.killpg(forward.pid, signal.SIGKILL)  # strace and cobalt-setup under it
        output, _ = forward.communicate(timeout=30)
        assert still_running, f"it ended before it was killed {moment}: {output}"
        mapped_when_killed += bool(_check_and_undo(router_lab, tmp_path, f"(killed {moment})"))
    assert mapped_when_killed >= 1, "the router had no mapping when it was killed"


def _recorded_ports(tmp_path: Path) -> set[int]:
    """The ports the records file lists now (the file is replaced whole, never half written)."""
    return {r.external_port for r in load_records(_records_path(tmp_path))}


def _listed_ports(lab: RouterLab) -> set[int]:
    """The ports the router has mapped to this computer, read from its own nftables rules:
    quicker than upnpc, so the kill comes a moment after the router made the first one."""
    rules = lab.run(lab.rtr, "nft", "list", "chain", "inet", "nat", "prerouting_miniupnpd",
                    check=False).stdout
    return {int(port) for port in re.findall(
        rf"dport (\d+) dnat ip to {re.escape(lab.lan_address)}:", rules)}
