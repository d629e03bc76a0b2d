"""Writing the dispatcher block: the template for a new file, and the splice editor that
changes an existing block in place (every other byte kept)."""

from __future__ import annotations

import re

from cobalt_setup.i18n import _
from cobalt_setup.prefs.router_conf.reading import (
    Analysis,
    Message,
    analyse,
    find_dispatcher_block,
    quoted,
)
from cobalt_setup.prefs.router_conf.scanner import (
    conf_error,
)
from cobalt_setup.prefs.router_conf.terms import (
    DEFAULT_ROUTER_CLASS,
    DISPATCHER_PORT,
    LOCAL_ADDRESS,
    MESSAGE_ORDER,
    MODE_CLASSES,
    ROUTER_CLASS,
    TEMPLATE_HEADER,
    DispatcherBlock,
    RouterConfError,
)
from cobalt_setup.settings import RouterSettings


def _template(router: RouterSettings) -> str:
    lines = [
        "TRouterConfiguration new",
        "\tdispatcherConfigBlock: [",
        f"\t\t{MODE_CLASSES[router.mode]} new",
        *(f"\t\t\t{message};" for message in _messages(router, MESSAGE_ORDER)),
        "\t\t\tyourself];",
        "\tyourself",
    ]
    return TEMPLATE_HEADER + "\n".join(lines) + "\n"


def _messages(router: RouterSettings, names: tuple[str, ...] | list[str]) -> list[str]:
    texts = {
        ROUTER_CLASS: f"{ROUTER_CLASS} {DEFAULT_ROUTER_CLASS}",
        LOCAL_ADDRESS: f"{LOCAL_ADDRESS} {quoted(router.local_address)}",
        DISPATCHER_PORT: f"{DISPATCHER_PORT} {router.dispatcher_port}",
    }
    return [texts[name] for name in names
            if not (name == LOCAL_ADDRESS and router.local_address == "")]


_LINE_BREAK = re.compile(r"[\r\n]")


class _Lines:
    """Line geometry of a text, for LF, CRLF and CR line endings alike."""

    def __init__(self, text: str) -> None:
        self.text = text
        first_break = re.search(r"\r\n|\r|\n", text)
        self.default_eol = first_break.group() if first_break else "\n"

    def start(self, pos: int) -> int:
        return max(self.text.rfind("\n", 0, pos), self.text.rfind("\r", 0, pos)) + 1

    def end(self, pos: int) -> int:
        """Offset of the line break ending the line that holds `pos` (len(text) if none)."""
        match = _LINE_BREAK.search(self.text, pos)
        return match.start() if match else len(self.text)

    def eol_at(self, pos: int) -> str:
        """The line break at `pos` (as returned by `end`), or the file's usual one."""
        if self.text.startswith("\r\n", pos):
            return "\r\n"
        return self.text[pos] if pos < len(self.text) else self.default_eol

    def eol_before(self, line_start: int) -> str:
        if self.text[max(0, line_start - 2): line_start] == "\r\n":
            return "\r\n"
        return self.text[line_start - 1] if line_start > 0 else self.default_eol

    def indent(self, pos: int) -> str:
        start = self.start(pos)
        end = start
        while end < len(self.text) and self.text[end] in " \t":
            end += 1
        return self.text[start:end]

    def starts_line(self, pos: int) -> bool:
        return self.text[self.start(pos): pos].strip(" \t") == ""


def _deletion(analysis: Analysis, lines: _Lines, message: Message) -> tuple[int, int, str]:
    """The edit that removes one cascade message, with its line when it has one of its own."""
    text, tokens = analysis.text, analysis.tokens
    start = tokens[message.first].start
    if message.semicolon is None:  # the last message: take the ';' before it instead
        before = tokens[message.first - 1]
        cut = before.start if before.kind == "punct" and before.text == ";" else before.end
        return (cut, tokens[message.last].end, "")
    end = tokens[message.semicolon].end
    line_end = lines.end(end)
    rest_blank = text[end:line_end].strip(" \t") == ""
    if rest_blank and lines.starts_line(start):
        return (lines.start(start), line_end + len(lines.eol_at(line_end)), "")
    if rest_blank:
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        return (start, end, "")
    while end < len(text) and text[end] in " \t":
        end += 1
    return (start, end, "")


def _indent_unit(indent: str) -> str:
    return "    " if indent and "\t" not in indent else "\t"


