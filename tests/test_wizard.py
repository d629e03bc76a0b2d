"""The wizard as a user drives it: type, press Next, read the Summary, write or cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from cobalt_setup.gui.pages.summary import SummaryPage
from cobalt_setup.prefs.general_ini import read_general_ini
from cobalt_setup.prefs.router_conf import find_dispatcher_block, render_router_conf
from cobalt_setup.settings import RouterMode, Settings
from lab.dns_servers import DOMAIN, DnsLab
from lab.save_runs import STRACE, STRACE_MISSING, Setup, under_strace
from lab.sockets import closed_port
from wizard_driver import (
    FINISH,
    NEXT,
    field_input,
    lab_session,
    open_wizard,
    press,
    problem_texts,
    retype,
    write_settings,
)


@pytest.mark.usefixtures("qasync_loop")  # the save runs off the GUI thread
def test_walk_from_welcome_to_finish_writes_both_files(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path
) -> None:
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    assert "First setup" in wizard.currentPage().settings_status.text.text()
    press(wizard, NEXT)

    assert wizard.currentPage().title() == "Name resolution (DNS)"
    retype(qtbot, field_input(wizard, "DNS", "Servers"), "127.0.0.1:5300, [::1]:5300")
    press(wizard, NEXT)

    retype(qtbot, field_input(wizard, "SpaceDirectory", "Host"), "directory.cobalt.test")
    retype(qtbot, field_input(wizard, "Chat", "Server"), "chat.cobalt.test")
    press(wizard, NEXT)

    retype(qtbot, field_input(wizard, "Xrfb", "ServerHostAddress"), "apps.cobalt.test")
    press(wizard, NEXT)

    page = wizard.currentPage()
    page.mode_buttons[RouterMode.MANUAL].click()
    retype(qtbot, field_input(wizard, "Router", "LocalAddress"), "192.168.1.20")
    retype(qtbot, field_input(wizard, "Router", "DispatcherPort"), "6903")
    press(wizard, NEXT)

    summary = wizard.currentPage()
    assert isinstance(summary, SummaryPage)
    shown = summary.changes.toPlainText()
    for expected in ("127.0.0.1:5300, [::1]:5300", "directory.cobalt.test", "manual",
                     "192.168.1.20", "6903", str(ini_path), "cobalt-router.conf"):
        assert expected in shown
    assert not ini_path.exists(), "nothing may be written before the user says so"
    write_settings(qtbot, wizard)

    assert wizard.currentPage().title() == "Settings written"
    assert str(ini_path) in wizard.currentPage().report.text()
    press(wizard, FINISH)
    assert wizard.result() == QWizard.DialogCode.Accepted

    written = read_general_ini(ini_path)
    assert written.texts[("DNS", "Servers")] == "127.0.0.1:5300, [::1]:5300"
    assert written.texts[("SpaceDirectory", "Host")] == "directory.cobalt.test"
    assert written.texts[("Chat", "Server")] == "chat.cobalt.test"
    assert written.texts[("Xrfb", "ServerHostAddress")] == "apps.cobalt.test"
    assert ("Router", "Mode") not in written.texts, "the router settings live in the conf"
    block = find_dispatcher_block((cobalt_dir / "config" / "cobalt-router.conf").read_text())
    assert (block.mode, block.local_address, block.dispatcher_port) == (
        RouterMode.MANUAL, "192.168.1.20", 6903)


@pytest.mark.parametrize("how", ["cancel button", "escape key", "window closed"])
def test_leaving_without_finishing_writes_nothing(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path, how: str
) -> None:
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    for _ in range(5):
        press(wizard, NEXT)
    assert isinstance(wizard.currentPage(), SummaryPage)
    if how == "cancel button":
        wizard.button(QWizard.WizardButton.CancelButton).click()
    elif how == "escape key":
        qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    else:
        wizard.close()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert not wizard.isVisible()
    assert not ini_path.exists()
    assert sorted(p.name for p in (cobalt_dir / "config").iterdir()) == []


@pytest.mark.usefixtures("qasync_loop")  # the save runs off the GUI thread
def test_rerun_starts_from_the_existing_files_and_shows_old_and_new(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path
) -> None:
    ini_path.parent.mkdir(parents=True)
    # An INI of an older version still states the router mode; cobalt-router.conf, which
    # Open Cobalt reads, says otherwise, and wins.
    ini_path.write_text("# mine\n[SpaceDirectory]\nHost = old.cobalt.test\nPort = 10389\n"
                        "[Router]\nMode = upnp\n")
    (cobalt_dir / "config" / "cobalt-router.conf").write_text(render_router_conf(
        None, Settings.from_texts({("Router", "Mode"): "lan-only"}).router))
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    assert ("The INI says [Router] Mode = upnp, cobalt-router.conf says lan-only; Open "
            "Cobalt uses the latter.") in wizard.currentPage().agreement_status.text.text()
    assert "re-run" in wizard.currentPage().settings_status.text.text()
    press(wizard, NEXT)
    press(wizard, NEXT)
    assert field_input(wizard, "SpaceDirectory", "Host").text() == "old.cobalt.test"
    assert field_input(wizard, "SpaceDirectory", "Port").text() == "10389"
    retype(qtbot, field_input(wizard, "SpaceDirectory", "Host"), "new.cobalt.test")
    press(wizard, NEXT)
    press(wizard, NEXT)
    assert wizard.currentPage().mode_buttons[RouterMode.LAN_ONLY].isChecked()
    press(wizard, NEXT)
    shown = wizard.currentPage().changes.toPlainText()
    assert "old.cobalt.test" in shown and "new.cobalt.test" in shown
    assert "10389" not in shown, "unchanged values are not listed as changes"
    assert "upnp" in shown and "(removed: cobalt-router.conf has it)" in shown
    write_settings(qtbot, wizard)
    text = ini_path.read_text()
    assert text.startswith("# mine\n") and "Host = new.cobalt.test" in text
    assert "Mode" not in text
    assert (ini_path.parent / (ini_path.name + ".bak")).read_text().count("old.cobalt.test") == 1


BAD_INPUT = [
    (1, "DNS", "Servers", "8.8.8.8:99999", "65535"),
    (1, "DNS", "Servers", "::1::", "not an IPv4 or IPv6 address"),
    (1, "DNS", "DispatcherDomain", "a" * 300, "at most"),
    (2, "SpaceDirectory", "Host", "my directory host", "contains a space"),
    (2, "SpaceDirectory", "Port", "70000", "ports go from 1 to 65535"),
    (3, "Xrfb", "VncPorts", "5930-5900", "backwards"),
    (4, "Router", "DispatcherPort", "7000", "outside the TeaTime ports"),
]


@pytest.mark.parametrize(("page", "section", "key", "text", "words"), BAD_INPUT)
def test_bad_input_blocks_next_with_a_visible_message(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path,
    page: int, section: str, key: str, text: str, words: str,
) -> None:
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    for _ in range(page):
        press(wizard, NEXT)
    line_edit = field_input(wizard, section, key)
    good = line_edit.text()
    retype(qtbot, line_edit, text)
    assert not wizard.button(NEXT).isEnabled()
    problems = problem_texts(wizard)
    assert len(problems) == 1 and words in problems[0]
    retype(qtbot, line_edit, good)
    assert wizard.button(NEXT).isEnabled()
    assert problem_texts(wizard) == []


def test_without_a_folder_the_network_can_be_checked_and_writing_waits_for_it(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path, tmp_path: Path
) -> None:
    """A user before installing Open Cobalt, or a support person, can go on and check the
    network; Write settings waits for the folder, since both files are written together."""
    wizard = open_wizard(qtbot, ini_path, None)
    welcome = wizard.currentPage()
    assert wizard.button(NEXT).isEnabled()
    assert welcome.folder_status.text.text().endswith(
        "Choose the folder where Open Cobalt is installed. You can go on and check the "
        "network now; the settings can be written once the folder is chosen.")
    retype(qtbot, welcome.folder, str(tmp_path / "missing"))
    assert "does not exist" in welcome.folder_status.text.text()
    assert wizard.button(NEXT).isEnabled()
    for _ in range(5):
        press(wizard, NEXT)
    summary = wizard.currentPage()
    assert isinstance(summary, SummaryPage)
    assert "Open Cobalt reads its router settings from config/cobalt-router.conf" in (
        summary.problem.text.text())
    assert not summary.isComplete(), "nothing can be written yet"
    assert not ini_path.exists()
    wizard.restart()
    retype(qtbot, wizard.currentPage().folder, str(cobalt_dir))
    assert "Open Cobalt found" in wizard.currentPage().folder_status.text.text()
    for _ in range(5):
        press(wizard, NEXT)
    assert wizard.currentPage().isComplete()


@pytest.mark.usefixtures("qasync_loop")  # the save runs off the GUI thread
def test_a_failed_write_is_explained_and_the_wizard_stays(
    qtbot: QtBot, tmp_path: Path, cobalt_dir: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the settings folder should be")
    wizard = open_wizard(qtbot, blocker / "general-preferences.ini", cobalt_dir)
    for _ in range(5):
        press(wizard, NEXT)
    summary = wizard.currentPage()
    write_settings(qtbot, wizard)
    assert wizard.currentPage() is summary
    assert summary.problem.isVisibleTo(wizard)
    assert "Nothing was changed" in summary.problem.text.text()
    assert list((cobalt_dir / "config").iterdir()) == []


def test_an_unreadable_settings_file_is_explained_and_not_overwritten(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path
) -> None:
    ini_path.parent.mkdir(parents=True)
    ini_path.write_text("[DNS]\nthis line is not a setting\n")
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    text = wizard.currentPage().settings_status.text.text()
    assert "cannot be read" in text and "line 2" in text
    for _ in range(5):  # the network can still be checked, from the defaults
        press(wizard, NEXT)
    summary = wizard.currentPage()
    assert "line 2" in summary.problem.text.text() and not summary.isComplete()
    assert ini_path.read_text() == "[DNS]\nthis line is not a setting\n"


@pytest.mark.usefixtures("qasync_loop")
def test_check_my_current_setup_runs_the_diagnosis_and_shows_the_first_problem_page(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
) -> None:
    session = lab_session(dns_lab, ini_path, cobalt_dir)
    ini_path.write_text(  # a re-run: settings exist; the directory server is not running
        f"[DNS]\nServers = {dns_lab.good.endpoint}\n"
        f"[SpaceDirectory]\nHost = directory.{DOMAIN}\nPort = {closed_port()}\n"
        f"[Web]\nVersionCheckURL = http://127.0.0.1:{closed_port()}/version\n")
    session.choose_cobalt_dir(cobalt_dir)
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    welcome = wizard.currentPage()
    assert welcome.check_button.isVisible()
    welcome.check_button.click()
    qtbot.waitUntil(lambda: wizard.currentPage() is not welcome, timeout=8000)
    assert wizard.currentPage().title() == "Space Directory and chat", [
        (c.id, c.status.value, c.summary) for c in session.diagnosis.checks if c.service == "dns"]
    assert "checks found a problem" in welcome.check_status.text.text()
    assert session.diagnosis is not None
    failed = {c.service for c in session.diagnosis.checks if c.status.value == "failed"}
    assert "ldap" in failed and "dns" not in failed


@pytest.mark.skipif(STRACE is None, reason=STRACE_MISSING)
def test_the_wizard_first_completes_a_save_that_was_killed_and_says_so_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    lab = Setup.make(tmp_path / "saves")
    assert lab.run(lab.apply("p0")).returncode == 0
    killed = lab.run(under_strace(lab.apply("p1"), "signal=SIGKILL:when=3"))
    assert killed.returncode != 0 and lab.journal.exists()  # killed between the two files
    wizard = open_wizard(qtbot, lab.ini, lab.cobalt_dir)
    welcome = wizard.currentPage()
    assert welcome.recovery_status.isVisibleTo(wizard)
    assert welcome.recovery_status.text.text().endswith("An interrupted save was completed.")
    assert not lab.journal.exists() and lab.temps() == []
    assert b"10.0.0.11" in lab.pair()[0] and b"TManualDispatcherConfig" in lab.pair()[1]
    press(wizard, NEXT)
    assert field_input(wizard, "DNS", "Servers").text() == "10.0.0.11"  # from the saved p1
    second = open_wizard(qtbot, lab.ini, lab.cobalt_dir)
    assert not second.currentPage().recovery_status.isVisibleTo(second)


@pytest.mark.usefixtures("qasync_loop")
def test_a_save_made_elsewhere_meanwhile_is_kept_and_the_changes_are_shown_again(
    qtbot: QtBot, ini_path: Path, cobalt_dir: Path
) -> None:
    ini_path.parent.mkdir(parents=True)
    ini_path.write_text("[SpaceDirectory]\nHost = old.cobalt.test\n")
    wizard = open_wizard(qtbot, ini_path, cobalt_dir)
    press(wizard, NEXT)
    press(wizard, NEXT)
    retype(qtbot, field_input(wizard, "SpaceDirectory", "Host"), "new.cobalt.test")
    for _ in range(3):
        press(wizard, NEXT)
    summary = wizard.currentPage()
    assert isinstance(summary, SummaryPage)
    # A roll-out script writes while the user reads the Summary.
    elsewhere = ("# by the roll-out\n[SpaceDirectory]\nHost = elsewhere.cobalt.test\n"
                 "[Chat]\nServer = chat.cobalt.test\n")
    ini_path.write_text(elsewhere)
    write_settings(qtbot, wizard)
    assert wizard.currentPage() is summary
    assert "changed by another save or program" in summary.problem.text.text()
    assert ini_path.read_text() == elsewhere, "what the other save wrote is kept"
    shown = summary.changes.toPlainText()
    assert "elsewhere.cobalt.test" in shown and "new.cobalt.test" in shown
    write_settings(qtbot, wizard)  # the user has seen the changes again: now it writes
    assert wizard.currentPage().title() == "Settings written"
    text = ini_path.read_text()
    assert text.startswith("# by the roll-out\n") and "Host = new.cobalt.test" in text
    assert "Server = chat.cobalt.test" in text
