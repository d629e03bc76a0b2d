"""The General Preferences INI: a rewrite changes only the wizard's keys."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from cobalt_setup.prefs.general_ini import IniReadError, read_general_ini, render_general_ini
from cobalt_setup.settings import ROUTER_CONF_FIELDS, Settings

HAND_EDITED = """\
# My Open Cobalt settings -- edited by hand, keep this comment
[DNS]
; the office resolver
Servers = 10.1.2.3, 10.1.2.4:5353
Timeout = 3

[Custom]
# a section the wizard does not know
color = blue

[SpaceDirectory]
Host = directory.corp.example
Port = 1389
"""


def write(tmp_path: Path, text: str | bytes, name: str = "prefs.ini") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_reads_as_none(tmp_path: Path) -> None:
    assert read_general_ini(tmp_path / "nope.ini") is None


def test_reads_known_keys_with_their_lines(tmp_path: Path) -> None:
    contents = read_general_ini(write(tmp_path, HAND_EDITED))
    assert contents is not None
    assert contents.texts == {
        ("DNS", "Servers"): "10.1.2.3, 10.1.2.4:5353",
        ("SpaceDirectory", "Host"): "directory.corp.example",
        ("SpaceDirectory", "Port"): "1389",
    }
    assert contents.lines[("DNS", "Servers")] == 4
    assert contents.lines[("SpaceDirectory", "Host")] == 12


def test_rewrite_keeps_comments_unknown_keys_and_sections(tmp_path: Path) -> None:
    contents = read_general_ini(write(tmp_path, HAND_EDITED))
    settings = Settings.from_texts({**contents.texts, ("DNS", "Servers"): "127.0.0.1"})
    new = render_general_ini(contents, settings).decode("utf-8")
    old_lines = [line for line in HAND_EDITED.splitlines() if line]
    new_lines = [line for line in new.splitlines() if line]
    # Every line the user wrote is still there, in order, except the one value changed.
    changed = [line for line in old_lines if line not in new_lines]
    assert changed == ["Servers = 10.1.2.3, 10.1.2.4:5353"]
    assert "Servers = 127.0.0.1" in new_lines
    kept = [line for line in new_lines if line in old_lines]
    assert kept == [line for line in old_lines if line in new_lines]
    # The wizard's other keys were added to their sections; the router settings live in
    # cobalt-router.conf only, so the INI does not state them.
    again = read_general_ini(write(tmp_path, new, "again.ini"))
    assert again.texts == {key: text for key, text in settings.texts().items()
                           if key not in ROUTER_CONF_FIELDS}
    assert "color = blue" in new_lines and "Timeout = 3" in new_lines


def test_rewrite_with_the_same_values_changes_nothing(tmp_path: Path) -> None:
    first = render_general_ini(None, Settings.defaults())
    contents = read_general_ini(write(tmp_path, first))
    assert render_general_ini(contents, Settings.defaults()) == first


def test_new_file_has_every_section_and_an_explaining_comment(tmp_path: Path) -> None:
    text = render_general_ini(None, Settings.defaults()).decode()
    assert text.startswith("# Open Cobalt network settings")
    for section in ("[DNS]", "[SpaceDirectory]", "[Xrfb]", "[Chat]", "[Router]", "[Web]"):
        assert section in text
    assert "DispatcherService = _cobalt-dispatcher._tcp" in text


def test_a_byte_order_mark_is_kept(tmp_path: Path) -> None:
    contents = read_general_ini(write(tmp_path, codecs.BOM_UTF8 + HAND_EDITED.encode()))
    assert contents.texts[("DNS", "Servers")] == "10.1.2.3, 10.1.2.4:5353"
    assert render_general_ini(contents, Settings.defaults()).startswith(codecs.BOM_UTF8)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[DNS]\nServers = 1.1.1.1\njust some words\n", 3, "not a valid INI file"),
        ("[DNS]\nServers = 1\nServers = 2\n", 3, "already exists"),
        (b"[DNS]\nServers = \xff\xfe\n", 2, "not UTF-8"),
    ],
)
def test_broken_files_name_the_line(tmp_path: Path, text: str | bytes, line: int,
                                    words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(IniReadError, match=words) as caught:
        read_general_ini(path)
    assert caught.value.line == line
    assert str(path) in str(caught.value)


def test_a_folder_in_place_of_the_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "prefs.ini").mkdir()
    with pytest.raises(IniReadError, match="is a folder"):
        read_general_ini(tmp_path / "prefs.ini")
