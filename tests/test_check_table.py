"""The table of checks is the wiring of every service: each catalogue service has a check,
each check names services of the catalogue and a page of the wizard, and the firewall
advice comes from the same rows."""

from __future__ import annotations

from cobalt_setup.checks.table import CHECKS, firewall_rules, page_services
from cobalt_setup.gui.wizard import PAGES
from cobalt_setup.services import BY_ID, SERVICES
from cobalt_setup.settings import Settings


def test_every_catalogue_service_is_reported_by_a_check() -> None:
    checked = {service for check in CHECKS for service in check.services}
    assert checked == set(BY_ID), "a catalogue row without a check vanishes from reports"


def test_every_check_belongs_to_a_page_of_the_wizard() -> None:
    keys = {page.key for page in PAGES if getattr(page, "key", "")}
    assert {check.page for check in CHECKS} <= keys
    assert page_services("router") == {"teatime", "ssdp", "upnp", "natpmp", "pcp", "stun"}
    assert page_services("summary") == {"http", "crqt"}


def test_the_firewall_advice_is_in_catalogue_order_whichever_check_made_a_rule() -> None:
    rules = firewall_rules(Settings.defaults())
    order = [SERVICES.index(rule.service) for rule in rules]
    assert order == sorted(order)
    assert {rule.service for rule in rules} >= {"dns", "http", "ldap", "teatime", "crqt"}
