"""Child of bench_wizard.py: one full wizard run with every live check, for its peak memory
and the GUI thread's stalls.

Starts the lab (dnsmasq, slapd with the Open Cobalt schema, an Xvnc range, prosody, an
HTTP server, the IGD simulator), opens the wizard as `run_wizard` does (qasync loop, probe
executor) on a session whose checks reach only the lab, and walks every page with Next,
waiting on each until its live checks are done, up to the Summary page (its Write
settings is never pressed; the INI and the Open Cobalt folder are temporary).
A 10 ms QTimer heartbeat records the gaps between its ticks; a watchdog thread samples the
GUI thread's Python stack while a tick is late, to say what ran during a stall.
`--trace-events`: also log every Qt event (a diagnostic run; it slows the GUI thread).
Prints one line, `RESULT <json>`; the parent formats it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import ipaddress
import json
import resource
import tempfile
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import dns.asyncbackend
import qasync
from _wizard_cold_start import watch_first_paint
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWizard

from cobalt_setup.gui import warmup
from cobalt_setup.gui.app import application
from cobalt_setup.gui.pages.summary import SummaryPage
from cobalt_setup.gui.pages.welcome import WelcomePage
from cobalt_setup.gui.probe_runner import ProbeRunner
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.router.status import RouterEnvironment
from cobalt_setup.session import SetupSession
from lab import dns_servers, ldap_servers, sockets, vnc_servers, xmpp_servers
from lab.igd_simulator import IgdSimulator
from lab.whole_lab import lab_settings_texts
from network_guard import GUARD
from wizard_driver import lab_environment

HEARTBEAT_MS = 10
STALL_S = 0.033  # a gap longer than two frames at 60 Hz: reported with what ran in it
LATE_S = 0.02  # a tick this late: the watchdog starts sampling the GUI thread's stack
SAMPLE_EVERY_S = 0.005
PAGE_LIMIT_S = 30.0  # a page whose checks run longer is reported, not waited for
LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))
OWN_CODE = ("cobalt_setup", "qasync", "PySide6", "shiboken", "asyncio", "dns", "ldap3",
            "async_upnp_client", "aiohttp")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass
class Heartbeat:
    """Ticks of a 10 ms timer in the GUI thread; a late tick is a stall the user would feel.
    Hand-written: Qt has no stall monitor, and a profiler would change the timings."""

    ticks: list[float] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # the page shown at each tick
    samples: dict[int, list[list[str]]] = field(default_factory=dict)  # tick index -> stacks
    running: bool = False

    def start(self, wizard: QWizard) -> QTimer:
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(HEARTBEAT_MS)

        def tick() -> None:
            self.ticks.append(time.perf_counter())
            page = wizard.currentPage()
            self.pages.append(type(page).__name__ if page is not None else "-")

        timer.timeout.connect(tick)
        timer.start()
        self.running = True
        gui = threading.main_thread().ident
        threading.Thread(target=self._watch, args=(gui,), name="stall-watchdog",
                         daemon=True).start()
        return timer

    def _watch(self, gui: int | None) -> None:
        while self.running:
            time.sleep(SAMPLE_EVERY_S)
            if not self.ticks or time.perf_counter() - self.ticks[-1] < LATE_S:
                continue
            frame = sys._current_frames().get(gui or 0)
            if frame is None:
                continue
            stack = [f"{Path(f.filename).name}:{f.lineno} {f.name}"
                     for f in traceback.extract_stack(frame)
                     if any(part in f.filename for part in OWN_CODE)]
            self.samples.setdefault(len(self.ticks) - 1, []).append(stack[-6:])

    def gaps(self) -> list[tuple[float, int]]:
        """(gap in seconds, index of the tick that started it)."""
        ticks = self.ticks
        return [(ticks[index + 1] - ticks[index], index) for index in range(len(ticks) - 1)]


def write_ini(path: Path, texts: dict[tuple[str, str], str]) -> None:
    sections: dict[str, list[str]] = {}
    for (section, key), value in texts.items():
        sections.setdefault(section, []).append(f"{key} = {value}\n")
    path.write_text("".join(f"[{section}]\n" + "".join(lines)
                            for section, lines in sections.items()))


def runners_busy(wizard: QWizard) -> bool:
    return any(runner.busy for runner in wizard.currentPage().findChildren(ProbeRunner))


async def walk(wizard: SetupWizard, heartbeat: Heartbeat, painted: asyncio.Event) -> dict:
    """Next on every page once its checks are done; stop on the Summary page. The heartbeat
    starts at the first paint: until then there is no window to freeze (the cold start
    figure times that part)."""
    shown = time.perf_counter()
    await painted.wait()
    first_paint_s = time.perf_counter() - shown
    timer = heartbeat.start(wizard)
    pages: list[dict] = []
    warmup_s = 0.0
    while True:
        page = wizard.currentPage()
        shown = time.perf_counter()
        await asyncio.sleep(0.02)  # let initializePage's checks start
        if isinstance(page, WelcomePage):  # a reader is still on it when the warm-up ends
            while not warmup.finished() and time.perf_counter() - shown < PAGE_LIMIT_S:
                await asyncio.sleep(0.02)
            warmup_s = time.perf_counter() - shown
        while runners_busy(wizard) and time.perf_counter() - shown < PAGE_LIMIT_S:
            await asyncio.sleep(0.02)
        pages.append({"page": type(page).__name__,
                      "checks_s": round(time.perf_counter() - shown, 3),
                      "still_busy": runners_busy(wizard),
                      "next_enabled": wizard.button(QWizard.WizardButton.NextButton).isEnabled()
                      if not isinstance(page, SummaryPage) else None})
        if isinstance(page, SummaryPage):
            break
        wizard.next()
        if wizard.currentPage() is page:
            pages[-1]["stuck"] = True  # validatePage refused: the walk cannot go on
            break
    await asyncio.sleep(0.1)  # the last results painted
    timer.stop()
    heartbeat.running = False
    return {"pages": pages, "first_paint_s": first_paint_s, "warmup_s": warmup_s}


def stall_report(heartbeat: Heartbeat, events: EventLog | None) -> dict:
    gaps = heartbeat.gaps()
    values = sorted(gap for gap, _ in gaps)
    p99 = values[min(len(values) - 1, int(0.99 * len(values)))] if values else 0.0
    over = sorted((g for g in gaps if g[0] > STALL_S), reverse=True)
    stalls = []
    for gap, index in over[:5]:
        stacks = heartbeat.samples.get(index, [])
        in_product = [stack for stack in stacks if any("qasync" not in frame and
                                                       "__init__.py" not in frame
                                                       for frame in stack)]
        frames = Counter(" > ".join(stack[-4:]) for stack in in_product)
        start = heartbeat.ticks[index]
        stall = {"gap_s": round(gap, 4), "page": heartbeat.pages[index],
                 "at_s": round(start - heartbeat.ticks[0], 3), "samples": len(stacks),
                 "samples_in_python": len(in_product),
                 "innermost_frames": frames.most_common(3)}
        if events is not None:
            stall["qt_events"] = events.between(start, start + gap)
        stalls.append(stall)
    by_page: dict[str, dict] = {}
    for gap, index in gaps:
        page = by_page.setdefault(heartbeat.pages[index], {"ticks": 0, "longest_s": 0.0,
                                                            "over_16ms": 0, "over_33ms": 0})
        page["ticks"] += 1
        page["longest_s"] = max(page["longest_s"], round(gap, 4))
        page["over_16ms"] += gap > 0.016
        page["over_33ms"] += gap > 0.033
    return {"ticks": len(heartbeat.ticks), "longest_s": values[-1] if values else 0.0,
            "p99_s": p99, "over_16ms": sum(gap > 0.016 for gap in values),
            "over_33ms": len(over),
            "by_page": by_page, "stalls": stalls}


class EventLog(QObject):
    """Every event the application delivers, for a diagnostic run: during a stall with no
    Python frame on the stack, Qt's own work (layout, resize) shows up here. It slows every
    event, so the figures of a traced run are not the benchmark's."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[float, str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.seen.append((time.perf_counter(), event.type().name, type(watched).__name__))
        return False

    def between(self, start: float, end: float) -> dict:
        inside = [item for item in self.seen if start <= item[0] <= end]
        kinds = Counter(f"{name} on {receiver}" for _, name, receiver in inside)
        return {"count": len(inside), "most": kinds.most_common(6)}