def _insertions(
    analysis: Analysis, lines: _Lines, router: RouterSettings,
    missing: list[str], deleted: set[int],
) -> list[tuple[int, int, str]]:
    """Edits that add the `missing` messages to the cascade, in the order we write them."""
    tokens = analysis.tokens
    alive = [m for m in analysis.cascade if m.first not in deleted]

    def name_of(message: Message) -> str:
        token = tokens[message.first]
        if token.kind == "ident" and token.text == "yourself" and message.first == message.last:
            return "yourself"
        return token.text

    slots: dict[int | None, list[str]] = {}  # first token of the message to go before, or None
    for name in missing:
        later = set(MESSAGE_ORDER[MESSAGE_ORDER.index(name) + 1:]) | {"yourself"}
        anchor = next((m.first for m in alive if name_of(m) in later), None)
        slots.setdefault(anchor, []).append(name)

    edits = []
    for anchor, names in slots.items():
        messages = _messages(router, names)
        if not messages:
            continue
        if anchor is not None:
            pos = tokens[anchor].start
            if lines.starts_line(pos):
                line_start = lines.start(pos)
                eol, indent = lines.eol_before(line_start), lines.indent(pos)
                edits.append((line_start, line_start,
                              "".join(f"{indent}{m};{eol}" for m in messages)))
            else:
                edits.append((pos, pos, "".join(f"{m}; " for m in messages)))
        elif alive:  # after the last message
            last = alive[-1]
            pos = tokens[last.last].end
            first_pos = tokens[last.first].start
            separator = (lines.eol_at(lines.end(pos)) + lines.indent(first_pos)
                         if lines.starts_line(first_pos) else " ")
            edits.append((pos, pos, "".join(f";{separator}{m}" for m in messages)))
        else:  # `TXxxDispatcherConfig new` with no message yet
            class_pos = tokens[analysis.class_index].start
            pos = tokens[analysis.new_index].end
            base = lines.indent(class_pos)
            unit = _indent_unit(base)
            indent = base + (unit if lines.starts_line(class_pos) else unit * 2)
            eol = lines.eol_at(lines.end(pos))
            body = [*messages, "yourself"]
            edits.append((pos, pos, ";".join(f"{eol}{indent}{m}" for m in body)))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces, cursor = [], 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < cursor:
            raise AssertionError("overlapping edits")  # a bug here, never the user's file
        pieces += [text[cursor:start], replacement]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def render_router_conf(existing: str | None, router: RouterSettings) -> str:
    """cobalt-router.conf text with `router`'s mode, local address and dispatcher port.

    `existing` None gives the template. Otherwise only the dispatcher block changes (see the
    module docstring); with nothing to change the result is `existing` itself. Raises
    `RouterConfError` when `existing` cannot be edited safely.
    """
    if existing is None:
        return _template(router)
    analysis = analyse(existing)
    block, tokens, lines = analysis.block, analysis.tokens, _Lines(existing)
    want_class = MODE_CLASSES[router.mode]
    edits: list[tuple[int, int, str]] = []
    missing: list[str] = []
    deleted: set[int] = set()

    if block.class_name != want_class:
        token = tokens[analysis.class_index]
        edits.append((token.start, token.end, want_class))

    if block.local_address != router.local_address:
        argument = analysis.arguments.get(LOCAL_ADDRESS)
        if argument is None:
            missing.append(LOCAL_ADDRESS)
        elif router.local_address:
            edits.append((tokens[argument.first].start, tokens[argument.last].end,
                          quoted(router.local_address)))
        else:
            message = next((m for m in analysis.cascade if m.first == argument.keyword), None)
            if message is None:
                # Translators: {keyword} is localAddressString: and {class_name} a
                # Smalltalk class such as TUpnpDispatcherConfig (neither translated).
                problem = _("{keyword} is not sent to the new {class_name}, so the wizard "
                            "cannot remove it").format(keyword=LOCAL_ADDRESS,
                                                       class_name=block.class_name)
                raise conf_error(existing, tokens[argument.keyword].start, problem,
                             _("delete it by hand to let Open Cobalt detect the address"))
            edits.append(_deletion(analysis, lines, message))
            deleted.add(message.first)

    if block.dispatcher_port != router.dispatcher_port:
        argument = analysis.arguments.get(DISPATCHER_PORT)
        if argument is None:
            missing.append(DISPATCHER_PORT)
        else:
            edits.append((tokens[argument.first].start, tokens[argument.last].end,
                          str(router.dispatcher_port)))

    if (edits or missing) and ROUTER_CLASS not in analysis.arguments:
        missing.insert(0, ROUTER_CLASS)
    if not edits and not missing:
        return existing
    edits += _insertions(analysis, lines, router, missing, deleted)
    result = _apply(existing, edits)
    _verify(existing, result, block, router)
    return result


def _verify(old: str, new: str, before: DispatcherBlock, router: RouterSettings) -> None:
    """Re-read what we wrote: the right values, and not a byte changed outside the block."""
    try:
        after = find_dispatcher_block(new)
        good = (
            new[: after.start] == old[: before.start]
            and new[after.end:] == old[before.end:]
            and after.class_name == MODE_CLASSES[router.mode]
            and after.local_address == router.local_address
            and after.dispatcher_port == router.dispatcher_port
            and after.router_class == (before.router_class or DEFAULT_ROUTER_CLASS)
        )
    except RouterConfError:
        good = False
    if not good:
        raise conf_error(old, before.start,
                     _("the wizard could not rewrite the dispatcher block that starts here "
                       "safely"), _("set the mode, address and port in it by hand"))
