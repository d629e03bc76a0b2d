"""Firewall advice: the commands an administrator copies follow the settings exactly."""

from __future__ import annotations

import io
import shlex
import tokenize
from pathlib import Path

import pytest

from cobalt_setup import firewall
from cobalt_setup.checks.table import firewall_rules
from cobalt_setup.firewall import (
    LOCAL_SUBNET,
    FirewallRule,
    firewall_text,
    firewalld_commands,
    macos_commands,
    other_systems,
    this_system,
    ufw_commands,
    windows_commands,
)
from cobalt_setup.services import BY_ID, CATALOGUE
from cobalt_setup.settings import Settings

DEFAULTS = Settings.defaults()
CHANGED = Settings.from_texts({
    ("Router", "Ports"): "6910-6919", ("Router", "DispatcherPort"): "6910",
    ("SpaceDirectory", "Port"): "389", ("Chat", "Server"): "",
})
LAN_ONLY = Settings.from_texts({("Router", "Mode"): "lan-only"})
EVERYTHING = Settings.from_texts({
    ("DNS", "Servers"): "9.9.9.9, 10.0.0.1:5353, 2001:4860:4860::8888",
    ("Chat", "Server"): "chat.example.org",
    ("Xrfb", "ServerHostAddress"): "10.1.2.3",
    ("Web", "VersionCheckURL"): "https://www.example.org:8443/version",
    ("Router", "Mode"): "manual",
})
SETTINGS = {"defaults": DEFAULTS, "changed": CHANGED, "lan-only": LAN_ONLY,
            "everything": EVERYTHING}


def rule(settings: Settings, name: str) -> FirewallRule:
    (found,) = [r for r in firewall_rules(settings) if r.name == name]
    return found


def line_for(lines: list[str], name: str) -> str:
    (found,) = [line for line in lines if f'"{name}"' in line]
    return found


def commands(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("#")]


def test_default_teatime_commands_use_each_tools_range_syntax() -> None:
    rules = firewall_rules(DEFAULTS)
    ufw = ufw_commands(rules)
    assert "sudo ufw allow in 6900:6909/tcp comment 'Open Cobalt TeaTime (in)'" in ufw
    assert "sudo ufw allow out 6900:6909/tcp comment 'Open Cobalt TeaTime (out)'" in ufw
    netsh = windows_commands(rules)
    inbound = line_for(netsh, "Open Cobalt TeaTime (in)")
    outbound = line_for(netsh, "Open Cobalt TeaTime (out)")
    assert "dir=in" in inbound and "localport=6900-6909" in inbound
    assert "remoteport" not in inbound and "remoteip" not in inbound  # from the Internet too
    assert "dir=out" in outbound and "remoteport=6900-6909" in outbound
    assert "localport" not in outbound
    assert "sudo firewall-cmd --permanent --add-port=6900-6909/tcp" in firewalld_commands(rules)


def test_default_dns_goes_only_to_the_configured_servers() -> None:
    rules = firewall_rules(DEFAULTS)
    netsh = windows_commands(rules)
    for protocol in ("UDP", "TCP"):
        line = line_for(netsh, f"Open Cobalt DNS ({protocol} out)")
        assert f"protocol={protocol}" in line
        assert line.endswith("remoteport=53 remoteip=8.8.8.8,8.8.4.4")
    ufw = ufw_commands(rules)
    assert "sudo ufw allow out proto udp to 8.8.4.4 port 53 comment 'Open Cobalt DNS (UDP out)'" \
        in ufw
    assert "sudo ufw allow out proto tcp to 8.8.8.8 port 53 comment 'Open Cobalt DNS (TCP out)'" \
        in ufw


def test_empty_dns_servers_mean_the_system_resolver_anywhere() -> None:
    rules = firewall_rules(DEFAULTS.with_texts({("DNS", "Servers"): ""}))
    dns = [r for r in rules if r.service == "dns"]
    assert [(r.protocol, r.ports, r.remote) for r in dns] == [("udp", "53", ""), ("tcp", "53", "")]
    assert "own resolver" in dns[0].why
    assert "sudo ufw allow out 53/udp comment 'Open Cobalt DNS (UDP out)'" in ufw_commands(rules)
    assert "remoteip" not in line_for(windows_commands(rules), "Open Cobalt DNS (UDP out)")


