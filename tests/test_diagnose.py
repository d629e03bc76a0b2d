"""`cobalt-setup diagnose`: every service checked against the whole lab, the report's schema,
statuses that match what the lab really is; bad usage refused before anything runs, while
files in any state are findings of the report (the network is checked all the same)."""

from __future__ import annotations

import argparse
import ipaddress
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from cobalt_setup.addresses import Endpoint
from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.checks.preference_files import read_settings_for_diagnosis
from cobalt_setup.cli import main
from cobalt_setup.diagnosis_command import run_diagnose
from cobalt_setup.probes.dns.terms import DnsEnvironment
from cobalt_setup.report import SCHEMA
from cobalt_setup.router.lan import LanInterface
from cobalt_setup.router.status import RouterEnvironment
from lab.dns_servers import DOMAIN, DnsLab
from lab.igd_simulator import IgdSimulator
from lab.ldap_servers import PUBLISHED_SPACES, SlapdServer
from lab.sockets import Peer, closed_port
from lab.vnc_servers import VncRange
from lab.xmpp_servers import ProsodyServer
from wizard_driver import lab_environment

pytestmark = pytest.mark.lab

LOOPBACK = LanInterface("lo", ipaddress.IPv4Address("127.0.0.1"),
                        ipaddress.IPv4Network("127.0.0.0/8"))


def args(*extra: str) -> argparse.Namespace:
    parsed = argparse.Namespace(timeout=1.0, only=None, json=False, markdown=False)
    for option in extra:
        name, _, value = option.partition("=")
        setattr(parsed, name, value if value else True)
    return parsed


def write_ini(path: Path, **sections: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
                            for section, keys in sections.items()))
    return path


@pytest.fixture
def whole_lab(dns_lab: DnsLab, cobalt_slapd: SlapdServer, xvnc_range: VncRange,
              prosody: ProsodyServer, http_server: Peer,
              igd_simulator: Callable[..., IgdSimulator], ini_path: Path, tmp_path: Path,
              ) -> tuple[dict[str, dict[str, str]], CheckEnvironment]:
    """Settings pointing at every lab server, and an environment that reaches only them."""
    router = igd_simulator(friendly_name="Lab gateway")
    settings = {
        "DNS": {"Servers": dns_lab.good.endpoint, "DispatcherDomain": DOMAIN},
        "SpaceDirectory": {"Host": f"directory.{DOMAIN}", "Port": str(cobalt_slapd.port)},
        "Xrfb": {"ServerHostAddress": f"apps.{DOMAIN}", "ServerPortNumber":
                 str(http_server.port), "VncPorts": f"{xvnc_range.first}-{xvnc_range.last}"},
        "Chat": {"Server": prosody.domain, "Port": str(prosody.port)},
        "Web": {"VersionCheckURL": f"http://{http_server.endpoint}/version"},
    }
    env = lab_environment(dns_lab, tmp_path / "mappings.json", router=RouterEnvironment(
        stun_servers=(), interfaces=(LOOPBACK,), gateway="127.0.0.1", natpmp_port=closed_port(),
        ssdp_targets=(router.ssdp_address,), timeout=1.0,
        records_path=tmp_path / "mappings.json"))
    return settings, env


def lab_environment_dns(server: str) -> DnsEnvironment:
    """Every resolver the checks know of is `server` (and nothing else)."""
    endpoint = Endpoint("127.0.0.1", int(server.rsplit(":", 1)[1]))

    async def system() -> list[Endpoint]:
        return [endpoint]

    return DnsEnvironment(system_resolvers=system, open_cobalt_default=(server,), public=(),
                          nx_parent="nx.cobalt.test")


