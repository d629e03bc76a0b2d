"""The Router exposure page in each mode, against the IGD simulator and a real miniupnpd."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cobalt_setup.addresses import Endpoint
from cobalt_setup.gui.pages.router import RouterPage
from cobalt_setup.gui.wizard import SetupWizard
from cobalt_setup.prefs.router_conf import find_dispatcher_block
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.router.records import load_records
from cobalt_setup.router.status import RouterEnvironment
from cobalt_setup.settings import RouterMode
from lab.dns_servers import DnsLab
from lab.igd_simulator import IgdSimulator, PortMapping
from lab.router_lab import RouterLab
from wizard_driver import (
    NEXT,
    field_input,
    lab_session,
    open_wizard,
    press,
    wait_until_checks_end,
    write_settings,
)

pytestmark = pytest.mark.usefixtures("qasync_loop")
# Set COBALT_SCREENSHOTS=FOLDER to save the pages these tests open, to look at them.
SCREENSHOTS = (Path(os.environ["COBALT_SCREENSHOTS"]) if os.environ.get("COBALT_SCREENSHOTS")
               else None)

LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))
MODE = ("Router", "Mode")


def simulated(router: IgdSimulator | None, tmp_path: Path, timeout: float = 1.0
              ) -> RouterEnvironment:
    targets = (router.ssdp_address,) if router else (("127.0.0.1", 9),)
    # hairpin off: the simulator's external address is not real, nothing may go there
    return RouterEnvironment(stun_servers=(), hairpin=False, interfaces=(LOOPBACK,),
                             gateway="", ssdp_targets=targets,
                             timeout=timeout, records_path=tmp_path / "mappings.json")


def open_router_page(qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
                     env: RouterEnvironment, mode: RouterMode
                     ) -> tuple[SetupWizard, RouterPage]:
    session = lab_session(dns_lab, ini_path, cobalt_dir, router=env)
    session.form.set_text(MODE, mode.value)
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    wizard.setStartId(wizard.page_ids[RouterPage])
    wizard.restart()
    page = wizard.currentPage()
    assert isinstance(page, RouterPage)
    wait_settled(qtbot, page)
    return wizard, page


def settled(page: RouterPage) -> bool:
    return (page.report is not None and not page.runner.busy
            and not page.action_runner.busy and not page.runner._debounce.isActive())


def wait_settled(qtbot: QtBot, page: RouterPage, timeout: int = 8000) -> None:
    qtbot.waitUntil(lambda: settled(page), timeout=timeout)


def written_block(qtbot: QtBot, wizard: SetupWizard, cobalt_dir: Path):
    press(wizard, NEXT)
    write_settings(qtbot, wizard)
    assert wizard.currentPage().title() == "Settings written"
    return find_dispatcher_block((cobalt_dir / "config" / "cobalt-router.conf").read_text())


def test_automatic_mode_proves_the_router_and_writes_the_upnp_dispatcher(
        qtbot: QtBot, dns_lab: DnsLab, igd_simulator: Callable[..., IgdSimulator],
        ini_path: Path, cobalt_dir: Path, tmp_path: Path) -> None:
    router = igd_simulator(friendly_name="Kitchen router")
    wizard, page = open_router_page(qtbot, dns_lab, ini_path, cobalt_dir,
                                    simulated(router, tmp_path), RouterMode.UPNP)
    texts = page.results.texts()
    assert any("Kitchen router" in t and t.startswith("OK:") for t in texts)
    assert any("81.2.69.1" in t for t in texts)
    assert texts[-1].startswith("OK:") and "Open Cobalt can open its ports itself" in texts[-1]
    assert [c.action for c in router.calls].count("AddPortMapping") == 1
    assert router.mappings == []  # the test forwarding is gone
    assert not page.actions.isVisible()  # nothing to do in this mode
    block = written_block(qtbot, wizard, cobalt_dir)
    assert block.mode is RouterMode.UPNP


def test_lan_only_touches_nothing_on_the_router_and_writes_lan_only(
        qtbot: QtBot, dns_lab: DnsLab, igd_simulator: Callable[..., IgdSimulator],
        ini_path: Path, cobalt_dir: Path, tmp_path: Path) -> None:
    router = igd_simulator(external_address="100.64.1.2")
    wizard, page = open_router_page(qtbot, dns_lab, ini_path, cobalt_dir,
                                    simulated(router, tmp_path), RouterMode.LAN_ONLY)
    texts = page.results.texts()
    assert any(t.startswith("Warning:") and "carrier-grade NAT" in t for t in texts), texts
    assert not [c for c in router.calls if c.action in ("AddPortMapping", "DeletePortMapping")]
    block = written_block(qtbot, wizard, cobalt_dir)
    assert block.mode is RouterMode.LAN_ONLY


def test_a_taken_port_offers_another_range_and_forwarding_uses_it(
        qtbot: QtBot, dns_lab: DnsLab, igd_simulator: Callable[..., IgdSimulator],
        ini_path: Path, cobalt_dir: Path, tmp_path: Path) -> None:
    nas = PortMapping(6903, "TCP", "192.168.1.40", 6903, "NAS")
    router = igd_simulator(existing=[nas])
    wizard, page = open_router_page(qtbot, dns_lab, ini_path, cobalt_dir,
                                    simulated(router, tmp_path), RouterMode.MANUAL)
    problem = next(t for t in page.results.texts() if t.startswith("Problem:"))
    assert "Port 6903 is already forwarded to 192.168.1.40 (description 'NAS')" in problem
    assert "6910-6919" in problem
    assert not page.forward_button.isEnabled()
    assert page.use_offer_button.isVisible()
    assert "on TCP ports 6900-6909." in page.subTitle()
    page.use_offer_button.click()
    assert field_input(wizard, "Router", "Ports").text() == "6910-6919"
    assert field_input(wizard, "Router", "DispatcherPort").text() == "6910"
    assert "on TCP ports 6910-6919." in page.subTitle()  # the page speaks of the new ports
    wait_settled(qtbot, page)
    assert not any(t.startswith("Problem:") for t in page.results.texts())
    assert page.forward_button.isEnabled()
    page.forward_button.click()
    wait_settled(qtbot, page)
    assert page.action_results.texts()[0].startswith("OK: TCP 6910-6919 forwarded")
    assert nas in router.mappings
    assert sorted(m.external_port for m in router.mappings if m.internal_client == "127.0.0.1"
                  ) == list(range(6910, 6920))
    block = written_block(qtbot, wizard, cobalt_dir)
    assert (block.mode, block.dispatcher_port, block.local_address) == (
        RouterMode.MANUAL, 6910, "127.0.0.1")


def test_manual_mode_without_a_drivable_router_shows_the_steps_by_hand(
        qtbot: QtBot, dns_lab: DnsLab, ini_path: Path, cobalt_dir: Path,
        tmp_path: Path) -> None:
    _wizard, page = open_router_page(qtbot, dns_lab, ini_path, cobalt_dir,
                                     simulated(None, tmp_path, timeout=0.5),
                                     RouterMode.MANUAL)
    assert any("No UPnP, no NAT-PMP and no PCP" in t for t in page.results.texts())
    assert page.steps.isVisible() and not page.forward_button.isVisible()
    steps = page.steps.toPlainText()
    assert "protocol TCP, external ports 6900-6909" in steps and "127.0.0.1" in steps
    page.copy_steps_button.click()
    from PySide6.QtGui import QGuiApplication
    assert QGuiApplication.clipboard().text() == steps


def test_cancelling_during_the_automatic_proof_still_removes_the_test_forwarding(
        qtbot: QtBot, dns_lab: DnsLab, igd_simulator: Callable[..., IgdSimulator],
        ini_path: Path, cobalt_dir: Path, tmp_path: Path) -> None:
    router = igd_simulator(soap_delay_s=0.4)
    session = lab_session(dns_lab, ini_path, cobalt_dir,
                          router=simulated(router, tmp_path, timeout=2.0))
    wizard = open_wizard(qtbot, ini_path, cobalt_dir, session)
    wizard.setStartId(wizard.page_ids[RouterPage])
    wizard.restart()
    qtbot.waitUntil(lambda: any(c.action == "AddPortMapping" for c in router.calls),
                    timeout=8000)
    wizard.reject()  # Cancel while the router is still answering the test forwarding
    qtbot.waitUntil(lambda: any(c.action == "DeletePortMapping" for c in router.calls),
                    timeout=8000)
    qtbot.waitUntil(lambda: router.mappings == [], timeout=5000)


@pytest.mark.lab
def test_manual_mode_forwards_on_a_real_router_and_undo_removes_them(
        qtbot: QtBot, dns_lab: DnsLab, router_lab: RouterLab, ini_path: Path,
        cobalt_dir: Path, tmp_path: Path) -> None:
    # the lab's real network
    env = RouterEnvironment(stun_servers=(), records_path=tmp_path / "mappings.json")
    with router_lab.inside(router_lab.lan):
        wizard, page = open_router_page(qtbot, dns_lab, ini_path, cobalt_dir, env,
                                        RouterMode.MANUAL)
        assert any(router_lab.external_address in t for t in page.results.texts())
        page.forward_button.click()
        wait_settled(qtbot, page)
        assert page.action_results.texts()[0].startswith("OK: TCP 6900-6909 forwarded")
        assert field_input(wizard, "Router", "LocalAddress").text() == router_lab.lan_address
        listed = router_lab.upnpc_mappings()
        assert page.undo_button.isVisible()
        assert "10" in page.undo_button.text()
        page.undo_button.click()
        wait_settled(qtbot, page)
        assert "Removed the forwarding of TCP 6900-6909" in page.action_results.texts()[0]
        # The Summary checks the router too: with the lab's network, not this machine's,
        # until those checks (cancelled on Done) have ended.
        block = written_block(qtbot, wizard, cobalt_dir)
        wait_until_checks_end(qtbot)
    assert sorted(m.external_port for m in listed) == list(range(6900, 6910))
    assert router_lab.upnpc_mappings() == []
    assert load_records(env.records()) == []
    assert (block.mode, block.local_address) == (RouterMode.MANUAL, router_lab.lan_address)


@pytest.mark.lab
@pytest.mark.parametrize("outer_nat", [None, "cone"], ids=["at the edge", "second NAT"])
def test_the_page_says_whether_the_router_is_the_edge_as_stun_proves_it(
        qtbot: QtBot, dns_lab: DnsLab, make_router_lab: Callable[..., RouterLab],
        ini_path: Path, cobalt_dir: Path, tmp_path: Path, outer_nat: str | None) -> None:
    lab = make_router_lab(stun="coturn", outer_nat=outer_nat)
    assert lab.stun is not None
    stun = tuple(Endpoint(address, lab.stun.port) for address in lab.stun.addresses)
    env = RouterEnvironment(stun_servers=stun, records_path=tmp_path / "mappings.json")
    with lab.inside(lab.lan):
        wizard, page = open_router_page(qtbot, dns_lab, ini_path, cobalt_dir, env,
                                        RouterMode.MANUAL)
        texts = page.results.texts()
        (answer,) = page.answers.texts()
        if SCREENSHOTS:
            wizard.grab().save(str(SCREENSHOTS / f"router-{outer_nat or 'edge'}.png"))
        wizard.close()
    edge = next(t for t in texts if "The Internet sees this computer as" in t)
    if outer_nat is None:
        assert edge.startswith("OK:") and "the router is the edge" in edge
        # Manual forwarding, nothing forwarded yet: the answer says what to do
        assert answer.startswith("Warning: Not yet: friends outside your network"), answer
        assert "Forward the TeaTime ports" in answer
    else:
        assert edge.startswith("Warning:") and "another NAT is in front of the router" in edge
        assert "81.2.70.1" in edge and "81.2.69.1" in edge
        assert answer.startswith("Problem: No, friends outside your network cannot reach"), \
            answer
        assert "another NAT is in front of the router" in answer and "bridge" in answer