def test_dns_servers_on_other_ports_get_their_own_rules() -> None:
    dns = [r for r in firewall_rules(EVERYTHING) if r.service == "dns"]
    assert [(r.name, r.ports, r.remote) for r in dns] == [
        ("Open Cobalt DNS (UDP out)", "53", "9.9.9.9,2001:4860:4860::8888"),
        ("Open Cobalt DNS (TCP out)", "53", "9.9.9.9,2001:4860:4860::8888"),
        ("Open Cobalt DNS port 5353 (UDP out)", "5353", "10.0.0.1"),
        ("Open Cobalt DNS port 5353 (TCP out)", "5353", "10.0.0.1"),
    ]


def test_changed_settings_change_the_commands_and_drop_chat() -> None:
    rules = firewall_rules(CHANGED)
    ufw, netsh = ufw_commands(rules), windows_commands(rules)
    assert "sudo ufw allow in 6910:6919/tcp comment 'Open Cobalt TeaTime (in)'" in ufw
    assert "localport=6910-6919" in line_for(netsh, "Open Cobalt TeaTime (in)")
    assert "remoteport=389" in line_for(netsh, "Open Cobalt Space Directory (LDAP) (out)")
    assert "sudo ufw allow out 389/tcp comment 'Open Cobalt Space Directory (LDAP) (out)'" in ufw
    text = firewall_text(firewall_rules(CHANGED))
    assert "6900" not in text and "1389" not in text
    assert not [r for r in rules if r.service == "xmpp"]
    assert BY_ID["xmpp"].name not in text


def test_chat_on_the_standard_port_also_allows_direct_tls() -> None:
    chat = rule(EVERYTHING, "Open Cobalt Chat (XMPP) (out)")
    assert (chat.direction, chat.protocol, chat.ports) == ("out", "tcp", "5222-5223")
    assert "remoteport=5222-5223" in line_for(windows_commands([chat]), chat.name)


def test_chat_on_a_typed_port_allows_that_port_only() -> None:
    settings = EVERYTHING.with_texts({("Chat", "Server"): "10.0.0.7", ("Chat", "Port"): "5322"})
    chat = rule(settings, "Open Cobalt Chat (XMPP) (out)")
    assert (chat.ports, chat.remote) == ("5322", "10.0.0.7")
    assert "sudo ufw allow out proto tcp to 10.0.0.7 port 5322 comment " \
        "'Open Cobalt Chat (XMPP) (out)'" in ufw_commands([chat])


def test_xrfb_and_vnc_only_with_an_xrfb_server() -> None:
    assert not {"xrfb", "vnc"} & {r.service for r in firewall_rules(DEFAULTS)}
    settings = EVERYTHING.with_texts({("Xrfb", "ServerPortNumber"): "5800",
                                      ("Xrfb", "VncPorts"): "5910-5920"})
    netsh = windows_commands(firewall_rules(settings))
    assert line_for(netsh, "Open Cobalt Xrfb control (HTTP) (out)").endswith(
        "remoteport=5800 remoteip=10.1.2.3")
    assert line_for(netsh, "Open Cobalt VNC (RFB) (out)").endswith(
        "remoteport=5910-5920 remoteip=10.1.2.3")


def test_a_named_server_is_not_restricted_to_an_address() -> None:
    directory = rule(DEFAULTS, "Open Cobalt Space Directory (LDAP) (out)")
    assert directory.remote == ""  # ldap.opencobalt.net may move: no address to pin
    pinned = rule(DEFAULTS.with_texts({("SpaceDirectory", "Host"): "192.0.2.10"}), directory.name)
    assert pinned.remote == "192.0.2.10"


@pytest.mark.parametrize(("url", "extra"), [
    ("http://www.opencobalt.net/", None),
    ("http://www.opencobalt.net:80/", None),
    ("https://www.opencobalt.net/", "443"),
    ("http://[2001:db8::1]:8080/check", "8080"),
])
def test_version_check_on_another_port_adds_a_rule(url: str, extra: str | None) -> None:
    web = [r for r in firewall_rules(DEFAULTS.with_texts({("Web", "VersionCheckURL"): url}))
           if r.service == "http"]
    assert web[0].ports == "80"
    assert [r.ports for r in web[1:]] == ([extra] if extra else [])


