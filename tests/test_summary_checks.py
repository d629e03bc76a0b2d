"""The Summary page's live checks: version check, TeaTime, spaces heard on the LAN."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.preference_files import read_settings_for_diagnosis
from cobalt_setup.diagnosis_command import run_diagnose
from cobalt_setup.gui.pages.summary import SummaryPage
from cobalt_setup.report import SCHEMA
from lab.dns_servers import DnsLab
from lab.sockets import Peer, closed_port
from lab.xmpp_servers import ProsodyServer
from wizard_driver import (
    NEXT,
    endpoint,
    field_input,
    lab_session,
    open_wizard,
    press,
    retype,
)

pytestmark = pytest.mark.usefixtures("qasync_loop")
# COBALT_SCREENSHOTS=FOLDER saves the pages these tests open, to look at them.
SCREENSHOTS = (Path(os.environ["COBALT_SCREENSHOTS"]) if os.environ.get("COBALT_SCREENSHOTS")
               else None)


def crqt_packet(port: int, island: str, name: str) -> bytes:
    return b"CRQT" + port.to_bytes(2, "big") + island.encode() + name.encode()


def _go_to_summary(qtbot: QtBot, wizard: object) -> SummaryPage:
    """Next through the pages (the DNS page's checks first), to the Summary."""
    press(wizard, NEXT)
    dns_page = wizard.currentPage()
    qtbot.waitUntil(lambda: not dns_page.runner.busy, timeout=3000)
    for _ in range(4):
        press(wizard, NEXT)
    summary = wizard.currentPage()
    assert isinstance(summary, SummaryPage)
    return summary


def test_summary_shows_each_check_as_it_arrives(
    qtbot: QtBot, dns_lab: DnsLab, http_server: Peer,
    ini_path: Path, cobalt_dir: Path,
) -> None:
    crqt_port = closed_port()
    session = lab_session(dns_lab, ini_path, cobalt_dir,
                          version_check_url=f"http://{http_server.endpoint}/version",
                          crqt_port=crqt_port, crqt_duration=1.0)
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    summary = _go_to_summary(qtbot, wizard)
    assert summary.runner.busy
    qtbot.waitUntil(lambda: any("version check" in t for t in summary.results.texts()),
                    timeout=1000)
    assert summary.runner.busy, "the web result shows while the LAN listen goes on"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(crqt_packet(6900, "0123456789abcdef0123456789abcdef", "Lab Island"),
                      ("127.0.0.1", crqt_port))
    qtbot.waitUntil(lambda: not summary.runner.busy, timeout=3000)
    texts = summary.results.texts()
    assert any(t.startswith("OK:") and "answers the version check (HTTP 200" in t
               for t in texts), texts
    assert any("Heard 1 space: Lab Island" in t for t in texts), texts
    assert any("TeaTime" in t for t in texts), texts
    headings = [heading.accessibleName() for heading in summary.results.headings]
    assert headings[:2] == ["DNS", "HTTP"]  # grouped by service, catalogue order
    assert "LAN discovery (CRQT)" in headings
    assert session.diagnosis is not None
    assert [c.summary for c in session.diagnosis.checks] == [
        line.split(" Fix: ")[0].split(": ", 1)[1] for line in texts]
    assert any(t.startswith("Note:") and "No chat server is set" in t for t in texts), texts


def test_summary_checks_the_chat_server_open_cobalt_will_reach(
    qtbot: QtBot, dns_lab: DnsLab, prosody: ProsodyServer, ini_path: Path, cobalt_dir: Path,
) -> None:
    session = lab_session(dns_lab, ini_path, cobalt_dir)
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    press(wizard, NEXT)
    dns_page = wizard.currentPage()
    qtbot.waitUntil(lambda: not dns_page.runner.busy, timeout=3000)
    press(wizard, NEXT)
    retype(qtbot, field_input(wizard, "Chat", "Server"), prosody.domain)
    retype(qtbot, field_input(wizard, "Chat", "Port"), str(prosody.port))
    for _ in range(3):
        press(wizard, NEXT)
    summary = wizard.currentPage()
    qtbot.waitUntil(lambda: not summary.runner.busy, timeout=5000)
    chat = [t for t in summary.results.texts() if prosody.domain in t]
    assert any(t.startswith("OK:") and "resolves to 127.0.0.1" in t for t in chat), chat
    assert any(t.startswith("OK:") and "offers STARTTLS" in t for t in chat), chat


def test_summary_shows_what_diagnose_reports_and_copies_and_saves_it(
    qtbot: QtBot, dns_lab: DnsLab, http_server: Peer, ini_path: Path, cobalt_dir: Path,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    session = lab_session(dns_lab, ini_path, cobalt_dir,
                          version_check_url=f"http://{http_server.endpoint}/version")
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    wizard.setStartId(wizard.page_ids[SummaryPage])
    wizard.restart()
    summary = wizard.currentPage()
    assert not summary.copy_report_button.isEnabled()  # nothing to copy yet
    qtbot.waitUntil(lambda: not summary.runner.busy, timeout=8000)
    shown = [(c.id, c.status.value) for c in session.diagnosis.checks]

    args = argparse.Namespace(timeout=1.0, only=None, json=True, markdown=False)
    assert session.checks is not None
    read = read_settings_for_diagnosis(ini_path, cobalt_dir)
    with ThreadPoolExecutor(1) as other_thread:  # the command line runs its own event loop
        other_thread.submit(run_diagnose, args, read, session.checks).result()
    reported = [(c["id"], c["status"]) for c in json.loads(capsys.readouterr().out)["checks"]]
    # The command line first says what it found in the files it read; the wizard checks
    # what the pages hold, so its Summary has no such findings.
    assert [check_id for check_id, _status in reported[:2]] == [
        "settings.ini", "settings.router_conf"]
    reported = [(check_id, status) for check_id, status in reported
                if not check_id.startswith("settings.")]
    assert shown == reported
    assert len(summary.results.texts()) == len(reported)

    rules = summary.firewall.toPlainText()  # shown for these settings, never applied
    # This computer's firewall (Linux here) first; the others one click away.
    assert "6900:6909/tcp" in rules and "netsh advfirewall" not in rules
    summary.other_systems_button.click()
    every = summary.firewall.toPlainText()
    assert "netsh advfirewall firewall add rule" in every
    assert every.index("Linux with ufw") < every.index("Windows (Windows Defender Firewall)")

    summary.copy_report_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("# Open Cobalt network diagnosis")
    assert "## HTTP" in copied
    saved = tmp_path / "report.json"
    summary.save_report_to(str(saved))
    jsonschema.validate(json.loads(saved.read_text()), SCHEMA)
    assert f"Report saved to {saved}" in summary.report_status.text.text()
    summary.save_report_to(str(tmp_path / "no such folder" / "report.md"))
    assert "could not be saved" in summary.report_status.text.text()


def _summary_after_checks(qtbot: QtBot, wizard: object) -> SummaryPage:
    summary = _go_to_summary(qtbot, wizard)
    qtbot.waitUntil(lambda: not summary.runner.busy, timeout=8000)
    return summary


def test_summary_opens_with_four_answers_and_the_checks_one_click_away(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
) -> None:
    session = lab_session(dns_lab, ini_path, cobalt_dir)
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    summary = _summary_after_checks(qtbot, wizard)
    answers = summary.answers.texts()
    if SCREENSHOTS:
        wizard.grab().save(str(SCREENSHOTS / "summary-answers.png"))
    assert len(answers) == 4, answers
    assert answers[0].startswith("Problem: No, you cannot find or join public spaces yet.")
    assert answers[1].startswith("Note: Chat is not set up")
    assert answers[2].startswith("Note: Shared applications are not set up")
    assert answers[3].startswith("Problem: No, friends outside your network cannot reach")
    assert not summary.results.isVisibleTo(summary)  # the details: one click away
    summary.details_button.click()
    assert summary.results.isVisibleTo(summary)
    assert len(summary.results.texts()) > 4


def test_with_no_network_the_summary_says_that_once(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
) -> None:
    session = lab_session(dns_lab, ini_path, cobalt_dir)
    dead = [endpoint(dns_lab.dead)]

    async def system() -> list[Endpoint]:
        return dead

    session.checks = dataclasses.replace(session.checks, dns=dataclasses.replace(
        session.checks.dns, system_resolvers=system,
        open_cobalt_default=(dns_lab.dead.endpoint,), public=()))
    session.form.set_text(("DNS", "Servers"), dns_lab.dead.endpoint)
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    summary = _summary_after_checks(qtbot, wizard)
    if SCREENSHOTS:
        wizard.grab().save(str(SCREENSHOTS / "summary-no-network.png"))
    header = summary.probes.status.accessibleName()
    assert "This computer has no network connection" in header, header
    assert "checks found a problem" not in header
    failed = [t for t in summary.answers.texts() if t.startswith("Problem:")]
    assert failed and all("Because: This computer has no network connection" in t
                          for t in failed), failed
