"""The port mappings this tool made, kept so that they (and only they) can be undone.

A router lists mappings but not who made them. Undo must never remove a mapping another
program or person made, so every mapping this tool adds is written down here: which
router (its UDN and address), which port, to which address of this computer, and when.

Two runs at once (the wizard's router page and `cobalt-setup router forward`) must not lose
each other's entries, so `remember` and `forget` read, change and write the file while
holding the lock of its folder; the file itself is written atomically (never half a file).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

from cobalt_setup.i18n import _
from cobalt_setup.prefs import journal, lock
from cobalt_setup.prefs.atomic import write_files_atomically

RECORDS_FILE = "port-mappings.json"
FORMAT_VERSION = 1


def default_records_path() -> Path:
    return Path(platformdirs.user_data_dir("Cobalt Network Setup", appauthor=False)
                ) / RECORDS_FILE


@dataclass(frozen=True)
class MappingRecord:
    method: str  # "upnp" or "natpmp"
    router: str  # the IGD's UDN, or "natpmp:<gateway>"
    router_address: str  # the router's LAN address, for people reading the file
    external_port: int
    protocol: str  # "TCP"
    internal_client: str
    internal_port: int
    description: str
    lease_s: int
    created: str  # ISO 8601, UTC

    @staticmethod
    def now() -> str:
        return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class RecordsError(OSError):
    """The records file exists but cannot be read or written; the message names it."""


PCP_SECRET_FILE = "pcp-nonce-secret"
PCP_SECRET_SIZE = 32


def pcp_secret(records_path: Path) -> bytes:
    """This installation's secret for PCP nonces, kept beside the records: PCP lets only
    the holder of a mapping's nonce delete it, so the nonce must be the same in the run
    that forwards and in a later one that undoes (it is derived from this secret, see
    router/pcp.py). Made on first use; a damaged file is made anew."""
    path = records_path.with_name(PCP_SECRET_FILE)
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        secret = b""
    except OSError as problem:
        raise RecordsError(_("{path}: cannot be read ({reason})").format(
            path=path, reason=problem.strerror or problem)) from problem
    if len(secret) == PCP_SECRET_SIZE:
        return secret
    secret = secrets.token_bytes(PCP_SECRET_SIZE)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_files_atomically({path: secret})
    return secret


def load_records(path: Path) -> list[MappingRecord]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [MappingRecord(**entry) for entry in data["mappings"]]
    except OSError as problem:
        # Translators: {path} is a file; {reason} is the system's error message
        raise RecordsError(_("{path}: cannot be read ({reason})").format(
            path=path, reason=problem.strerror or problem)) from problem
    except (ValueError, KeyError, TypeError) as problem:
        # Translators: {path} is a file; {reason} is a technical message in English
        raise RecordsError(_("{path}: is not a list of port mappings made by this tool "
                             "({reason}); move it away to start afresh").format(
                                 path=path, reason=problem)) from problem


def save_records(path: Path, records: list[MappingRecord],
                 wait_s: float = lock.DEFAULT_WAIT_S) -> None:
    data = {"format": FORMAT_VERSION,
            "mappings": [asdict(record) for record in records]}
    text = json.dumps(data, indent=2) + "\n"
    try:
        write_files_atomically({path: text.encode("utf-8")}, wait_s=wait_s)
    except OSError as problem:
        # Translators: {path} is a file; {reason} is the system's error message
        raise RecordsError(_("{path}: cannot be written ({reason})").format(
            path=path, reason=problem)) from problem


def recover_records(path: Path, wait_s: float = lock.DEFAULT_WAIT_S) -> None:
    """Finish an update of the records that was killed half-way, and remove its temp files.

    Silent: the file itself is whole either way (one rename); what is finished is whether
    that update took effect and its .bak. Cheap when there is nothing to do.
    """
    try:
        journal.recover(path.parent, [path], wait_s)
    except OSError as problem:
        # Translators: {path} is a file; {reason} is the system's error message
        raise RecordsError(_("{path}: cannot be written ({reason})").format(
            path=path, reason=problem)) from problem


def same_mapping(record: MappingRecord, other: MappingRecord) -> bool:
    return (record.router, record.external_port, record.protocol) == \
        (other.router, other.external_port, other.protocol)


def _update(path: Path, change: Callable[[list[MappingRecord]], list[MappingRecord]],
            wait_s: float) -> None:
    """Read, change and write the records as one step: no other run can come in between.

    A save of the records that was killed half-way is finished first, so that what is read
    is what that run last wrote.
    """
    try:
        with journal.locked_for_save(path.parent, [path], wait_s, writes=[path]):
            save_records(path, change(load_records(path)), wait_s)
    except RecordsError:
        raise
    except OSError as problem:
        # Translators: {path} is a file; {reason} is the system's error message
        raise RecordsError(_("{path}: cannot be written ({reason})").format(
            path=path, reason=problem)) from problem


def remember(path: Path, added: list[MappingRecord],
             wait_s: float = lock.DEFAULT_WAIT_S) -> None:
    """Add records (replacing older ones for the same router port)."""
    _update(path, lambda records: [record for record in records
                                   if not any(same_mapping(record, new) for new in added)]
            + added, wait_s)


def forget(path: Path, removed: list[MappingRecord],
           wait_s: float = lock.DEFAULT_WAIT_S) -> None:
    _update(path, lambda records: [record for record in records
                                   if not any(same_mapping(record, gone) for gone in removed)],
            wait_s)
