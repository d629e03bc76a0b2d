"""`cobalt-setup diagnose`: every service checked against the whole lab, the report's schema,
statuses that match what the lab really is, and bad input refused before anything runs."""

from __future__ import annotations

import argparse
import ipaddress
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from cobalt_setup.checks.environment import CheckEnvironment
from cobalt_setup.cli import main
from cobalt_setup.diagnosis_command import run_diagnose
from cobalt_setup.prefs.store import PreferenceFiles, load_current
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
        interfaces=(LOOPBACK,), gateway="127.0.0.1", natpmp_port=closed_port(),
        ssdp_targets=(router.ssdp_address,), timeout=1.0,
        records_path=tmp_path / "mappings.json"))
    return settings, env


def diagnose(ini_path: Path, cobalt_dir: Path, env: CheckEnvironment,
             capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    current = load_current(PreferenceFiles(ini_path, cobalt_dir))
    code = run_diagnose(args(*options), current, env)
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
        "dns", "http", "ldap", "xrfb", "vnc", "xmpp", "teatime", "ssdp", "upnp", "natpmp",
        "crqt"}
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
    assert {check["service"] for check in json.loads(out)["checks"]} == {"ldap", "xmpp"}


def test_bad_settings_are_named_by_file_and_line_and_nothing_runs_or_is_written(
        ini_path: Path, cobalt_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_ini(ini_path, Router={"Ports": "6900-70000"}, DNS={"Servers": "my dns server"})
    before = ini_path.read_bytes()
    code = main(["diagnose", "--settings", str(ini_path), "--cobalt-dir", str(cobalt_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{ini_path}, line 2: [Router] Ports" in err and "70000 is not a port" in err
    assert f"{ini_path}, line 4: [DNS] Servers" in err
    assert ini_path.read_bytes() == before
    assert list((cobalt_dir / "config").iterdir()) == []


def test_a_missing_open_cobalt_folder_or_an_unreadable_settings_file_is_refused(
        ini_path: Path, tmp_path: Path, cobalt_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no such folder"
    assert main(["diagnose", "--settings", str(ini_path), "--cobalt-dir", str(missing)]) == 2
    assert f"--cobalt-dir {missing}: no such folder" in capsys.readouterr().err
    ini_path.parent.mkdir(parents=True, exist_ok=True)
    ini_path.write_bytes(b"[DNS]\nServers = \xff\xfe\x00 broken\n")
    assert main(["diagnose", "--settings", str(ini_path), "--cobalt-dir",
                 str(cobalt_dir)]) == 2
    assert str(ini_path) in capsys.readouterr().err


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