def main() -> None:
    GUARD.install()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        dns_lab = dns_servers.start_dns_lab(tmp / "dns")
        slapd = ldap_servers.start_slapd(tmp / "ldap", with_cobalt_schema=True)
        vnc = vnc_servers.start_xvnc_range(tmp / "vnc")
        chat = xmpp_servers.start_prosody(tmp / "xmpp")
        http = sockets.start_http_server()
        router = IgdSimulator(friendly_name="Lab gateway").start()
        try:
            ini_path = tmp / "settings" / "general.ini"
            ini_path.parent.mkdir()
            cobalt_dir = tmp / "OpenCobalt"
            (cobalt_dir / "config").mkdir(parents=True)
            write_ini(ini_path, lab_settings_texts(dns_lab.good, slapd, vnc, chat, http))
            ini_before = ini_path.read_text()
            records = tmp / "port-mappings.json"
            environment = lab_environment(dns_lab, records, router=RouterEnvironment(
                stun_servers=(), hairpin=False, interfaces=(LOOPBACK,), gateway="127.0.0.1",
                natpmp_port=sockets.closed_port(),
                ssdp_targets=(router.ssdp_address,), timeout=1.0, records_path=records))
            # As run_wizard does.
            app = application()
            dns.asyncbackend.set_default_backend("asyncio")
            loop = qasync.QEventLoop(app)
            loop.set_default_executor(ThreadPoolExecutor(4, thread_name_prefix="probe"))
            asyncio.set_event_loop(loop)
            before_wizard = max_rss_mb()
            wizard = SetupWizard(SetupSession(ini_path, cobalt_dir, environment))
            painted = asyncio.Event()
            _watcher = watch_first_paint(wizard, painted.set)
            wizard.show()
            heartbeat = Heartbeat()
            events = EventLog() if "--trace-events" in sys.argv else None
            if events is not None:
                app.installEventFilter(events)
            started = time.perf_counter()
            with loop:
                outcome = loop.run_until_complete(walk(wizard, heartbeat, painted))
                outcome["walk_s"] = time.perf_counter() - started
                outcome["peak_rss_mb"] = max_rss_mb()
                outcome["peak_rss_before_wizard_mb"] = before_wizard
                outcome["stalls"] = stall_report(heartbeat, events)
                outcome["nothing_written"] = (ini_path.read_text() == ini_before
                                              and not any((cobalt_dir / "config").iterdir()))
                wizard.reject()  # Cancel: stops every probe, writes nothing
                loop.run_until_complete(asyncio.sleep(0.05))
        finally:
            router.stop()
            http.stop()
            xmpp_servers.stop_prosody(chat)
            vnc_servers.stop_servers(vnc.servers)
            ldap_servers.stop_slapd(slapd)
            dns_servers.stop_dns_lab(dns_lab)
    outcome["guard_violations"] = GUARD.take_violations()
    print("RESULT " + json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main()
