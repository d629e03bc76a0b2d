"""The DNS page against the lab's real DNS servers: live rows, a recommendation, a choice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from cobalt_setup.gui.pages.dns import COLUMNS, DnsPage
from cobalt_setup.prefs.general_ini import read_general_ini
from cobalt_setup.session import SetupSession
from lab.dns_servers import DOMAIN, DnsLab
from wizard_driver import (
    NEXT,
    field_input,
    lab_session,
    open_wizard,
    press,
    problem_texts,
    retype,
    write_settings,
)

pytestmark = pytest.mark.usefixtures("qasync_loop")
VERDICT = len(COLUMNS) - 1


def open_dns_page(qtbot: QtBot, session: SetupSession) -> tuple[QWizard, DnsPage]:
    wizard = open_wizard(qtbot, session.ini_path, session.cobalt_dir, session)
    press(wizard, NEXT)
    page = wizard.currentPage()
    assert isinstance(page, DnsPage)
    return wizard, page


def verdicts(page: DnsPage) -> dict[str, str]:
    table = page.table
    return {table.item(row, 0).text(): table.item(row, VERDICT).text()
            for row in range(table.rowCount())}


def test_rows_fill_in_and_the_recommendation_is_written(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: page.table.rowCount() == 4, timeout=1000)
    assert page.runner.busy, "rows appear while the checks still run"
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=3000)
    assert verdicts(page) == {
        dns_lab.good.endpoint: "recommended",
        dns_lab.hijacking.endpoint: "hijacks NXDOMAIN",
        dns_lab.slow.endpoint: "slow",
        dns_lab.dead.endpoint: "dead",
    }
    assert page.table.item(0, 0).text() == dns_lab.good.endpoint, "best first"
    assert "Your system resolver" in page.recommendation.text.text()
    assert "Found 2 dispatchers in cobalt.test" in page.discovery.text.text()
    assert f"Space Directory (LDAP): directory.{DOMAIN}:1389" in page.discovery_details.text()
    assert page.use_recommended.isEnabled()

    page.use_recommended.click()
    assert field_input(wizard, "DNS", "Servers").text() == ""
    assert "This is what you have chosen" in page.recommendation.text.text()
    for _ in range(4):
        press(wizard, NEXT)
    write_settings(qtbot, wizard)
    assert read_general_ini(ini_path).texts[("DNS", "Servers")] == ""


def test_selected_resolvers_are_chosen(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: not page.runner.busy and page.table.rowCount() == 4, timeout=3000)
    row = next(r for r in range(4) if page.table.item(r, 0).text() == dns_lab.slow.endpoint)
    page.table.selectRow(row)
    assert "ms per answer" in page.reason.text(), "the reason of the selected row shows"
    page.use_selected.click()
    assert field_input(wizard, "DNS", "Servers").text() == dns_lab.slow.endpoint


def test_next_stops_the_checks_of_the_page_left_and_nothing_late_reaches_it(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=1000)
    assert page.runner.busy and not page.runner.pending
    cells = [page.table.item(row, VERDICT).text() for row in range(page.table.rowCount())]
    press(wizard, NEXT)
    assert not page.runner.busy
    qtbot.waitUntil(lambda: not [t for t in asyncio.all_tasks() if not t.done()],
                    timeout=1000)
    assert [page.table.item(row, VERDICT).text()
            for row in range(page.table.rowCount())] == cells  # nothing arrived later
    assert "checking" in cells
    assert page.session.dns_checks is None


def test_back_stops_the_checks_at_once(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=1000)
    assert page.runner.busy
    wizard.back()
    assert not page.runner.busy
    qtbot.wait(50)
    running = [t for t in asyncio.all_tasks() if not t.done()]
    assert running == []


def test_editing_a_field_reruns_the_checks_after_a_pause(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=3000)
    retype(qtbot, field_input(wizard, "DNS", "Servers"), dns_lab.split.endpoint)
    assert not page.runner.busy, "no probe per keystroke"
    qtbot.waitUntil(lambda: page.table.rowCount() == 5 and not page.runner.busy, timeout=4000)
    assert verdicts(page)[dns_lab.split.endpoint] == "cannot find the dispatcher"


@pytest.mark.parametrize(("key", "text", "words"), [
    ("Servers", "8.8.8.8:99999", "65535"),
    ("Servers", "::1::", "not an IPv4 or IPv6 address"),
    ("DispatcherDomain", "x" * 300, "at most"),
])
def test_bad_input_shows_a_message_and_sends_nothing(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
    key: str, text: str, words: str,
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=3000)
    retype(qtbot, field_input(wizard, "DNS", key), text)
    qtbot.wait(600)  # longer than the debounce pause
    assert not page.runner.busy
    assert words in problem_texts(wizard)[0]
    assert "Correct the fields above" in page.probes.status.text.text()
    assert not wizard.button(NEXT).isEnabled()


def test_an_empty_domain_explains_how_to_find_a_dispatcher(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    retype(qtbot, field_input(wizard, "DNS", "DispatcherDomain"), "")
    qtbot.waitUntil(lambda: not page.runner.busy and page.discovery_box.isVisible()
                    and "Enter your organisation" in page.discovery.text.text(), timeout=4000)


def test_directory_and_chat_found_in_dns_are_offered_on_the_next_page(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard, page = open_dns_page(qtbot, lab_session(dns_lab, ini_path, cobalt_dir))
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=3000)
    press(wizard, NEXT)
    directory = wizard.currentPage()
    assert not directory.ldap_offer.isVisibleTo(wizard), "already the directory in use"
    assert directory.chat_offer.isVisibleTo(wizard)
    directory.chat_offer.button.click()
    assert field_input(wizard, "Chat", "Server").text() == f"chat.{DOMAIN}"
    assert field_input(wizard, "Chat", "Port").text() == "5222"
    assert not directory.chat_offer.isVisibleTo(wizard)

    retype(qtbot, field_input(wizard, "SpaceDirectory", "Port"), "10389")
    wizard.back()
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=3000)
    press(wizard, NEXT)
    assert f"publishes a Space Directory at directory.{DOMAIN}:1389" in (
        directory.ldap_offer.status.text.text())
    directory.ldap_offer.button.click()
    assert field_input(wizard, "SpaceDirectory", "Port").text() == "1389"
