"""Forwarding TeaTime ports on the router: plan, apply, verify, prove and undo.

Rules this module keeps, whatever the router says:
- ports are mapped only to this computer's own LAN address;
- a port another device holds is never overwritten: it is reported, with a free range;
- every mapping added is written to the records file, and undo removes only those, and
  only while they still point at this computer;
- the test mapping that proves Automatic mode works is always removed, also after an
  error or a cancel.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from cobalt_setup.i18n import _, ngettext
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.router import natpmp
from cobalt_setup.router.igd import Igd, PortMapping, RouterError
from cobalt_setup.router.pcp import PcpMapper
from cobalt_setup.router.records import (
    MappingRecord,
    forget,
    load_records,
    pcp_secret,
    remember,
)
from cobalt_setup.router.status import RouterEnvironment, RouterFindings
from cobalt_setup.wording import port_list

DESCRIPTION = "Open Cobalt TeaTime"
TEST_DESCRIPTION = "Cobalt Network Setup test"
TEST_LEASE_S = 120
IGD2_MAX_LEASE_S = 604800  # IGD v2 allows at most 7 days; v1 takes 0 = permanent
CONCURRENT_REQUESTS = 4  # home routers are small computers
PROTOCOL = "TCP"

T = TypeVar("T")


class Mapper(Protocol):
    """One way of forwarding ports on one router (UPnP IGD, PCP or NAT-PMP)."""

    method: str
    router: str  # a stable name for the records: the IGD's UDN, "natpmp:<gateway>"
    router_address: str
    can_read: bool  # whether existing mappings can be read (NAT-PMP and PCP cannot)
    reads_back_own: bool  # whether `get` reads back what this mapper added (PCP's refresh)

    async def get(self, port: int) -> PortMapping | None: ...
    async def listed(self, ports: Sequence[int]) -> dict[int, PortMapping] | None:
        """The mappings on these ports in one question, or None where the router cannot
        list them at once (then `get` asks port by port)."""
    async def add(self, mapping: PortMapping) -> PortMapping: ...
    async def delete(self, mapping: PortMapping) -> None: ...


class UpnpMapper:
    method = "upnp"
    can_read = True
    reads_back_own = True

    def __init__(self, igd: Igd) -> None:
        self.igd = igd
        self.router = igd.info.udn or igd.info.location
        self.router_address = igd.info.host

    async def get(self, port: int) -> PortMapping | None:
        return await self.igd.get_mapping(port, PROTOCOL)

    async def listed(self, ports: Sequence[int]) -> dict[int, PortMapping] | None:
        if not ports:
            return {}
        found = await self.igd.mappings_in_range(min(ports), max(ports), PROTOCOL)
        if found is None:
            return None
        wanted = set(ports)
        return {port: mapping for port, mapping in found.items() if port in wanted}

    async def add(self, mapping: PortMapping) -> PortMapping:
        await self.igd.add_mapping(mapping)
        return mapping

    async def delete(self, mapping: PortMapping) -> None:
        await self.igd.delete_mapping(mapping.external_port, mapping.protocol)


class NatPmpMapper:
    method = "natpmp"
    can_read = False
    reads_back_own = False

    def __init__(self, gateway: str, port: int, timeout: float) -> None:
        self.gateway, self.port, self.timeout = gateway, port, timeout
        self.router = f"natpmp:{gateway}"
        self.router_address = gateway

    async def get(self, port: int) -> PortMapping | None:
        return None  # NAT-PMP has no way to read a mapping

    async def listed(self, ports: Sequence[int]) -> dict[int, PortMapping] | None:
        return None

    async def add(self, mapping: PortMapping) -> PortMapping:
        try:
            granted = await natpmp.map_port(
                self.gateway, mapping.internal_port, mapping.external_port,
                mapping.lease_s or IGD2_MAX_LEASE_S, port=self.port, timeout=self.timeout)
        except natpmp.NatPmpError as problem:
            raise RouterError("NAT-PMP map", problem.code, problem.words) from problem
        return PortMapping(granted.external_port, mapping.protocol, mapping.internal_client,
                           granted.internal_port, mapping.description, granted.lifetime_s)

    async def delete(self, mapping: PortMapping) -> None:
        try:
            await natpmp.unmap_port(self.gateway, mapping.internal_port, port=self.port,
                                    timeout=self.timeout)
        except natpmp.NatPmpError as problem:
            raise RouterError("NAT-PMP unmap", problem.code, problem.words) from problem


def mappers_for(findings: RouterFindings, env: RouterEnvironment) -> list[Mapper]:
    """Every way this router takes mappings: UPnP first, then PCP, then NAT-PMP, where they
    answered."""
    mappers: list[Mapper] = []
    if findings.igd is not None:
        mappers.append(UpnpMapper(findings.igd))
    if findings.gateway and findings.pcp_epoch is not None:
        records = env.records()
        mappers.append(PcpMapper(findings.gateway, env.natpmp_port, env.timeout,
                                 lambda: pcp_secret(records)))
    if findings.gateway and findings.natpmp_external is not None:
        mappers.append(NatPmpMapper(findings.gateway, env.natpmp_port, env.timeout))
    return mappers


def mapper_for(findings: RouterFindings, env: RouterEnvironment) -> Mapper | None:
    """UPnP when the router speaks it, else NAT-PMP, else None."""
    mappers = mappers_for(findings, env)
    return mappers[0] if mappers else None


async def _bounded(calls: Iterable[Callable[[], Awaitable[T]]]) -> list[T | BaseException]:
    gate = asyncio.Semaphore(CONCURRENT_REQUESTS)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls), return_exceptions=True)


# -- plan -----------------------------------------------------------------------------------

@dataclass
class ForwardPlan:
    ports: list[int]
    internal_client: str
    existing: dict[int, PortMapping] = field(default_factory=dict)
    unreadable: dict[int, str] = field(default_factory=dict)  # port -> why

    def is_mine(self, port: int) -> bool:
        mapping = self.existing.get(port)
        return (mapping is not None and mapping.internal_client == self.internal_client
                and mapping.internal_port == port)

    @property
    def conflicts(self) -> list[PortMapping]:
        """Ports held by another device (or by this one for another port)."""
        return [mapping for port, mapping in sorted(self.existing.items())
                if not self.is_mine(port)]

    @property
    def already_forwarded(self) -> list[int]:
        return [port for port in self.ports if self.is_mine(port)]

    @property
    def to_add(self) -> list[int]:
        return [port for port in self.ports if port not in self.existing]


async def plan_forwarding(mapper: Mapper, ports: list[int], internal_client: str
                          ) -> ForwardPlan:
    """Read what the router has on each port (4 questions at a time)."""
    plan = ForwardPlan(list(ports), internal_client)
    if not mapper.can_read:
        return plan
    try:
        listed = await mapper.listed(ports)
    except RouterError as problem:  # no answer to the listing: none to each port either
        plan.unreadable.update((port, problem.words) for port in ports)
        return plan
    if listed is not None:
        # A router may cut a listing short: a port missing from it that another device
        # holds is refused with 718 when added, and reported as held then.
        plan.existing.update(listed)
        return plan
    answers = await _bounded(lambda port=port: mapper.get(port) for port in ports)
    for port, answer in zip(ports, answers, strict=True):
        if isinstance(answer, PortMapping):
            plan.existing[port] = answer
        elif isinstance(answer, RouterError):
            plan.unreadable[port] = answer.words
        elif isinstance(answer, BaseException):
            raise answer
    return plan


def _conflict_line(mapping: PortMapping, internal_client: str) -> str:
    """One port another device (or another port of this computer) holds, as a sentence."""
    port, description = mapping.external_port, mapping.description
    if mapping.internal_client == internal_client:
        if description:
            # Translators: {description} is the name the forwarding has on the router
            return _("Port {port} is already forwarded to this computer's port "
                     "{internal_port} (description '{description}').").format(
                         port=port, internal_port=mapping.internal_port,
                         description=description)
        return _("Port {port} is already forwarded to this computer's port "
                 "{internal_port}.").format(port=port, internal_port=mapping.internal_port)
    if mapping.internal_client:
        if description:
            # Translators: {address} is another device's address; {description} is the
            # name the forwarding has on the router
            return _("Port {port} is already forwarded to {address} (description "
                     "'{description}').").format(port=port, address=mapping.internal_client,
                                                 description=description)
        # Translators: {address} is another device's address
        return _("Port {port} is already forwarded to {address}.").format(
            port=port, address=mapping.internal_client)
    if description:
        # Translators: {description} is the name the forwarding has on the router
        return _("Port {port} is already forwarded to another device (description "
                 "'{description}').").format(port=port, description=description)
    return _("Port {port} is already forwarded to another device.").format(port=port)


def conflict_words(plan: ForwardPlan) -> str:
    return " ".join(_conflict_line(mapping, plan.internal_client)
                    for mapping in plan.conflicts)


def suggest_free_range(taken: Iterable[int], width: int, start: int = 6910,
                       stop: int = 65535) -> tuple[int, int] | None:
    """The first `width` consecutive ports from `start` that are not in `taken`."""
    busy = set(taken)
    first = start
    while first + width - 1 <= stop:
        clash = [port for port in range(first, first + width) if port in busy]
        if not clash:
            return first, first + width - 1
        first = max(clash) + 1
    return None


def _record(mapper: Mapper, mapping: PortMapping) -> MappingRecord:
    return MappingRecord(mapper.method, mapper.router, mapper.router_address,
                         mapping.external_port, mapping.protocol, mapping.internal_client,
                         mapping.internal_port, mapping.description, mapping.lease_s,
                         MappingRecord.now())


# -- apply and verify -----------------------------------------------------------------------

@dataclass(frozen=True)
class PortOutcome:
    port: int
    state: str  # "added", "already", "conflict", "failed"
    words: str = ""
    verified: bool = False
    lease_s: int = 0
    external_port: int = 0


@dataclass
class ForwardOutcome:
    method: str
    router_address: str
    internal_client: str
    ports: list[PortOutcome] = field(default_factory=list)
    lease_note: str = ""
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return all(outcome.state in ("added", "already") and outcome.verified
                   for outcome in self.ports)

    def result(self) -> ProbeResult:
        """The outcome as one line for the page and the command line."""
        done = [o.port for o in self.ports if o.state in ("added", "already") and o.verified]
        failed = [o for o in self.ports if o.port not in done]
        target = f"{self.router_address} -> {self.internal_client}"
        details = {"method": self.method, "ports": [vars(o) for o in self.ports]}
        if self.ok:
            # Translators: {ports} is e.g. "6900-6909"; {address} this computer's
            # address
            summary = _("TCP {ports} forwarded to this computer ({address}) and checked on "
                        "the router.").format(ports=port_list(done),
                                              address=self.internal_client)
            if self.lease_note:
                summary += " " + self.lease_note
            leases = [o.lease_s for o in self.ports if o.state == "added"]
            if leases and min(leases) > 0:
                # Translators: a sentence added after "TCP 6900-6909 forwarded ..."; {time}
                # is e.g. "7 days" or "2 hours"
                summary += " " + _("The router keeps them for {time}: forward them again "
                                   "then, or set them up in the router's own settings to "
                                   "keep them for good.").format(time=_duration(min(leases)))
            return ProbeResult("router.forward", self.method, target, Status.OK, summary, "",
                               self.elapsed_ms, details)
        # Ports that failed for the same reason share it: ten refusals are one reason.
        by_reason: dict[str, list[int]] = {}
        for outcome in failed:
            by_reason.setdefault(outcome.words.rstrip("."), []).append(outcome.port)
        # Translators: one item of a "; "-joined list of ports that failed and why,
        # e.g. "6901: the port is already forwarded to another device"
        reasons = "; ".join(_("{port}: {reason}").format(port=port_list(ports), reason=words)
                            for words, ports in list(by_reason.items())[:4])
        if len(by_reason) == 1:
            # Translators: {ports} is e.g. "6900-6909"; {reason} why, e.g. "the router's
            # UPnP rules do not allow this port or this computer"
            summary = _("Forwarding failed for {ports}: {reason}.").format(
                ports=port_list([o.port for o in failed]), reason=next(iter(by_reason)))
        else:
            # Translators: {ports} is e.g. "6900 and 6901"; {reasons} a "; "-joined
            # list of "port: reason"
            summary = _("Forwarding failed for {ports} ({reasons}).").format(
                ports=port_list([o.port for o in failed]), reasons=reasons)
        if done:
            # Translators: a sentence added after "Forwarding failed for ..."; {ports}
            # is e.g. "6902-6909"
            summary += " " + _("{ports} worked.").format(ports=port_list(done))
        fix = (_("Use the ports offered instead, or free these ports in the router's "
                 "settings.")
               if any(o.state == "conflict" for o in failed) else
               _("Forward the ports by hand in the router's settings (see the steps below)."))
        return ProbeResult("router.forward", self.method, target, Status.FAILED, summary, fix,
                           self.elapsed_ms, details)


def _duration(seconds: int) -> str:
    """How long a lease lasts, in words: "7 days", "2.5 hours", "120 seconds"."""
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        # Translators: how long the router keeps a forwarding
        return ngettext("{count} day", "{count} days", days).format(count=days)
    if seconds >= 3600:
        # Translators: how long the router keeps a forwarding; {count} may have
        # decimals
        return _("{count} hours").format(count=f"{seconds / 3600:.3g}")
    # Translators: how long the router keeps a forwarding
    return _("{count} seconds").format(count=seconds)


def default_lease(mapper: Mapper) -> int:
    """As long as the router allows: IGD v1 takes 0 (until removed); v2 at most 7 days."""
    if isinstance(mapper, UpnpMapper) and mapper.igd.info.igd_version == 1:
        return 0
    return IGD2_MAX_LEASE_S


async def _add_one(mapper: Mapper, mapping: PortMapping) -> tuple[PortMapping, str]:
    """Add a mapping; a router that takes only permanent leases (725) gets lease 0."""
    try:
        return await mapper.add(mapping), ""
    except RouterError as problem:
        if problem.code != 725 or mapping.lease_s == 0:
            raise
    permanent = PortMapping(mapping.external_port, mapping.protocol, mapping.internal_client,
                            mapping.internal_port, mapping.description, 0)
    return await mapper.add(permanent), _(
        "The router accepts only permanent forwardings, so they stay until removed "
        "(Undo removes them).")


async def _verify(mapper: Mapper, added: PortMapping,
                  listed: dict[int, PortMapping] | None = None) -> tuple[bool, str]:
    """Whether the router has the mapping as added; `listed` is what one listing of all
    the ports showed (a port missing there is asked on its own)."""
    if not mapper.can_read:
        # NAT-PMP's and PCP's answer is the router's own statement of the mapping it made.
        if added.external_port != added.internal_port:
            # Translators: this and the next reasons say why a forwarding failed. Each
            # goes after a port number and a colon in a list, or ends the sentence "The
            # router accepted a test forwarding of port {port} but {reason}.", so they
            # start lower case and end without a full stop.
            return False, _("the router forwarded port {granted} instead of {asked}").format(
                granted=added.external_port, asked=added.internal_port)
        if not mapper.reads_back_own:
            return True, ""
        # PCP has no listing: a refresh of the mapping (same nonce) is its read-back.
    try:
        found = listed.get(added.external_port) if listed else None
        found = found or await mapper.get(added.external_port)
    except RouterError as problem:
        # Translators: why a forwarding failed, lower case (see "the router
        # forwarded port")
        return False, _("could not be read back: {reason}").format(reason=problem.words)
    if found is None:
        # Translators: why a forwarding failed, lower case (see "the router
        # forwarded port")
        return False, _("the router accepted it but does not list it")
    if found.external_port != added.external_port:  # PCP's refresh may move it
        return False, _("the router forwarded port {granted} instead of {asked}").format(
            granted=found.external_port, asked=added.external_port)
    if found.internal_client != added.internal_client or \
            found.internal_port != added.internal_port:
        # Translators: why a forwarding failed, lower case (see "the router
        # forwarded port"); {address}:{port} is where it points, e.g.
        # "192.168.1.7:6901"
        return False, _("the router lists it towards {address}:{port}").format(
            address=found.internal_client, port=found.internal_port)
    return True, ""


async def forward_ports(mapper: Mapper, plan: ForwardPlan, records_path: Path,
                        lease_s: int | None = None, description: str = DESCRIPTION
                        ) -> ForwardOutcome:
    """Add every free port of the plan, record each, then read each back.

    Ports held by another device are left alone and reported as conflicts.
    """
    started = time.perf_counter()
    lease = default_lease(mapper) if lease_s is None else lease_s
    outcome = ForwardOutcome(mapper.method, mapper.router_address, plan.internal_client)
    conflicts = {mapping.external_port: mapping for mapping in plan.conflicts}
    wanted = [PortMapping(port, PROTOCOL, plan.internal_client, port, description, lease)
              for port in plan.ports if port not in conflicts and not plan.is_mine(port)]
    # Written down before asking: a cancel or a lost answer may leave mappings the router
    # made all the same, and Undo must be able to find them.
    records = {m.external_port: _record(mapper, m) for m in wanted}
    if records:
        remember(records_path, list(records.values()))
    answers = await _bounded(lambda m=m: _add_one(mapper, m) for m in wanted)
    added: list[PortMapping] = []
    refused: list[MappingRecord] = []  # the router said no: nothing to undo
    failures: dict[int, str] = {}
    for mapping, answer in zip(wanted, answers, strict=True):
        if isinstance(answer, tuple):
            added.append(answer[0])
            outcome.lease_note = outcome.lease_note or answer[1]
        elif isinstance(answer, RouterError):
            failures[mapping.external_port] = answer.words
            if answer.code == 718:
                conflicts[mapping.external_port] = mapping
            if answer.code is not None:
                refused.append(records[mapping.external_port])
        elif isinstance(answer, BaseException):
            raise answer
    granted = [_record(mapper, m) for m in added
               if m.external_port != m.internal_port or m.lease_s != records[m.internal_port]
               .lease_s]  # NAT-PMP may grant another port or lease than asked
    if refused:
        forget(records_path, refused)
    if granted:
        remember(records_path, granted)
    listed: dict[int, PortMapping] | None = None
    if mapper.can_read and added:
        try:
            listed = await mapper.listed([m.external_port for m in added])
        except RouterError:
            listed = None  # each port is then read back on its own, and says why not
    checks = await _bounded(lambda m=m: _verify(mapper, m, listed) for m in added)
    by_port = {m.internal_port: (m, check) for m, check in zip(added, checks, strict=True)}
    for port in plan.ports:
        if plan.is_mine(port):
            # Translators: the state of one port, shown in the details of a forwarding
            outcome.ports.append(PortOutcome(port, "already", _("already forwarded here"), True,
                                             plan.existing[port].lease_s, port))
        elif port in by_port:
            mapping, check = by_port[port]
            ok, words = check if isinstance(check, tuple) else (False, str(check))
            outcome.ports.append(PortOutcome(port, "added", words, ok, mapping.lease_s,
                                             mapping.external_port))
        elif port in conflicts:
            holder = conflicts[port]
            outcome.ports.append(PortOutcome(port, "conflict", failures.get(port)
                                             or _held_words(holder, plan.internal_client)))
        else:
            outcome.ports.append(PortOutcome(port, "failed", failures.get(port, "")))
    outcome.elapsed_ms = (time.perf_counter() - started) * 1000
    return outcome


def _held_words(holder: PortMapping, internal_client: str) -> str:
    """Why a port was not forwarded: someone else holds it (lower case, put after "6901: ")."""
    if holder.internal_client != internal_client:
        # Translators: why a port was not forwarded, lower case, put after a port
        # number and a colon; {address} is another device's address
        return _("already forwarded to {address}").format(address=holder.internal_client)
    # Translators: why a port was not forwarded, lower case, put after a port
    # number and a colon
    return _("already forwarded to another program here")


# -- proving Automatic mode -----------------------------------------------------------------

async def prove_automatic(mapper: Mapper, plan: ForwardPlan) -> ProbeResult:
    """Add a short test mapping on a free TeaTime port, read it back, always delete it.

    This is what Open Cobalt's Automatic mode will do each time it starts, so a router that
    passes this test will let Open Cobalt open its ports itself.
    """
    started = time.perf_counter()
    free = [port for port in plan.ports if port not in plan.existing]
    target = f"{mapper.router_address} ({mapper.method})"

    def result(status: Status, summary: str, fix: str = "", **details: object) -> ProbeResult:
        return ProbeResult("router.automatic", "upnp" if mapper.method == "upnp" else
                           "natpmp", target, status, summary, fix,
                           (time.perf_counter() - started) * 1000, dict(details))

    if not free:
        return result(Status.WARNING,
                      _("Every TeaTime port is already forwarded, so no test mapping was "
                        "made."),
                      _("If those forwardings are to this computer, Manual mode fits better."))
    port = free[0]
    test = PortMapping(port, PROTOCOL, plan.internal_client, port, TEST_DESCRIPTION,
                       TEST_LEASE_S)
    # Until the router answers "no", the test forwarding may exist: a cancel or a lost
    # answer while it is being added still removes it.
    added: PortMapping | None = test
    try:
        try:
            added, _note = await _add_one(mapper, test)
        except RouterError as problem:
            if problem.code is not None:
                added = None  # refused: nothing was made
            # Translators: {reason} is e.g. "the router's port mapping table is full"
            return result(Status.FAILED,
                          _("The router refused a test forwarding of port {port}: {reason}."
                            ).format(port=port, reason=problem.words),
                          _("Open Cobalt's Automatic mode would fail the same way: switch on "
                            "UPnP in the router, or choose Manual forwarding."),
                          code=problem.code, port=port)
        ok, words = await _verify(mapper, added)
        if not ok:
            # Translators: {reason} is e.g. "the router accepted it but does not list
            # it"
            return result(Status.FAILED,
                          _("The router accepted a test forwarding of port {port} but "
                            "{reason}.").format(port=port, reason=words),
                          _("Choose Manual forwarding: this router's UPnP is not reliable."),
                          port=port)
    finally:
        if added is not None:
            # Shielded: a cancel (Back, Cancel, closing the window) must not leave it behind.
            await asyncio.shield(_remove_quietly(mapper, added))
    return result(Status.OK,
                  _("The router accepts UPnP forwarding: a test forwarding of port {port} was "
                    "added, read back and removed. Open Cobalt can open its ports itself."
                    ).format(port=port),
                  port=port)


async def _remove_quietly(mapper: Mapper, mapping: PortMapping) -> None:
    if mapper.can_read:
        try:
            current = await mapper.get(mapping.external_port)
        except RouterError:
            current = mapping  # cannot tell; the port was free before our add: remove it
        if current is None or current.internal_client != mapping.internal_client or \
                current.description != mapping.description:
            return  # not (or no longer) our test mapping
    with contextlib.suppress(RouterError):  # its short lease makes the router drop it anyway
        await mapper.delete(mapping)


# -- undo -----------------------------------------------------------------------------------

@dataclass
class UndoOutcome:
    removed: list[MappingRecord] = field(default_factory=list)
    left: list[tuple[MappingRecord, str]] = field(default_factory=list)  # and why
    failed: list[MappingRecord] = field(default_factory=list)  # left because removal failed

    def result(self, router_address: str) -> ProbeResult:
        removed = [record.external_port for record in self.removed]
        details = {"removed": removed,
                   "left": [{"port": record.external_port, "why": why}
                            for record, why in self.left]}
        if not self.removed and not self.left:
            return ProbeResult("router.undo", "upnp", router_address, Status.OK,
                               _("No forwarding made by this tool is on record for this "
                                 "router."), "", 0.0, details)
        # Translators: {ports} is e.g. "6900-6909"
        summary = (_("Removed the forwarding of TCP {ports}.").format(ports=port_list(removed))
                   if removed else _("Nothing was removed."))
        if self.left:
            # Translators: one item of a "; "-joined list of ports not removed and why,
            # e.g. "6901 (already gone)"
            items = "; ".join(_("{port} ({reason})").format(port=record.external_port,
                                                            reason=why)
                              for record, why in self.left[:4])
            # Translators: a sentence added after "Removed the forwarding of ..." or
            # "Nothing was removed."; {ports} is a "; "-joined list of "port (reason)"
            summary += " " + _("Left alone: {ports}.").format(ports=items)
        status = Status.WARNING if self.failed else Status.OK
        return ProbeResult("router.undo", "upnp", router_address, status, summary, "", 0.0,
                           details)


async def undo_on_router(mappers: Sequence[Mapper], records_path: Path) -> UndoOutcome:
    """Undo what this tool made on this router through any of `mappers`: a forwarding may
    have gone through NAT-PMP when UPnP was slow to answer, and Undo must find it then too."""
    outcome = UndoOutcome()
    for mapper in mappers:  # one after the other: each rewrites the records file
        part = await undo_forwarding(mapper, records_path)
        outcome.removed += part.removed
        outcome.left += part.left
        outcome.failed += part.failed
    return outcome


async def undo_forwarding(mapper: Mapper, records_path: Path) -> UndoOutcome:
    """Remove this tool's mappings on this router, only while they still point here."""
    outcome = UndoOutcome()
    mine = [record for record in load_records(records_path) if record.router == mapper.router]
    moved: list[MappingRecord] = []  # now forwarded elsewhere: not ours to remove any more
    listed: dict[int, PortMapping] | None = None
    if mapper.can_read and mine:
        try:
            listed = await mapper.listed([record.external_port for record in mine])
        except RouterError:
            listed = None  # each port is then asked on its own, and says why not

    async def undo_one(record: MappingRecord) -> None:
        mapping = PortMapping(record.external_port, record.protocol, record.internal_client,
                              record.internal_port, record.description, record.lease_s)
        if mapper.can_read:
            # Missing from a listing is not gone: a router may cut its listing short.
            current = (listed or {}).get(record.external_port) or \
                await mapper.get(record.external_port)
            if current is None:
                # Translators: why a forwarding was not removed, in brackets after its port
                outcome.left.append((record, _("already gone")))
                outcome.removed.append(record)  # nothing to remove: forget it
                return
            if current.internal_client != record.internal_client:
                # Translators: why a forwarding was not removed, in brackets after its port
                outcome.left.append((record, _(
                    "now forwarded to {address}, not made by this tool").format(
                        address=current.internal_client)))
                moved.append(record)
                return
        await mapper.delete(mapping)
        outcome.removed.append(record)

    answers = await _bounded(lambda record=record: undo_one(record) for record in mine)
    for record, answer in zip(mine, answers, strict=True):
        if isinstance(answer, RouterError):
            # Translators: why a forwarding was not removed, in brackets after its
            # port; {reason} is e.g. "the router did not answer within 2 s"
            outcome.left.append((record, _("removal failed: {reason}").format(
                reason=answer.words)))
            outcome.failed.append(record)
        elif isinstance(answer, BaseException):
            raise answer
    gone = outcome.removed + moved
    if gone:
        forget(records_path, gone)
    outcome.removed = [record for record in outcome.removed
                       if not any(r is record for r, _why in outcome.left)]
    return outcome
