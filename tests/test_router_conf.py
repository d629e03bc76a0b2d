"""cobalt-router.conf: only the dispatcher block changes, and every other byte stays."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cobalt_setup.prefs.router_conf import (
    MODE_CLASSES,
    ROUTER_CONF_RELATIVE_PATH,
    RouterConfError,
    find_dispatcher_block,
    read_router_settings_texts,
    render_router_conf,
)
from cobalt_setup.settings import RouterMode, RouterSettings, Settings


def router(mode: str = "upnp", port: int = 6900, address: str = "") -> RouterSettings:
    return Settings.from_texts({
        ("Router", "Mode"): mode,
        ("Router", "DispatcherPort"): str(port),
        ("Router", "LocalAddress"): address,
    }).router


# A hand-edited file full of things that look like the dispatcher block but are not.
HAND_EDITED = """\
"Open Cobalt router configuration for the lab machine.
 Old setting, kept for reference: dispatcherConfigBlock: [ TLanOnlyDispatcherConfig new ]
 Don't remove the auth block; it's ] needed [."
| logDir |
logDir := 'logs'.
TRouterConfiguration new
\t"Who may connect: see authServicesBlock: [ below"
\tauthServicesBlock: [:services |
\t\tservices
\t\t\tadd: (TAuthService named: 'it''s ] a [ dispatcherConfigBlock: test' realm: #(lan wan));
\t\t\tadd: [:each | each isValid ifTrue: [each] ifFalse: [nil]];
\t\t\tyourself];
\tdispatcherConfigBlock: [:config |
\t\t"fixed address: the DHCP lease is reserved"
\t\tTUpnpDispatcherConfig new
\t\t\trouterClass: TMyRouter;
\t\t\tlocalAddressString: '192.168.1.20';
\t\t\tdispatcherPort: 6900;
\t\t\tyourself];
\tlogTags: #(#dispatcherConfigBlock: dispatcherConfigBlock: 'x]') , {#dispatcherConfigBlock:};
\tlogLevel: #debug;
\tlogSeparator: $];
\tlogOpener: $[;
\tlogQuote: $';
\tlogComment: $";
\tlogFile: logDir, '/router.log';
\tyourself
"trailing notes: ] [ ' dispatcherConfigBlock: [ "
"""


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def cr(text: str) -> str:  # Squeak itself writes CR line endings
    return text.replace("\n", "\r")


VARIANTS = [pytest.param(HAND_EDITED, id="lf"), pytest.param(crlf(HAND_EDITED), id="crlf"),
            pytest.param(cr(HAND_EDITED), id="cr")]


def outside_block_is_kept(old: str, new: str) -> None:
    before, after = find_dispatcher_block(old), find_dispatcher_block(new)
    assert new[: after.start] == old[: before.start]
    assert new[after.end:] == old[before.end:]


def line_endings(text: str) -> set[str]:
    return set(re.findall(r"\r\n|\r|\n", text))


# --- the template ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(RouterMode))
def test_template_states_mode_address_and_port(mode: RouterMode) -> None:
    text = render_router_conf(None, router(mode.value, 6905, "192.168.1.20"))
    block = find_dispatcher_block(text)
    assert (block.mode, block.class_name) == (mode, MODE_CLASSES[mode])
    assert block.local_address == "192.168.1.20"
    assert block.dispatcher_port == 6905
    assert block.router_class == "TRouter"
    assert text.startswith('"cobalt-router.conf: Open Cobalt router configuration.')
    assert "inferred" in text
    assert text[block.start] == "[" and text[block.end - 1] == "]"
    assert read_router_settings_texts(text) == {
        ("Router", "Mode"): mode.value,
        ("Router", "DispatcherPort"): "6905",
        ("Router", "LocalAddress"): "192.168.1.20",
    }


def test_template_matches_the_documented_form() -> None:
    text = render_router_conf(None, router("upnp", 6900, "192.168.1.20"))
    assert text.endswith(
        "TRouterConfiguration new\n"
        "\tdispatcherConfigBlock: [\n"
        "\t\tTUpnpDispatcherConfig new\n"
        "\t\t\trouterClass: TRouter;\n"
        "\t\t\tlocalAddressString: '192.168.1.20';\n"
        "\t\t\tdispatcherPort: 6900;\n"
        "\t\t\tyourself];\n"
        "\tyourself\n"
    )


@pytest.mark.parametrize("mode", list(RouterMode))
def test_empty_address_omits_local_address_string(mode: RouterMode) -> None:
    text = render_router_conf(None, router(mode.value, 6900, ""))
    assert "localAddressString:" not in text
    block = find_dispatcher_block(text)
    assert (block.mode, block.local_address, block.dispatcher_port) == (mode, "", 6900)
    assert read_router_settings_texts(text)["Router", "LocalAddress"] == ""


def test_default_settings_render_and_path() -> None:
    text = render_router_conf(None, Settings.defaults().router)
    block = find_dispatcher_block(text)
    assert (block.mode, block.dispatcher_port) == (RouterMode.UPNP, 6900)
    assert ROUTER_CONF_RELATIVE_PATH.as_posix() == "config/cobalt-router.conf"


# --- rewriting an existing file --------------------------------------------------------------


@pytest.mark.parametrize("text", VARIANTS)
def test_hand_edited_file_is_read_past_decoys(text: str) -> None:
    block = find_dispatcher_block(text)
    assert block.mode is RouterMode.UPNP
    assert block.local_address == "192.168.1.20"
    assert block.dispatcher_port == 6900
    assert block.router_class == "TMyRouter"
    assert text[block.start:].startswith("[:config |")
    assert text[: block.end].endswith("yourself]")


@pytest.mark.parametrize("text", VARIANTS)
def test_same_values_give_identical_bytes(text: str) -> None:
    assert render_router_conf(text, router("upnp", 6900, "192.168.1.20")) == text


@pytest.mark.parametrize("text", VARIANTS)
@pytest.mark.parametrize(
    ("mode", "port", "address"),
    [("manual", 6900, "192.168.1.20"), ("lan-only", 6907, "192.168.1.20"),
     ("upnp", 6901, "10.0.0.7"), ("manual", 6909, "fe80::1"), ("lan-only", 6900, "")],
)
def test_changes_touch_only_the_dispatcher_block(
    text: str, mode: str, port: int, address: str,
) -> None:
    new = render_router_conf(text, router(mode, port, address))
    assert new != text
    outside_block_is_kept(text, new)
    block = find_dispatcher_block(new)
    assert (block.mode, block.dispatcher_port, block.local_address) == (
        RouterMode(mode), port, address)
    assert block.router_class == "TMyRouter"
    inside = new[block.start: block.end]
    assert inside.startswith("[:config |")
    assert '"fixed address: the DHCP lease is reserved"' in inside
    assert line_endings(new) == line_endings(text)
    # and back again: the original bytes
    assert render_router_conf(new, router("upnp", 6900, "192.168.1.20")) == text


@pytest.mark.parametrize("text", VARIANTS)
def test_removing_the_address_removes_its_whole_line(text: str) -> None:
    new = render_router_conf(text, router("upnp", 6900, ""))
    eol = re.search(r"\r\n|\r|\n", text).group()
    assert "localAddressString:" not in new
    assert f"routerClass: TMyRouter;{eol}\t\t\tdispatcherPort: 6900;{eol}" in new


def test_address_quotes_are_doubled() -> None:
    odd = dataclasses.replace(router(), local_address="it's")
    new = render_router_conf(HAND_EDITED, odd)
    assert "localAddressString: 'it''s';" in new
    assert find_dispatcher_block(new).local_address == "it's"


def test_block_without_router_class_gets_trouter_only_when_changed() -> None:
    text = (
        "TRouterConfiguration new\n"
        "  dispatcherConfigBlock: [\n"
        "    TManualDispatcherConfig new\n"
        "      dispatcherPort: 6902;\n"
        "      yourself];\n"
        "  yourself\n"
    )
    assert render_router_conf(text, router("manual", 6902, "")) == text
    assert find_dispatcher_block(text).router_class is None
    new = render_router_conf(text, router("upnp", 6902, "10.1.1.1"))
    outside_block_is_kept(text, new)
    assert new == (
        "TRouterConfiguration new\n"
        "  dispatcherConfigBlock: [\n"
        "    TUpnpDispatcherConfig new\n"
        "      routerClass: TRouter;\n"
        "      localAddressString: '10.1.1.1';\n"
        "      dispatcherPort: 6902;\n"
        "      yourself];\n"
        "  yourself\n"
    )


def test_one_line_block_stays_on_one_line() -> None:
    text = "TRouterConfiguration new dispatcherConfigBlock: [TLanOnlyDispatcherConfig new " \
           "routerClass: TRouter; dispatcherPort: 6900]; yourself"
    new = render_router_conf(text, router("lan-only", 6904, "10.0.0.2"))
    assert new == (
        "TRouterConfiguration new dispatcherConfigBlock: [TLanOnlyDispatcherConfig new "
        "routerClass: TRouter; localAddressString: '10.0.0.2'; dispatcherPort: 6904]; yourself"
    )
    assert render_router_conf(new, router("lan-only", 6904, "")) == text.replace(
        "6900", "6904")


def test_block_with_no_messages_gets_the_written_form() -> None:
    text = "TRouterConfiguration new\r\n\tdispatcherConfigBlock: [TUpnpDispatcherConfig new];\r\n" \
           "\tyourself\r\n"
    new = render_router_conf(text, router("manual", 6903, ""))
    outside_block_is_kept(text, new)
    assert new == (
        "TRouterConfiguration new\r\n"
        "\tdispatcherConfigBlock: [TManualDispatcherConfig new\r\n"
        "\t\t\trouterClass: TRouter;\r\n"
        "\t\t\tdispatcherPort: 6903;\r\n"
        "\t\t\tyourself];\r\n"
        "\tyourself\r\n"
    )


def test_unknown_class_is_read_without_a_mode_and_replaced() -> None:
    text = HAND_EDITED.replace("TUpnpDispatcherConfig", "TFancyDispatcherConfig")
    block = find_dispatcher_block(text)
    assert (block.mode, block.class_name) == (None, "TFancyDispatcherConfig")
    assert ("Router", "Mode") not in read_router_settings_texts(text)
    new = render_router_conf(text, router("upnp", 6900, "192.168.1.20"))
    assert new == HAND_EDITED


def test_address_given_by_an_expression_is_kept_unless_set() -> None:
    text = HAND_EDITED.replace("'192.168.1.20'", "NetNameResolver localAddressString")
    texts = read_router_settings_texts(text)
    assert ("Router", "LocalAddress") not in texts
    assert render_router_conf(text, router("upnp", 6900, "")) == text
    new = render_router_conf(text, router("upnp", 6900, "10.0.0.3"))
    assert find_dispatcher_block(new).local_address == "10.0.0.3"
    assert "NetNameResolver" not in new


def test_address_outside_the_cascade_cannot_be_removed() -> None:
    text = (
        "TRouterConfiguration new dispatcherConfigBlock: [ | c |\n"
        "\tc := TUpnpDispatcherConfig new.\n"
        "\tc localAddressString: '10.0.0.1'.\n"
        "\tc ]; yourself\n"
    )
    assert find_dispatcher_block(text).local_address == "10.0.0.1"
    with pytest.raises(RouterConfError, match=r"line 3: localAddressString: .*by hand"):
        render_router_conf(text, router("upnp", 6900, ""))


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", VARIANTS)
def test_read_router_settings_texts(text: str) -> None:
    texts = read_router_settings_texts(text)
    assert texts == {
        ("Router", "Mode"): "upnp",
        ("Router", "DispatcherPort"): "6900",
        ("Router", "LocalAddress"): "192.168.1.20",
    }
    assert Settings.defaults().with_texts(texts).router == router("upnp", 6900, "192.168.1.20")


def test_read_leaves_out_what_the_file_does_not_say() -> None:
    text = HAND_EDITED.replace("\t\t\tdispatcherPort: 6900;\n", "").replace(
        "\t\t\tlocalAddressString: '192.168.1.20';\n", "")
    assert read_router_settings_texts(text) == {
        ("Router", "Mode"): "upnp", ("Router", "LocalAddress"): ""}
    new = render_router_conf(text, router("upnp", 6906, ""))
    outside_block_is_kept(text, new)
    assert "\t\t\trouterClass: TMyRouter;\n\t\t\tdispatcherPort: 6906;\n\t\t\tyourself]" in new


def test_radix_port_is_read() -> None:
    text = HAND_EDITED.replace("dispatcherPort: 6900", "dispatcherPort: 16r1AF4")
    assert find_dispatcher_block(text).dispatcher_port == 0x1AF4
    assert render_router_conf(text, router("upnp", 6900, "192.168.1.20")) == text


# --- errors ----------------------------------------------------------------------------------


def error_line(text: str) -> tuple[int | None, str]:
    with pytest.raises(RouterConfError) as caught:
        find_dispatcher_block(text)
    return caught.value.line, str(caught.value)


def test_no_block_says_what_to_do() -> None:
    text = '"only a comment: dispatcherConfigBlock: [ ]"\nTRouterConfiguration new\n'
    line, message = error_line(text)
    assert line == 1
    assert message.startswith("lines 1-2: the file has no dispatcherConfigBlock:; add one by hand")
    assert "move the file away so the wizard writes a fresh one" in message
    with pytest.raises(RouterConfError):
        render_router_conf(text, router())
    with pytest.raises(RouterConfError):
        read_router_settings_texts(text)


def test_two_blocks_name_both_lines() -> None:
    text = HAND_EDITED.replace(
        "\tlogLevel: #debug;\n",
        "\tdispatcherConfigBlock: [TLanOnlyDispatcherConfig new dispatcherPort: 6901];\n"
        "\tlogLevel: #debug;\n")
    line, message = error_line(text)
    assert line == 21
    assert "lines 13, 21" in message


def test_keyword_without_a_block() -> None:
    line, message = error_line("TRouterConfiguration new\n\tdispatcherConfigBlock: self myBlock")
    assert line == 2 and "not followed by a block" in message


@pytest.mark.parametrize(
    ("broken", "line", "what"),
    [
        (HAND_EDITED + '"an unfinished note\n', 29, "comment"),
        ('TRouterConfiguration new\n\t"a note\n'
         "\tdispatcherConfigBlock: [TUpnpDispatcherConfig new]", 2, "comment"),
        (HAND_EDITED + "'an unfinished note\n", 29, "string"),
        ("TRouterConfiguration new\n\tdispatcherConfigBlock: [\n\t\tTUpnpDispatcherConfig new\n"
         "\t\t\tlocalAddressString: '10.0.0.1;\n\t\t\tyourself]", 4, "string"),
        (HAND_EDITED.replace("\t\t\tyourself];\n\tlogTags", "\t\t\tyourself;\n\tlogTags"),
         13, "block"),
        ("TRouterConfiguration new\n\tdispatcherConfigBlock: [\n\t\tTUpnpDispatcherConfig new",
         2, "block"),
    ],
    ids=["comment", "comment-short", "string", "string-in-block", "block", "block-at-end"],
)
def test_unterminated_things_name_their_line(broken: str, line: int, what: str) -> None:
    for text in (broken, crlf(broken)):
        found_line, message = error_line(text)
        assert found_line == line
        assert f"line {line}:" in message and what in message
        with pytest.raises(RouterConfError):
            render_router_conf(text, router())


def test_block_that_builds_no_dispatcher_config() -> None:
    line, message = error_line("TRouterConfiguration new\n\tdispatcherConfigBlock: [nil]")
    assert line == 2 and "TUpnpDispatcherConfig new" in message
