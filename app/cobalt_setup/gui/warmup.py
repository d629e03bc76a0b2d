"""Loading the checks' modules in a worker thread once the window is up, so that no page
freezes the window while Python imports them.

The pages import their checks on first use, so the first window appears fast; without this,
that first use ran on the GUI thread (the Space Directory page's `checks.services` pulls in
the LDAP, XMPP and certificate modules: 0.13 s with the window frozen). A thread still
shares the GIL, but Python hands the GIL back to the GUI thread every few milliseconds
(`sys.getswitchinterval()`), which a single long import on the GUI thread never does.
bench_wizard measures both.

Hand-written: importlib has no background loader, and Qt's QThread would add nothing here.
"""

from __future__ import annotations

import importlib
import logging
import threading

log = logging.getLogger(__name__)

# What the pages import on first use, in the order a walk through the wizard needs them
# (tests/test_warmup.py checks that every import inside a function of the GUI is here).
CHECK_MODULES = (
    "cobalt_setup.probes.dns.checks",
    "cobalt_setup.checks.services",
    "cobalt_setup.router.checks",
    "cobalt_setup.router.forwarding",
    "cobalt_setup.router.hairpin",
    "cobalt_setup.checks.outcomes",
    "cobalt_setup.checks.diagnosis",
    "cobalt_setup.checks.table",
)

_started = threading.Event()  # once per process: a module is imported once
_finished = threading.Event()


def finished() -> bool:
    """The warm-up has run to its end (for the benchmark, which waits as a reader would)."""
    return _finished.is_set()


def import_in_background(modules: tuple[str, ...] = CHECK_MODULES) -> threading.Thread | None:
    """Import `modules` in a daemon thread (None when a warm-up already started).

    A module that fails to import is only logged: the page that needs it imports it again
    and shows that error where it belongs.
    """
    if _started.is_set():
        return None
    _started.set()

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # shown by the page that imports it
                log.exception("warm-up: importing %s failed", name)
        _finished.set()

    thread = threading.Thread(target=load, name="import-warmup", daemon=True)
    thread.start()
    return thread
