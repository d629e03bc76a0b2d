"""The Space Directory and Xrfb / VNC pages, live, against real slapd, Xvnc and HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lab.dns_servers import DOMAIN, DnsLab
from lab.ldap_servers import PUBLISHED_SPACES, SlapdServer
from lab.sockets import Peer, closed_port
from lab.vnc_servers import VncRange
from wizard_driver import NEXT, field_input, lab_session, open_wizard, press, retype

pytestmark = pytest.mark.usefixtures("qasync_loop")


def go_to(qtbot: QtBot, wizard, pages: int):
    press(wizard, NEXT)
    dns_page = wizard.currentPage()
    qtbot.waitUntil(lambda: not dns_page.runner.busy, timeout=3000)
    for _ in range(pages - 1):
        press(wizard, NEXT)
    return wizard.currentPage()


def settled(page) -> bool:
    return not page.runner.busy and not page.runner._debounce.isActive()


def test_directory_page_tells_an_open_cobalt_directory_from_plain_ldap(
    qtbot: QtBot, dns_lab: DnsLab, cobalt_slapd: SlapdServer, plain_slapd: SlapdServer,
    ini_path: Path, cobalt_dir: Path,
) -> None:
    wizard = open_wizard(qtbot, ini_path, cobalt_dir,
                         lab_session(dns_lab, ini_path, cobalt_dir))
    page = go_to(qtbot, wizard, 2)
    retype(qtbot, field_input(wizard, "SpaceDirectory", "Port"), str(cobalt_slapd.port))
    qtbot.waitUntil(lambda: settled(page) and len(page.results.texts()) == 2, timeout=5000)
    resolution, ldap = page.results.texts()
    assert resolution.startswith("OK:") and f"directory.{DOMAIN} resolves to 127.0.0.1" in (
        resolution)
    assert ldap.startswith("OK:") and f"{PUBLISHED_SPACES} spaces published" in ldap
    assert "All 2 checks passed" in page.probes.status.text.text()

    retype(qtbot, field_input(wizard, "SpaceDirectory", "Port"), str(plain_slapd.port))
    qtbot.waitUntil(lambda: settled(page) and "not an Open Cobalt Space Directory" in
                    " ".join(page.results.texts()), timeout=5000)
    assert page.results.texts()[1].startswith("Warning:")
    assert "Fix:" in page.results.texts()[1]
    assert "1 of 2 checks found a problem." in page.probes.status.text.text()
    assert page.probes.status.kind == "warning", "only a warning was found"
    assert wizard.button(NEXT).isEnabled(), "a problem found is no reason to block the user"

    retype(qtbot, field_input(wizard, "SpaceDirectory", "Port"), str(closed_port()))
    qtbot.waitUntil(lambda: settled(page) and "refused" in " ".join(page.results.texts()),
                    timeout=5000)
    assert page.probes.status.kind == "error", "a failed check heads the page as a problem"
    assert page.probes.status.word_label.text() == "Problem:"
    assert page.probes.status.text.text().startswith("1 of 2 checks")


def test_directory_page_explains_a_name_open_cobalt_cannot_resolve(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
) -> None:
    wizard = open_wizard(qtbot, ini_path, cobalt_dir,
                         lab_session(dns_lab, ini_path, cobalt_dir))
    page = go_to(qtbot, wizard, 2)
    retype(qtbot, field_input(wizard, "SpaceDirectory", "Host"), f"gone.{DOMAIN}")
    qtbot.waitUntil(lambda: settled(page) and bool(page.results.texts()), timeout=5000)
    (only,) = page.results.texts()
    assert only.startswith("Problem:") and "does not exist in DNS" in only


def test_xrfb_page_checks_the_control_port_the_vnc_range_and_local_ports(
    qtbot: QtBot, dns_lab: DnsLab, xvnc_range: VncRange, http_server: Peer,
    ini_path: Path, cobalt_dir: Path,
) -> None:
    wizard = open_wizard(qtbot, ini_path, cobalt_dir,
                         lab_session(dns_lab, ini_path, cobalt_dir))
    page = go_to(qtbot, wizard, 3)
    assert "5910-5999" in " ".join(label.text() for label in page.findChildren(type(
        page.probes.status.text)))
    retype(qtbot, field_input(wizard, "Xrfb", "VncPorts"),
           f"{xvnc_range.first}-{xvnc_range.last}")
    retype(qtbot, field_input(wizard, "Xrfb", "ServerPortNumber"), str(http_server.port))
    retype(qtbot, field_input(wizard, "Xrfb", "ServerHostAddress"), "127.0.0.1")
    qtbot.waitUntil(lambda: settled(page) and len(page.results.texts()) == 4, timeout=6000)
    resolution, control, vnc, hosting = page.results.texts()
    assert resolution.startswith("OK:")
    assert control.startswith("OK:") and "answers in HTTP" in control
    assert vnc.startswith("OK:")
    assert vnc.count("VNC server on") == len(xvnc_range.servers)
    others = xvnc_range.last - xvnc_range.first + 1 - len(xvnc_range.servers)
    assert f"Nothing listens on the {others} other ports." in vnc
    # This Xvnc is the server configured on the page, on this computer: its ports are its.
    assert hosting.startswith("OK:") and "held by the Xrfb/VNC server you configured" in (
        hosting) and "(Xvnc, PIDs " in hosting


def test_a_broken_value_on_a_later_page_makes_checks_wait_instead_of_failing(
    qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
) -> None:
    session = lab_session(dns_lab, ini_path, cobalt_dir)
    session.form.set_text(("Router", "Ports"), "6909-6900")  # as a hand-edited file may say
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    press(wizard, NEXT)
    dns_page = wizard.currentPage()
    assert "Checks wait until every setting is valid" in dns_page.probes.status.text.text()
    assert "TeaTime ports: the range 6909-6900 runs backwards" in (
        dns_page.probes.status.text.text())
    assert not dns_page.runner.busy
    press(wizard, NEXT)
    assert "Checks wait" in wizard.currentPage().probes.status.text.text()