def test_lan_only_mode_admits_teatime_from_the_local_network_only() -> None:
    rules = firewall_rules(LAN_ONLY)
    inbound = rule(LAN_ONLY, "Open Cobalt TeaTime (in)")
    assert inbound.remote == LOCAL_SUBNET and "local network" in inbound.why
    netsh = line_for(windows_commands(rules), inbound.name)
    assert "localport=6900-6909 remoteip=localsubnet profile=private" in netsh
    ufw = [line for line in ufw_commands(rules, ["192.168.1.0/24"]) if "TeaTime (in)" in line]
    assert ufw == ["sudo ufw allow in proto tcp from 192.168.1.0/24 to any port 6900:6909 "
                   "comment 'Open Cobalt TeaTime (in)'"]
    # Without the real network, every private range (and no line that admits anyone).
    default_ufw = [line for line in ufw_commands(rules) if "TeaTime (in)" in line]
    assert [shlex.split(line)[7] for line in default_ufw] == [
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    assert any("no 'local network' keyword" in line for line in ufw_commands(rules))
    firewalld = firewalld_commands(rules, ["192.168.1.0/24"])
    assert "sudo firewall-cmd --permanent --add-rich-rule='rule family=\"ipv4\" source " \
        "address=\"192.168.1.0/24\" port port=\"6900-6909\" protocol=\"tcp\" accept'" in firewalld
    assert not any("--add-port=6900-6909" in line for line in firewalld)
    assert "cannot limit them to the local network" in "\n".join(macos_commands(rules))


def test_lan_only_mode_needs_no_router_discovery_or_forwarding() -> None:
    in_use = {r.service for r in firewall_rules(LAN_ONLY)}
    assert not {"ssdp", "upnp"} & in_use
    assert "crqt" in in_use  # spaces on the LAN are still found
    for settings in (DEFAULTS, EVERYTHING):  # automatic and manual forwarding
        assert {"ssdp", "upnp"} <= {r.service for r in firewall_rules(settings)}


def test_router_answers_are_matched_on_their_source_port() -> None:
    answers = rule(DEFAULTS, "Open Cobalt UPnP discovery (SSDP) (answers in)")
    assert answers.replies and answers.direction == "in"
    netsh = windows_commands([answers])[0]
    assert "remoteport=1900 remoteip=localsubnet" in netsh and "localport" not in netsh
    assert commands(ufw_commands([answers], ["192.168.1.0/24"])) == [
        "sudo ufw allow in proto udp from 192.168.1.0/24 port 1900 comment "
        "'Open Cobalt UPnP discovery (SSDP) (answers in)'"]
    rich = commands(firewalld_commands([answers], ["192.168.1.0/24"]))[0]
    assert 'source-port port="1900" protocol="udp"' in rich
    search = rule(DEFAULTS, "Open Cobalt UPnP discovery (SSDP) (out)")
    assert (search.ports, search.remote) == ("1900", "239.255.255.250")


def test_lan_rules_use_the_private_profile_on_windows() -> None:
    for line in windows_commands(firewall_rules(DEFAULTS)):
        lan = any(word in line for word in ("SSDP", "SOAP", "NAT-PMP", "CRQT"))
        assert line.endswith("profile=private") == lan, line


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_every_service_in_use_is_named_in_the_text(settings: Settings) -> None:
    text = firewall_text(firewall_rules(settings))
    for service in {r.service for r in firewall_rules(settings)}:
        assert BY_ID[service].name in text
    for heading in ("Windows (Windows Defender Firewall)", "macOS (application firewall)",
                    "Linux with ufw", "Linux with firewalld"):
        assert f"\n{heading}\n" in text


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_every_command_is_a_line_of_its_own_in_the_text(settings: Settings) -> None:
    rules = firewall_rules(settings)
    lines = set(firewall_text(firewall_rules(settings)).splitlines())
    every = [*windows_commands(rules), *macos_commands(rules), *ufw_commands(rules),
             *firewalld_commands(rules)]
    assert every and set(every) <= lines


def test_everything_in_use_covers_the_whole_catalogue() -> None:
    """Every service Open Cobalt uses; the wizard's own checks (STUN, PCP) need no rule."""
    assert {r.service for r in firewall_rules(EVERYTHING)} == {
        s.id for s in CATALOGUE if not s.wizard_only}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_every_windows_line_adds_a_rule(settings: Settings) -> None:
    for line in windows_commands(firewall_rules(settings)):
        assert line.startswith("netsh advfirewall firewall add rule name=\"Open Cobalt ")
        assert " action=allow " in line


def test_rule_names_are_unique_so_each_can_be_deleted_by_name() -> None:
    names = [r.name for r in firewall_rules(EVERYTHING)]
    assert len(names) == len(set(names))


APOSTROPHE = FirewallRule("teatime", "Open Cobalt's TeaTime (in)", "in", "tcp", "6900-6909",
                          LOCAL_SUBNET)


def test_ufw_comment_survives_the_shell_without_an_apostrophe() -> None:
    # ufw 0.36 refuses a comment that contains "'": a typographic one takes its place.
    for line in commands(ufw_commands([APOSTROPHE])):
        argv = shlex.split(line)
        assert argv[:4] == ["sudo", "ufw", "allow", "in"]
        assert argv[-2:] == ["comment", "Open Cobalt\u2019s TeaTime (in)"]


def test_firewalld_and_macos_commands_survive_the_shell() -> None:
    for line in commands(firewalld_commands([APOSTROPHE], ["192.168.1.0/24"]))[:-1]:
        argv = shlex.split(line)
        assert argv[:3] == ["sudo", "firewall-cmd", "--permanent"]
        assert argv[3] == ('--add-rich-rule=rule family="ipv4" source address="192.168.1.0/24" '
                           'port port="6900-6909" protocol="tcp" accept')
    app = "/Applications/Bob's Open Cobalt.app"
    argv = [shlex.split(line) for line in commands(macos_commands([APOSTROPHE], app))]
    assert argv == [["sudo", firewall.SOCKETFILTERFW, "--add", app],
                    ["sudo", firewall.SOCKETFILTERFW, "--unblockapp", app]]


def test_windows_names_stay_inside_their_quotes() -> None:
    line = windows_commands([APOSTROPHE])[0]
    assert line.startswith('netsh advfirewall firewall add rule name="Open Cobalt\'s TeaTime '
                           '(in)" dir=in ')
    for bad in ('Open "Cobalt"', "Open Cobalt 100%"):
        with pytest.raises(ValueError, match=r"cmd\.exe"):
            windows_commands([FirewallRule("teatime", bad, "in", "tcp", "6900")])


def test_a_lan_network_that_is_not_a_network_is_refused() -> None:
    with pytest.raises(ValueError):
        ufw_commands(firewall_rules(LAN_ONLY), ["192.168.1.0/24; rm -rf ~"])


def test_macos_explains_what_the_application_firewall_does_not_filter() -> None:
    lines = macos_commands(firewall_rules(DEFAULTS))
    text = "\n".join(lines)
    assert "outgoing traffic is not filtered" in text and "pf" in text
    assert "TCP 6900-6909" in text
    assert commands(lines) == [
        f"sudo {firewall.SOCKETFILTERFW} --add '/Applications/Open Cobalt.app'",
        f"sudo {firewall.SOCKETFILTERFW} --unblockapp '/Applications/Open Cobalt.app'"]


def test_firewalld_opens_inbound_only_and_reloads_last() -> None:
    lines = firewalld_commands(firewall_rules(DEFAULTS))
    assert lines[-1] == "sudo firewall-cmd --reload"
    assert lines[0].startswith("# firewalld filters incoming traffic only by default")
    assert "TCP 6900-6909" in lines[0] and "UDP 53" in lines[0]
    opened = " ".join(commands(lines))
    for port in ("53", "80", "1389"):  # outgoing only: nothing to open
        assert f"={port}/" not in opened and f'port="{port}"' not in opened


RULES = [pytest.param(r, id=f"{key}: {r.name}")
         for key, settings in SETTINGS.items() for r in firewall_rules(settings)]


@pytest.mark.parametrize("firewall_rule", RULES)
def test_every_rule_is_well_formed(firewall_rule: FirewallRule) -> None:
    first, last = firewall_rule.port_range
    assert 1 <= first <= last <= 65535
    assert firewall_rule.direction in ("in", "out")
    assert firewall_rule.protocol in ("tcp", "udp")
    assert firewall_rule.why.endswith(".")


def test_the_module_writes_no_catalogue_port_number() -> None:
    """Ports come from the catalogue and the settings, so changing one changes the advice."""
    source = Path(firewall.__file__).read_text(encoding="utf-8")
    numbers = {int(token.string) for token in tokenize.generate_tokens(io.StringIO(source).readline)
               if token.type == tokenize.NUMBER}
    catalogue = {port for s in CATALOGUE for port in (s.first_port, s.last_port) if port}
    assert not numbers & catalogue


def test_this_computers_firewall_comes_first_and_the_others_can_be_left_out() -> None:
    assert [this_system(name) for name in ("win32", "darwin", "linux")] == [
        "windows", "macos", "linux"]
    rules = firewall_rules(Settings.defaults())
    mac_only = firewall_text(rules, systems=("macos",))
    assert "macOS (application firewall)" in mac_only and "netsh" not in mac_only
    assert "ufw" not in mac_only
    ordered = firewall_text(rules, systems=("windows", *other_systems("windows")))
    assert ordered.index("Windows") < ordered.index("macOS") < ordered.index("Linux with ufw")
