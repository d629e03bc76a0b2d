"""What users type: every rule gives a message naming the field and the rule."""

from __future__ import annotations

import pytest

from cobalt_setup.addresses import (
    Endpoint,
    InvalidValue,
    PortRange,
    parse_endpoint,
    parse_hostname,
    parse_port,
    parse_port_range,
    parse_server_list,
)
from cobalt_setup.form import SettingsForm
from cobalt_setup.settings import RouterMode, Settings, SettingsInvalid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ldap.example.org", "ldap.example.org"),
        ("LDAP.Example.org.", "ldap.example.org"),
        ("bücher.example", "bücher.example"),
        ("10.0.0.5", "10.0.0.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:DB8::1]", "2001:db8::1"),
    ],
)
def test_good_hosts_are_normalised(text: str, expected: str) -> None:
    assert parse_hostname(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("my host", "space"),
        ("", "required"),
        ("a" * 64 + ".example", "at most 63"),
        (("abc." * 80) + "org", "at most 253"),
        ("bad_name!.example", "not a valid host name"),
        ("999.1.1.1", "not an IPv4 or IPv6 address"),
        ("::1::", "not an IPv4 or IPv6 address"),
        ("a..b", "empty part"),
    ],
)
def test_bad_hosts_say_which_rule(text: str, words: str) -> None:
    with pytest.raises(InvalidValue, match=words):
        parse_hostname(text)


@pytest.mark.parametrize(("text", "port"), [("1", 1), ("65535", 65535), (" 1389 ", 1389)])
def test_ports(text: str, port: int) -> None:
    assert parse_port(text) == port


@pytest.mark.parametrize("text", ["0", "70000", "-1", "12a", "", "٣"])
def test_bad_ports(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_port(text)


def test_ranges() -> None:
    assert parse_port_range("6900-6909") == PortRange(6900, 6909)
    assert len(parse_port_range("6900-6909")) == 10
    assert parse_port_range("5900") == PortRange(5900, 5900)
    with pytest.raises(InvalidValue, match="backwards"):
        parse_port_range("6909-6900")
    with pytest.raises(InvalidValue, match="65535"):
        parse_port_range("6900-70000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.org", Endpoint("example.org")),
        ("example.org:5222", Endpoint("example.org", 5222)),
        ("192.0.2.1:53", Endpoint("192.0.2.1", 53)),
        ("[2001:db8::53]:5353", Endpoint("2001:db8::53", 5353)),
        ("2001:db8::53", Endpoint("2001:db8::53")),
    ],
)
def test_endpoints(text: str, expected: Endpoint) -> None:
    assert parse_endpoint(text) == expected


def test_endpoint_text_round_trips() -> None:
    for text in ("192.0.2.1:53", "[2001:db8::53]:5353", "2001:db8::53", "example.org"):
        assert str(parse_endpoint(text)) == text


@pytest.mark.parametrize("text", ["8.8.8.8:99999", "::1::", "dns.google", "[::1"])
def test_bad_dns_servers(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_server_list(text)


def test_server_list_allows_empty_and_ports() -> None:
    assert parse_server_list("") == ()
    assert parse_server_list("127.0.0.1:5300, [::1]:53") == (
        Endpoint("127.0.0.1", 5300),
        Endpoint("::1", 53),
    )


def test_defaults_are_open_cobalts() -> None:
    settings = Settings.defaults()
    assert [str(s) for s in settings.dns.servers] == ["8.8.8.8", "8.8.4.4"]
    assert settings.space_directory.port == 1389
    assert settings.xrfb.server_port_number == 5899
    assert settings.xrfb.vnc_ports == PortRange(5900, 5930)
    assert settings.chat.port == 5222
    assert settings.router.mode is RouterMode.UPNP
    assert settings.router.ports == PortRange(6900, 6909)
    assert settings.router.dispatcher_port == 6900


def test_invalid_settings_name_every_field_and_rule() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        Settings.from_texts({
            ("SpaceDirectory", "Host"): "my host",
            ("Xrfb", "ServerPortNumber"): "70000",
            ("Router", "Mode"): "sometimes",
        })
    message = str(caught.value)
    assert "Space Directory host: 'my host' contains a space" in message
    assert "Xrfb Server Port Number: 70000 is not a port number" in message
    assert "Router mode: 'sometimes' is not a router mode" in message
    assert len(caught.value.errors) == 3


def test_dispatcher_port_must_be_one_of_the_teatime_ports() -> None:
    form = SettingsForm()
    form.set_text(("Router", "DispatcherPort"), "7000")
    assert form.errors() == {
        ("Router", "DispatcherPort"):
            "7000 is outside the TeaTime ports 6900-6909: choose one of them"
    }
    form.set_text(("Router", "Ports"), "7000-7009")
    assert form.is_valid()


def test_settings_texts_round_trip() -> None:
    texts = {
        ("DNS", "Servers"): "127.0.0.1:5300, 127.0.0.2",
        ("SpaceDirectory", "Host"): "directory.example.org",
        ("Router", "Mode"): "lan-only",
        ("Router", "LocalAddress"): "192.168.1.20",
    }
    settings = Settings.from_texts(texts)
    again = Settings.from_texts(settings.texts())
    assert again == settings
    assert {k: v for k, v in settings.texts().items() if k in texts} == texts


def test_form_keeps_typed_text_when_reseeded() -> None:
    form = SettingsForm({("Chat", "Server"): "chat.example.org"})
    form.set_text(("Chat", "Port"), "5223")
    form.reseed({("Chat", "Server"): "other.example.org", ("Chat", "Port"): "5222"})
    assert form.text(("Chat", "Server")) == "other.example.org"
    assert form.text(("Chat", "Port")) == "5223"


@pytest.mark.parametrize("text", ["http://[::1/", "http://[fe80::1"])
def test_a_half_typed_ipv6_web_address_is_a_clear_error_not_a_crash(text: str) -> None:
    with pytest.raises(SettingsInvalid) as caught:
        Settings.from_texts({("Web", "VersionCheckURL"): text})
    assert "Version check URL: " in str(caught.value)
    assert "a [ in it has no matching ]" in str(caught.value)


def test_a_vnc_range_wider_than_any_server_uses_is_refused_with_the_reason() -> None:
    """1024-65535 was accepted and made the VNC check scan 64,512 ports (bench_growth: 37 s
    and 329 MiB against a 2 s timeout). At most 100 ports: displays 0-99."""
    assert Settings.from_texts({("Xrfb", "VncPorts"): "5900-5999"}).xrfb.vnc_ports == \
        PortRange(5900, 5999)
    with pytest.raises(SettingsInvalid) as refused:
        Settings.from_texts({("Xrfb", "VncPorts"): "1024-65535"})
    (error,) = refused.value.errors
    assert error.field.key == "VncPorts"
    assert error.reason == ("the range '1024-65535' has 64512 ports: a VNC range has at "
                            "most 100 (displays 0-99 listen on ports 5900-5999)")
