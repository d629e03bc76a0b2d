"""Driving the wizard as a user does: type into fields, press its buttons."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWizard
from pytestqt.qtbot import QtBot

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.gui.widgets import FieldRow
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.probes.dns.checks import DnsEnvironment
from cobalt_setup.router.status import RouterEnvironment
from cobalt_setup.session import SetupSession
from lab.dns_servers import DOMAIN, HIJACK_DOMAIN, DnsLab, DnsServer
from lab.sockets import closed_port

NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton


def open_wizard(qtbot: QtBot, ini_path: Path, cobalt_dir: Path | None,
                session: SetupSession | None = None) -> SetupWizard:
    wizard = SetupWizard(session or SetupSession(ini_path, cobalt_dir))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def field_input(wizard: SetupWizard, section: str, key: str) -> QLineEdit:
    found = wizard.currentPage().findChild(QLineEdit, f"{section}.{key}")
    assert found is not None, f"{section}.{key} is not on page {wizard.currentPage().title()}"
    return found


def retype(qtbot: QtBot, line_edit: QLineEdit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(line_edit, text)


def press(wizard: SetupWizard, button: QWizard.WizardButton) -> None:
    page = wizard.currentPage().title()
    assert wizard.button(button).isEnabled(), f"{button} is disabled on {page}"
    wizard.button(button).click()


def write_settings(qtbot: QtBot, wizard: SetupWizard) -> None:
    """Press Write settings and wait until the save has ended (the files are written off
    the GUI thread): the wizard is then on its last page, or the Summary says why not."""
    summary = wizard.currentPage()
    press(wizard, COMMIT)
    qtbot.waitUntil(lambda: not summary.save_runner.busy, timeout=10000)


def wait_until_checks_end(qtbot: QtBot, timeout: int = 5000) -> None:
    """Until every task has ended, the clean-up of cancelled checks included (a router
    check still removes its test forwarding after its page is left)."""
    qtbot.waitUntil(lambda: not [t for t in asyncio.all_tasks() if not t.done()],
                    timeout=timeout)


def problem_texts(wizard: SetupWizard) -> list[str]:
    return [row.problem.text.text() for row in wizard.currentPage().findChildren(FieldRow)
            if row.problem.isVisibleTo(wizard)]


def endpoint(server: DnsServer) -> Endpoint:
    return Endpoint(server.host, server.port)


def lab_environment(lab: DnsLab, records_path: Path, **options: object) -> CheckEnvironment:
    """Live checks that go to the lab: DNS to its servers, the rest as given; the router
    checks search no interface and ask no gateway unless `router` says otherwise."""
    async def system() -> list[Endpoint]:
        return [endpoint(lab.good)]

    environment = DnsEnvironment(
        system_resolvers=system,
        open_cobalt_default=(lab.hijacking.endpoint,),
        public=(("Lab public", (lab.slow.endpoint, lab.dead.endpoint)),),
        nx_parent=HIJACK_DOMAIN, deadline=1.5, query_timeout=0.3, discovery_timeout=1.0,
    )
    no_router = RouterEnvironment(stun_servers=(), interfaces=(), gateway="",
                                  records_path=records_path)
    options = {"timeout": 1.0, "crqt_host": "127.0.0.1", "crqt_port": closed_port(),
               "crqt_duration": 0.5, "router": no_router, **options}
    return CheckEnvironment(dns=environment, **options)  # type: ignore[arg-type]


def lab_session(lab: DnsLab, ini_path: Path, cobalt_dir: Path,
                version_check_url: str | None = None,
                **environment_options: object) -> SetupSession:
    """A session whose live checks go to the lab (see lab_environment)."""
    if version_check_url is None:  # a loopback port nothing listens on: a quick "refused"
        version_check_url = f"http://127.0.0.1:{closed_port()}/version"
    ini_path.parent.mkdir(parents=True, exist_ok=True)
    ini_path.write_text(
        f"[DNS]\nServers = {lab.hijacking.endpoint}\nDispatcherDomain = {DOMAIN}\n"
        f"[SpaceDirectory]\nHost = directory.{DOMAIN}\n"
        f"[Web]\nVersionCheckURL = {version_check_url}\n")
    environment = lab_environment(lab, ini_path.parent / "port-mappings.json",
                                  **environment_options)
    return SetupSession(ini_path, cobalt_dir, environment)
