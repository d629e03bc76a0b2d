"""Runs the real wizard (`run_wizard`) on its Summary page while every check waits on a
silent peer, then ends it one way; for tests/test_quit.py, which runs it as a program.

    python quit_driver.py HOW FOLDER

HOW: `quit` (the application quits, as Cmd+Q does), `close` (the window's close button),
`cancel` (the Cancel button), or `signal` (the test sends SIGTERM or SIGINT itself).
The driver prints "checking" when the checks are running (the moment the test measures
from) and exits with run_wizard's exit code.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWizard

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.app import application, run_wizard
from cobalt_setup.gui.pages.summary import SummaryPage
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.router.environment import RouterEnvironment
from lab.sockets import start_silent_listener

CHECKS_S = 30.0  # far longer than the test waits: the checks are cut short, never done


def silent_environment(folder: Path) -> tuple[CheckEnvironment, dict[str, str]]:
    """Checks whose every target answers nothing, and the settings that point there."""
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never read: silent DNS
    dns.bind(("127.0.0.1", 0))
    dns_port = dns.getsockname()[1]
    silent_environment.keep = dns  # type: ignore[attr-defined]
    tcp = [start_silent_listener() for _ in range(3)]
    dns_endpoint = Endpoint("127.0.0.1", dns_port)

    async def system() -> list[Endpoint]:
        return [dns_endpoint]

    environment = CheckEnvironment(
        dns=DnsEnvironment(system_resolvers=system, open_cobalt_default=(str(dns_endpoint),),
                           public=(), deadline=CHECKS_S, query_timeout=CHECKS_S,
                           discovery_timeout=CHECKS_S),
        timeout=CHECKS_S, crqt_host="127.0.0.1", crqt_port=dns_port, crqt_duration=CHECKS_S,
        router=RouterEnvironment(stun_servers=(), interfaces=(), gateway="", timeout=CHECKS_S,
                                 records_path=folder / "port-mappings.json"))
    settings = {
        "DNS": f"Servers = {dns_endpoint}\nDispatcherDomain = cobalt.test\n",
        "SpaceDirectory": f"Host = 127.0.0.1\nPort = {tcp[0].port}\n",
        "Xrfb": f"ServerHostAddress = 127.0.0.1\nServerPortNumber = {tcp[1].port}\n"
                f"VncPorts = {tcp[2].port}-{tcp[2].port}\n",
        "Chat": f"Server = 127.0.0.1\nPort = {tcp[2].port}\n",
        "Web": f"VersionCheckURL = http://127.0.0.1:{tcp[1].port}/version\n",
    }
    return environment, settings


def main(how: str, folder: Path) -> int:
    environment, sections = silent_environment(folder)
    ini = folder / "general-preferences.ini"
    ini.write_text("".join(f"[{name}]\n{body}" for name, body in sections.items()))
    cobalt_dir = folder / "Open Cobalt"
    (cobalt_dir / "config").mkdir(parents=True, exist_ok=True)
    app = application("en")

    def wizard() -> SetupWizard:
        return next(w for w in app.topLevelWidgets() if isinstance(w, SetupWizard))

    def open_summary() -> None:
        shown = wizard()
        shown.setStartId(shown.page_ids[SummaryPage])
        shown.restart()
        QTimer.singleShot(300, end)  # every check has started and waits on its peer

    def end() -> None:
        summary = wizard().currentPage()
        assert isinstance(summary, SummaryPage) and summary.runner is not None
        if not summary.runner.busy:
            print("not checking", flush=True)
            return
        print("checking", flush=True)
        if how == "quit":
            QApplication.quit()
        elif how == "close":
            wizard().close()
        elif how == "cancel":
            wizard().button(QWizard.WizardButton.CancelButton).click()

    QTimer.singleShot(0, open_summary)
    return run_wizard(ini, cobalt_dir, environment, "en")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