def diagnose(ini_path: Path, cobalt_dir: Path | None, env: CheckEnvironment,
             capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    code = run_diagnose(args(*options), read_settings_for_diagnosis(ini_path, cobalt_dir), env)
    return code, capsys.readouterr().out


def by_id(report: dict) -> dict[str, dict]:
    return {check["id"]: check for check in report["checks"]}


def test_the_json_report_validates_and_covers_every_service(
        whole_lab: tuple[dict, CheckEnvironment], ini_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings, env = whole_lab
    write_ini(ini_path, **settings)
    code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json")
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert {check["service"] for check in report["checks"]} == {
        "settings", "dns", "http", "ldap", "xrfb", "vnc", "xmpp", "teatime", "ssdp", "upnp",
        "natpmp", "pcp", "stun", "crqt"}
    assert [check["id"] for check in report["checks"][:2]] == [
        "settings.ini", "settings.router_conf"], "the files the checks rest on come first"
    checks = by_id(report)
    assert checks["ldap.directory"]["status"] == "ok"
    assert f"{PUBLISHED_SPACES} spaces" in checks["ldap.directory"]["summary"]
    assert checks["http.version-check"]["status"] == "ok"
    assert checks["xmpp.client"]["status"] == "ok"
    assert checks["router.ssdp"]["status"] == "ok"
    assert "Lab gateway" in checks["router.ssdp"]["summary"]
    assert checks["dns.discovery"]["status"] == "ok"
    assert report["settings"]["Chat"]["Server"] == settings["Chat"]["Server"]
    assert report["tool"]["name"] == "cobalt-setup"
    assert code == (0 if all(c["status"] != "failed" for c in report["checks"]) else 1)


def test_a_stopped_directory_and_a_hijacking_resolver_are_reported_with_fixes(
        whole_lab: tuple[dict, CheckEnvironment], dns_lab: DnsLab, ini_path: Path,
        cobalt_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings, env = whole_lab
    settings["SpaceDirectory"]["Port"] = str(closed_port())  # slapd is not running there
    settings["DNS"]["Servers"] = dns_lab.hijacking.endpoint
    write_ini(ini_path, **settings)
    code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json")
    checks = by_id(json.loads(out))
    assert code == 1
    ldap = checks["ldap.directory"]
    assert ldap["status"] == "failed" and "refused" in ldap["summary"]
    assert "Start the Space Directory (LDAP) server on directory.cobalt.test" in ldap["fix"]
    resolver = checks[f"dns.resolver.{dns_lab.hijacking.endpoint}"]
    assert resolver["status"] == "failed" and "hijacks NXDOMAIN" in resolver["summary"]
    assert resolver["fix"].startswith("On the DNS page, use ")


def test_markdown_groups_the_checks_by_service_with_the_fixes(
        whole_lab: tuple[dict, CheckEnvironment], ini_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings, env = whole_lab
    settings["Web"]["VersionCheckURL"] = f"http://127.0.0.1:{closed_port()}/version"
    write_ini(ini_path, **settings)
    code, out = diagnose(ini_path, cobalt_dir, env, capsys, "markdown")
    assert code == 1
    assert out.startswith("# Open Cobalt network diagnosis\n")
    for heading in ("## DNS", "## HTTP", "## Space Directory (LDAP)", "## Chat (XMPP)",
                    "## UPnP discovery (SSDP)", "## Settings"):
        assert f"\n{heading}\n" in out
    web = out.split("## HTTP")[1].split("\n## ")[0]
    assert "- **Problem**:" in web and "  - Fix:" in web


def test_only_checks_the_services_asked_for(
        whole_lab: tuple[dict, CheckEnvironment], ini_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings, env = whole_lab
    write_ini(ini_path, **settings)
    _code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json", "only=ldap,xmpp")
    assert {check["service"] for check in json.loads(out)["checks"]} == {
        "settings", "ldap", "xmpp"}


def test_bad_values_are_named_by_file_and_line_and_the_rest_is_still_checked(
        whole_lab: tuple[dict, CheckEnvironment], ini_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """One failed check names each bad value and the default used in its place; the
    services are checked all the same, and nothing is written."""
    settings, env = whole_lab
    settings["Router"] = {"Ports": "6900-70000"}
    write_ini(ini_path, **settings)
    before = ini_path.read_bytes()
    code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json", "only=ldap")
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    checks = by_id(report)
    values = checks["settings.values"]
    assert code == 1 and values["status"] == "failed"
    line = before.decode().splitlines().index("Ports = 6900-70000") + 1
    assert f"{ini_path}, line {line}: [Router] Ports" in values["summary"]
    assert "70000 is not a port" in values["summary"]
    assert "The checks used the defaults instead: [Router] Ports = 6900-6909" in (
        values["summary"])
    assert checks["ldap.directory"]["status"] == "ok", "the directory was checked all the same"
    assert ini_path.read_bytes() == before
    assert list((cobalt_dir / "config").iterdir()) == []


def test_no_open_cobalt_folder_still_checks_the_network(
        whole_lab: tuple[dict, CheckEnvironment], ini_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A support person, or a user before installing Open Cobalt, can check the network:
    the router-conf check is skipped with its reason, everything else runs."""
    settings, env = whole_lab
    write_ini(ini_path, **settings)
    code, out = diagnose(ini_path, None, env, capsys, "json", "only=dns,ldap")
    checks = by_id(json.loads(out))
    conf = checks["settings.router_conf"]
    assert conf["status"] == "skipped"
    assert conf["summary"].startswith("Open Cobalt's folder was not found, so "
                                      "cobalt-router.conf was not read")
    assert "--cobalt-dir DIR" in conf["summary"]
    assert checks["ldap.directory"]["status"] == "ok"
    assert any(check_id.startswith("dns.resolver.") for check_id in checks)
    assert code == (0 if all(c["status"] != "failed" for c in checks.values()) else 1)


def test_an_unreadable_settings_file_is_one_failed_check_and_a_missing_folder_is_named(
        ini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini_path.parent.mkdir(parents=True, exist_ok=True)
    ini_path.write_bytes(b"[DNS]\nServers = \xff\xfe\x00 broken\n")
    missing = tmp_path / "no such folder"
    read = read_settings_for_diagnosis(ini_path, None, f"--cobalt-dir {missing}: no such "
                                                       "folder")
    found = {check.id: check for check in read.checks}
    assert found["settings.ini"].status.value == "failed"
    assert str(ini_path) in found["settings.ini"].summary
    assert "The checks used Open Cobalt's defaults instead." in found["settings.ini"].summary
    assert found["settings.router_conf"].summary.startswith(
        f"--cobalt-dir {missing}: no such folder, so cobalt-router.conf was not read")


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse's own refusals
        return int(stop.code or 0)


@pytest.mark.parametrize(("option", "words"), [
    (["--only", "ldap,gopher"], "unknown service gopher"),
    (["--timeout", "0"], "--timeout 0: give 0.1 to 60 seconds"),
    (["--json", "--markdown"], "not allowed with argument"),
])
def test_bad_usage_exits_2_with_the_reason(
        option: list[str], words: str, ini_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["diagnose", "--settings", str(ini_path), "--cobalt-dir",
                      str(cobalt_dir), *option]) == 2
    assert words in capsys.readouterr().err


def test_the_report_opens_with_four_answers_each_resting_on_its_checks(
        whole_lab: tuple[dict, CheckEnvironment], ini_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings, env = whole_lab
    write_ini(ini_path, **settings)
    _code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json")
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    answers = {outcome["id"]: outcome for outcome in report["outcomes"]}
    assert list(answers) == ["join-spaces", "chat", "share-apps", "friends-reach-you"]
    checks = {check["id"] for check in report["checks"]}
    for outcome in answers.values():
        assert set(outcome["because"]) <= checks
    assert answers["join-spaces"]["status"] == "ok"
    assert "3 spaces published" in answers["join-spaces"]["summary"]
    assert answers["chat"]["status"] == "ok"
    # Without STUN the router's word is all there is: not called proven.
    assert answers["friends-reach-you"]["status"] == "warning"
    assert answers["friends-reach-you"]["summary"].startswith("Probably:")
    assert "Automatic mode" in answers["friends-reach-you"]["summary"]
    _code, text = diagnose(ini_path, cobalt_dir, env, capsys)
    assert text.startswith("Answers\n  [OK] Yes, you can find and join public spaces.")


def test_no_network_is_one_answer_not_six_problems(
        ini_path: Path, cobalt_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """What a computer with no network shows: no default gateway, no DNS server answers.
    Every answer says it is because of that, with the one fix."""
    dead_dns = f"127.0.0.1:{closed_port()}"
    write_ini(ini_path, DNS={"Servers": dead_dns},
              SpaceDirectory={"Host": "directory.cobalt.test"},
              Chat={"Server": "chat.cobalt.test"},
              Xrfb={"ServerHostAddress": "apps.cobalt.test"},
              Web={"VersionCheckURL": f"http://127.0.0.1:{closed_port()}/"},
              Router={"StunServers": ""})
    env = CheckEnvironment.with_timeout(
        1.0, router=RouterEnvironment(interfaces=(), gateway="", records_path=tmp_path / "m"),
        dns=lab_environment_dns(dead_dns), crqt_host="127.0.0.1", crqt_port=closed_port())
    code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json")
    report = json.loads(out)
    answers = report["outcomes"]
    assert code == 1
    assert [a["status"] for a in answers] == ["failed"] * 4
    assert all(a["summary"].startswith("No") and "Because: This computer has no network "
               "connection" in a["summary"] for a in answers)
    assert {a["fix"] for a in answers} == {
        "Connect this computer to your network (cable or Wi-Fi), then check again."}
    assert all("router.natpmp" in a["because"] for a in answers)


def test_dead_dns_is_the_cause_only_where_a_name_had_to_be_looked_up(
        ini_path: Path, cobalt_dir: Path, tmp_path: Path, prosody: ProsodyServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    dead_dns = f"127.0.0.1:{closed_port()}"
    write_ini(ini_path, DNS={"Servers": dead_dns},
              SpaceDirectory={"Host": "directory.cobalt.test"},
              Chat={"Server": "127.0.0.1", "Port": str(prosody.port)},
              Web={"VersionCheckURL": f"http://127.0.0.1:{closed_port()}/"},
              Router={"StunServers": ""})
    env = CheckEnvironment.with_timeout(
        1.0, router=RouterEnvironment(interfaces=(LOOPBACK,), gateway="127.0.0.1",
                                      natpmp_port=closed_port(), ssdp_targets=(),
                                      records_path=tmp_path / "m"),
        dns=lab_environment_dns(dead_dns), crqt_host="127.0.0.1", crqt_port=closed_port())
    _code, out = diagnose(ini_path, cobalt_dir, env, capsys, "json")
    answers = {a["id"]: a for a in json.loads(out)["outcomes"]}
    assert answers["join-spaces"]["status"] == "failed"
    assert "Because: DNS does not work" in answers["join-spaces"]["summary"]
    # the chat server is given by address: DNS is not why chat fails (here: the domain)
    assert "Because" not in answers["chat"]["summary"]
    assert "Because" not in answers["friends-reach-you"]["summary"]
