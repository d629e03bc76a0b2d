"""Finding the Internet Gateway Device with SSDP, fast and without trusting the LAN.

async-upnp-client sends the M-SEARCH and parses the replies. Its `async_search` always waits
out the whole search window and accepts any LOCATION; here the search ends as soon as a
valid router is in (plus a short settling time for a second one), and a reply counts only
when its LOCATION names the very host that sent it, on this computer's own network
(DESIGN.md section 4). The default gateway also gets a unicast M-SEARCH, which UPnP 1.1
devices answer at once instead of after a random delay of up to MX seconds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from async_upnp_client.search import SsdpSearchListener
from async_upnp_client.utils import CaseInsensitiveDict

from cobalt_setup.i18n import _
from cobalt_setup.router.environment import SETTLE_S
from cobalt_setup.router.igd import Igd, NotAnIgd, open_igd
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.services import BY_ID, SSDP_MULTICAST_GROUP
from cobalt_setup.time_limit import within

SSDP_MULTICAST = (SSDP_MULTICAST_GROUP, BY_ID["ssdp"].first_port)  # 239.255.255.250:1900
SEARCH_TYPES = (
    "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
)
MX_S = 1  # the smallest delay UPnP allows a multicast answer to be spread over
RESEND_AFTER_S = (0.25, 1.0)  # SSDP is UDP: ask again if nothing valid came in


@dataclass(frozen=True)
class RejectedReply:
    """A device that answered the search and was not accepted as the router."""

    source: str
    location: str
    reason: str


@dataclass
class Discovery:
    igds: list[Igd] = field(default_factory=list)  # the default gateway's first
    rejected: list[RejectedReply] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)  # "eth0 192.168.1.20"
    elapsed_ms: float = 0.0
    problem: str = ""  # why no search could be sent at all

    @property
    def igd(self) -> Igd | None:
        return self.igds[0] if self.igds else None


def _check_reply(headers: CaseInsensitiveDict, interface: LanInterface) -> tuple[str, str]:
    """(source, location) of an acceptable reply; raises ValueError with the reason."""
    source = str(headers.get_lower("_host", "") or "")
    location = str(headers.get_lower("_location_original", "")
                   or headers.get_lower("location", "") or "").strip()
    if not location:
        # Translators: this and the next reasons say why a device that answered the
        # router search is not used; each is put after its address ("192.168.1.7:
        # its answer ..."), lower case. LOCATION is a field of the answer: keep it
        # as it is.
        raise ValueError(_("its answer has no LOCATION"))
    try:
        url = urlsplit(location)
        port = url.port
    except ValueError:
        # Translators: why a device that answered is not used, lower case
        # (LOCATION: a field)
        raise ValueError(_("its LOCATION is not a valid address")) from None
    if url.scheme != "http" or not url.hostname or port == 0:
        # Translators: why a device that answered is not used, lower case
        # (LOCATION: a field)
        raise ValueError(_("its LOCATION is not a plain http:// address"))
    try:
        location_host = str(ipaddress.ip_address(url.hostname))
    except ValueError:
        # Translators: why a device that answered is not used, lower case
        # (LOCATION: a field)
        raise ValueError(_("its LOCATION names a host name instead of its own address")
                         ) from None
    if location_host != source:
        # Translators: why a device that answered is not used, lower case
        raise ValueError(_("it answered from {source} but pointed to {location_host}; a "
                           "router describes itself").format(source=source,
                                                              location_host=location_host))
    if not interface.on_link(source):
        # Translators: why a device that answered is not used, lower case;
        # {network} is e.g. "192.168.1.0/24"
        raise ValueError(_("{source} is not on this computer's network {network}").format(
            source=source, network=interface.network))
    return source, location


async def discover_igds(interfaces: Sequence[LanInterface], *,
                        gateway: str | None = None,
                        targets: Sequence[tuple[str, int]] | None = None,
                        timeout: float, settle: float = SETTLE_S) -> Discovery:
    """Search every interface for IGDs; return when one is valid (or at `timeout`).

    `targets` replaces the multicast group and the gateway's unicast address (tests use a
    simulator's loopback address). The result lists valid routers (the gateway's first)
    and every reply that was refused, with the reason.
    """
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    found = Discovery()
    seen: set[str] = set()
    fetches: dict[asyncio.Task[Igd], tuple[str, str]] = {}  # pending: (source, location)
    first_valid = asyncio.Event()
    listeners: list[SsdpSearchListener] = []

    def on_reply(headers: CaseInsensitiveDict, interface: LanInterface) -> None:
        source = str(headers.get_lower("_host", "") or "?")
        try:
            source, location = _check_reply(headers, interface)
        except ValueError as reason:
            location = str(headers.get_lower("_location_original", "") or "")
            key = f"{source} {location}"
            if key not in seen:
                seen.add(key)
                found.rejected.append(RejectedReply(source, location, str(reason)))
            return
        if location in seen:
            return
        seen.add(location)
        task = loop.create_task(open_igd(location, source, interface, timeout))
        fetches[task] = (source, location)
        task.add_done_callback(lambda done: on_fetched(done, source, location))

    def on_fetched(task: asyncio.Task[Igd], source: str, location: str) -> None:
        fetches.pop(task, None)
        if task.cancelled():
            return
        problem = task.exception()
        if problem is None:
            found.igds.append(task.result())
            first_valid.set()
        elif isinstance(problem, NotAnIgd):
            found.rejected.append(RejectedReply(source, location, problem.words))
        else:
            # Translators: why a device that answered is not used, lower case;
            # {problem} is a technical message in English
            words = _("it failed: {problem}").format(problem=problem)
            found.rejected.append(RejectedReply(source, location, words))

    try:
        for interface in interfaces:
            wanted = list(targets) if targets is not None else [SSDP_MULTICAST]
            if targets is None and gateway and interface.on_link(gateway):
                wanted.append((gateway, SSDP_MULTICAST[1]))
            for target in wanted:
                listener = SsdpSearchListener(
                    callback=lambda headers, where=interface: on_reply(headers, where),
                    loop=loop, source=(str(interface.address), 0), target=target,
                    timeout=MX_S, search_target=SEARCH_TYPES[0])
                try:
                    await listener.async_start()
                except OSError as problem:
                    # Translators: put after this computer's address ("192.168.1.20: no search
                    # ..."), lower case; {interface} is e.g. "eth0" or "Wi-Fi"
                    words = _("no search possible on {interface}: {reason}").format(
                        interface=interface.name, reason=problem.strerror or problem)
                    found.rejected.append(RejectedReply(str(interface.address), "", words))
                    continue
                listeners.append(listener)
            found.searched.append(f"{interface.name} {interface.address}")
        if not listeners:
            found.problem = (_("This computer has no network connection to search for a "
                               "router on.") if not interfaces else
                             _("No search could be sent."))
            return found

        def search() -> None:
            for listener in listeners:
                for search_type in SEARCH_TYPES:
                    listener.search_target = search_type
                    try:
                        listener.async_search()
                    except OSError:
                        continue  # an interface that went away: the others still search

        async def search_again() -> None:
            for delay in RESEND_AFTER_S:
                await asyncio.sleep(max(0.0, started + delay - time.perf_counter()))
                search()

        search()
        resender = loop.create_task(search_again())
        deadline = started + timeout
        try:
            await within(first_valid.wait(), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            pass
        finally:
            resender.cancel()
            await asyncio.wait([resender])
        if fetches:
            # After a first router: a short wait for a second. Without one: the deadline.
            limit = settle if first_valid.is_set() else timeout
            remaining = max(0.0, min(limit, deadline - time.perf_counter()))
            if remaining:
                await asyncio.wait(set(fetches), timeout=remaining)
        # A device that answered the search is not "nobody": say that it was too slow.
        for source, location in ([] if first_valid.is_set() else fetches.values()):
            # Translators: why a device that answered the search is not used as the
            # router; put after its address ("192.168.1.1: its description ..."), lower
            # case
            words = _("its description did not arrive within {timeout} s").format(
                timeout=f"{timeout:g}")
            found.rejected.append(RejectedReply(source, location, words))
    finally:
        for listener in listeners:
            listener.async_stop()
        pending = list(fetches)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
    if gateway:
        found.igds.sort(key=lambda igd: igd.info.host != gateway)
    found.elapsed_ms = (time.perf_counter() - started) * 1000
    return found
