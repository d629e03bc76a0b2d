"""Open Cobalt's router configuration, `config/cobalt-router.conf`: its dispatcher block.

The file is Smalltalk code that returns a router configuration object. The wizard reads
and changes only the argument of the keyword ``dispatcherConfigBlock:``, a block that
builds one of three dispatcher configurations:

- ``TUpnpDispatcherConfig`` (RouterMode.UPNP): the router opens a hole with UPnP;
- ``TManualDispatcherConfig`` (RouterMode.MANUAL): the ports are forwarded by hand;
- ``TLanOnlyDispatcherConfig`` (RouterMode.LAN_ONLY): no forwarding, LAN peers only.

Each takes ``routerClass:``, ``localAddressString:`` and ``dispatcherPort:``. Every other
byte of the file (comments, line endings, tabs, an ``authServicesBlock:``, logging
settings, trailing text) is kept exactly as it was.

The exact statement syntax Open Cobalt uses is not published. The form below is
INFERRED from Open Cobalt's documentation (the keyword, the three class names and their
three settings); it is what the wizard writes when the file does not exist yet::

    "cobalt-router.conf: Open Cobalt router configuration. ..."
    TRouterConfiguration new
        dispatcherConfigBlock: [
            TUpnpDispatcherConfig new
                routerClass: TRouter;
                localAddressString: '192.168.1.20';
                dispatcherPort: 6900;
                yourself];
        yourself

(indented with tabs in the file). ``localAddressString:`` is left out when the local
address is empty, meaning "let Open Cobalt detect it".

An existing block is edited in place, never regenerated: the class name, the
``localAddressString:`` string and the ``dispatcherPort:`` number are replaced; a missing
message is inserted as a new cascade line indented like its neighbours (with
``routerClass: TRouter`` when the block has no ``routerClass:`` yet); a
``localAddressString:`` message is removed when the address becomes empty. Block
parameters (``[:config | ...``), the ``routerClass:`` expression, comments and any other
message inside the block stay as they were. When nothing changes the text comes back
byte for byte. Work is on ``str``: the caller decodes UTF-8 and encodes the result back;
line endings (LF, CRLF or Squeak's CR) are kept because the text is only spliced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cobalt_setup.i18n import N_, _
from cobalt_setup.settings import RouterMode, RouterSettings

ROUTER_CONF_RELATIVE_PATH = Path("config") / "cobalt-router.conf"

MODE_CLASSES: dict[RouterMode, str] = {
    RouterMode.UPNP: "TUpnpDispatcherConfig",
    RouterMode.MANUAL: "TManualDispatcherConfig",
    RouterMode.LAN_ONLY: "TLanOnlyDispatcherConfig",
}
_CLASS_MODES: dict[str, RouterMode] = {name: mode for mode, name in MODE_CLASSES.items()}

DISPATCHER_KEYWORD = "dispatcherConfigBlock:"
DEFAULT_ROUTER_CLASS = "TRouter"
_ROUTER_CLASS = "routerClass:"
_LOCAL_ADDRESS = "localAddressString:"
_DISPATCHER_PORT = "dispatcherPort:"
_MESSAGE_ORDER = (_ROUTER_CLASS, _LOCAL_ADDRESS, _DISPATCHER_PORT)  # the order we write them in

# Translators: what to do about a problem in cobalt-router.conf; shown
# after the problem and a semicolon, lower case.
_FIX = N_("fix the file by hand, or move it away so the wizard writes a fresh one")
_CONFIG_CLASS = re.compile(r"T\w*DispatcherConfig")

_TEMPLATE_HEADER = (
    '"cobalt-router.conf: Open Cobalt router configuration.\n'
    "Written by Cobalt Network Setup. The form of this file is inferred from Open Cobalt's\n"
    "documentation (dispatcherConfigBlock: with TUpnpDispatcherConfig, TManualDispatcherConfig\n"
    "or TLanOnlyDispatcherConfig); edit the dispatcher block through the wizard, "
    'the rest by hand."\n'
)


@dataclass(frozen=True)
class DispatcherBlock:
    """What the dispatcher block of a cobalt-router.conf says, and where it is."""

    mode: RouterMode | None  # None when the class name is not one of the three
    class_name: str
    local_address: str  # "" when absent (or not a string literal)
    dispatcher_port: int | None  # None when absent (or not an integer literal)
    router_class: str | None  # the argument expression of routerClass:, verbatim
    start: int  # offsets in the text: the block from '[' ...
    end: int  # ... to just after the matching ']'


class RouterConfError(ValueError):
    """The file cannot be understood well enough to edit safely; the message says where (line number) and what to do."""  # noqa: E501

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# --- The scanner ---------------------------------------------------------------------------
# No maintained Python library parses Squeak/Pharo Smalltalk source for editing (syntax
# highlighters forgive exactly the errors this module must report), so this is a small
# hand-written scanner. It knows just enough Smalltalk to never mistake the inside of a
# "comment", a 'string' (with '' for a quote), a character literal ($' $" $[ $] ...), a
# #symbol or a #(literal array) for code, and to match brackets.

_BINARY_CHARS = frozenset("+-*/\\<>=~@%&?,!")
_OPENERS = {"(": ")", "[": "]", "{": "}", "#(": ")", "#[": "]"}
_NUMBER = re.compile(r"[0-9]+(?:r[0-9A-Za-z]+)?(?:\.[0-9]+)?(?:e-?[0-9]+)?(?:s[0-9]*)?")


@dataclass
class _Token:
    kind: str  # ident keyword blockarg string char symbol number open close punct
    text: str
    start: int
    end: int
    depth: int = 0  # brackets around it (an open/close token counts as outside itself)
    literal: bool = False  # inside a #( literal array ): keywords there are symbols


def _line_of(text: str, pos: int) -> int:
    """The 1-based line of `pos`, with LF, CRLF and CR line endings all counted once."""
    before = text[:pos]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _error(text: str, pos: int, what: str, fix: str | None = None) -> RouterConfError:
    """`what` is wrong at `pos` and `fix` (translated; default: _FIX) says what to do."""
    line = _line_of(text, pos)
    # Translators: a problem in cobalt-router.conf: {problem} says what is
    # wrong there and {fix} what to do about it (both lower case).
    message = _("line {line}: {problem}; {fix}").format(
        line=line, problem=what, fix=_(_FIX) if fix is None else fix)
    return RouterConfError(message, line)


def _string_end(text: str, quote: int) -> int:
    """The offset just after the string literal whose opening quote is at `quote`."""
    i = quote + 1
    while True:
        close = text.find("'", i)
        if close < 0:
            raise _error(text, quote, _("the string that starts here ('...) is never closed "
                                        "(a missing ')"))
        if text.startswith("''", close):  # a doubled quote stands for one quote
            i = close + 2
            continue
        return close + 1


def _is_ident_start(c: str) -> bool:
    return c.isalpha() or c == "_"


def _is_ident_part(c: str) -> bool:
    return c.isalnum() or c == "_"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)

    def add(kind: str, end: int) -> None:
        tokens.append(_Token(kind, text[i:end], i, end))

    while i < n:
        c = text[i]
        nxt = text[i + 1: i + 2]
        if c.isspace():
            i += 1
        elif c == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise _error(text, i, _('the comment that starts here ("...) is never closed '
                                        '(a missing ")'))
            i = close + 1
        elif c == "'":
            end = _string_end(text, i)
            add("string", end)
            i = end
        elif c == "$":
            if not nxt:
                raise _error(text, i,
                             _("the file ends with a $ that has no character after it"))
            add("char", i + 2)
            i += 2
        elif c == "#":
            if nxt in ("(", "["):
                add("open", i + 2)
                i += 2
                continue
            if nxt == "'":
                end = _string_end(text, i + 1)
            else:
                end = i + 1
                if nxt and _is_ident_start(nxt):
                    while end < n and (_is_ident_part(text[end]) or text[end] == ":"):
                        end += 1
                else:
                    while end < n and (text[end] in _BINARY_CHARS or text[end] == "|"):
                        end += 1
            add("symbol", end)
            i = end
        elif _is_ident_start(c):
            end = i + 1
            while end < n and _is_ident_part(text[end]):
                end += 1
            if text.startswith(":", end) and not text.startswith(":=", end):
                add("keyword", end + 1)
                i = end + 1
            else:
                add("ident", end)
                i = end
        elif "0" <= c <= "9":
            match = _NUMBER.match(text, i)
            assert match is not None
            add("number", match.end())
            i = match.end()
        elif c == ":":
            if nxt == "=":
                add("punct", i + 2)
                i += 2
            elif nxt and _is_ident_start(nxt):
                end = i + 2
                while end < n and _is_ident_part(text[end]):
                    end += 1
                add("blockarg", end)
                i = end
            else:
                add("punct", i + 1)
                i += 1
        elif c in "([{":
            add("open", i + 1)
            i += 1
        elif c in ")]}":
            add("close", i + 1)
            i += 1
        elif c in _BINARY_CHARS:
            end = i + 1
            while end < n and text[end] in _BINARY_CHARS:
                end += 1
            add("punct", end)
            i = end
        else:  # . ; ^ | and anything unexpected
            add("punct", i + 1)
            i += 1
    return tokens


def _match_brackets(text: str, tokens: list[_Token]) -> dict[int, int]:
    """Sets each token's depth; returns {index of an opening bracket: index of its closer}."""
    stack: list[int] = []
    literal_levels = 0  # how many of the open brackets are literal arrays
    literal_stack: list[bool] = []
    pairs: dict[int, int] = {}
    for index, token in enumerate(tokens):
        token.depth = len(stack)
        token.literal = literal_levels > 0
        if token.kind == "open":
            is_literal = token.text == "#(" or (token.text == "(" and literal_levels > 0)
            stack.append(index)
            literal_stack.append(is_literal)
            literal_levels += is_literal
        elif token.kind == "close":
            if not stack:
                # Translators: {bracket} is ), ] or }.
                problem = _("this {bracket} closes nothing (an opening bracket is missing "
                            "before it, or this one is extra)").format(bracket=token.text)
                raise _error(text, token.start, problem)
            opener_index = stack.pop()
            opener = tokens[opener_index]
            literal_levels -= literal_stack.pop()
            token.depth = len(stack)
            token.literal = literal_levels > 0
            if _OPENERS[opener.text] != token.text:
                # Translators: {bracket} is ), ] or }; {opener} is (, [, {, #( or #[.
                problem = _("this {bracket} does not match the {opener} on line {line}").format(
                    bracket=token.text, opener=opener.text, line=_line_of(text, opener.start))
                raise _error(text, token.start, problem)
            pairs[opener_index] = index
    if stack:
        opener = tokens[stack[-1]]
        if opener.text == "[":
            # Translators: a Smalltalk block [ ... ]; {closer} is ].
            what = _("the block {opener} that starts here is never closed (a missing {closer})")
        else:
            # Translators: {opener} is (, {, #( or #[; {closer} is ), } or ].
            what = _("the bracket {opener} that starts here is never closed "
                     "(a missing {closer})")
        raise _error(text, opener.start,
                     what.format(opener=opener.text, closer=_OPENERS[opener.text]))
    return pairs


# --- The dispatcher block ------------------------------------------------------------------


@dataclass(frozen=True)
class _Message:
    """One message of the cascade sent to `TXxxDispatcherConfig new`, as token indices."""

    first: int
    last: int
    semicolon: int | None  # the ';' after it, None for the last message


@dataclass(frozen=True)
class _Argument:
    keyword: int  # token index of e.g. `dispatcherPort:`
    first: int  # first and last token of its argument expression
    last: int


@dataclass(frozen=True)
class _Analysis:
    text: str
    tokens: list[_Token]
    block: DispatcherBlock
    class_index: int
    new_index: int
    arguments: dict[str, _Argument]
    cascade: tuple[_Message, ...]
    address_is_literal: bool


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


def _quote(value: str) -> str:
    """A Smalltalk string literal: quotes inside are doubled."""
    return "'" + value.replace("'", "''") + "'"


def _parse_integer(literal: str) -> int | None:
    if literal.isdigit():
        return int(literal)
    radix, _sep, digits = literal.partition("r")
    if radix.isdigit() and 2 <= int(radix) <= 36 and digits:
        try:
            return int(digits, int(radix))
        except ValueError:
            return None
    return None


def _find_keyword(text: str, tokens: list[_Token]) -> int:
    found = [i for i, t in enumerate(tokens)
             if t.kind == "keyword" and t.text == DISPATCHER_KEYWORD and not t.literal]
    if not found:
        last_line = _line_of(text, len(text.rstrip("\r\n")))
        # Translators: {keyword} is dispatcherConfigBlock: (Smalltalk, not
        # translated).
        message = _("lines 1-{last_line}: the file has no {keyword}; add one by hand or move "
                    "the file away so the wizard writes a fresh one")
        raise RouterConfError(message.format(last_line=last_line, keyword=DISPATCHER_KEYWORD), 1)
    if len(found) > 1:
        lines = ", ".join(str(_line_of(text, tokens[i].start)) for i in found)
        # Translators: {keyword} is dispatcherConfigBlock: (Smalltalk, not
        # translated); {count} is 2 or more; {lines} lists line numbers, e.g. "3,
        # 12".
        problem = _("{keyword} appears {count} times (lines {lines}), so the wizard cannot "
                    "tell which one Open Cobalt uses").format(
            keyword=DISPATCHER_KEYWORD, count=len(found), lines=lines)
        raise _error(text, tokens[found[1]].start, problem,
                     _("keep only one by hand, or move the file away so the wizard writes a "
                       "fresh one"))
    return found[0]


def _argument(text: str, tokens: list[_Token], keyword: int, close: int) -> _Argument:
    """The expression after a keyword, up to the next ; or . or closing bracket at its level."""
    depth = tokens[keyword].depth
    j = keyword + 1
    while j < close:
        token = tokens[j]
        if token.depth < depth or (
            token.depth == depth and token.kind == "punct" and token.text in (";", ".")
        ):
            break
        j += 1
    if j == keyword + 1:
        # Translators: {keyword} is a Smalltalk keyword such as dispatcherPort:.
        problem = _("{keyword} has nothing after it").format(keyword=tokens[keyword].text)
        raise _error(text, tokens[keyword].start, problem)
    return _Argument(keyword, keyword + 1, j - 1)


def _cascade(tokens: list[_Token], new_index: int) -> tuple[_Message, ...]:
    """The messages sent to `TXxxDispatcherConfig new`: `new a: 1; b: 2; yourself`."""
    depth = tokens[new_index].depth
    messages: list[_Message] = []
    first: int | None = None
    last = new_index
    j = new_index + 1
    while j < len(tokens):
        token = tokens[j]
        if token.depth < depth:
            break
        if token.depth == depth and token.kind == "punct" and token.text in (";", "."):
            if token.text == "." or first is None:
                break
            messages.append(_Message(first, last, j))
            first = None
        else:
            if first is None:
                first = j
            last = j
        j += 1
    if first is not None:
        messages.append(_Message(first, last, None))
    return tuple(messages)


def _analyse(text: str) -> _Analysis:
    tokens = _tokenize(text)
    pairs = _match_brackets(text, tokens)
    keyword = _find_keyword(text, tokens)
    open_index = keyword + 1
    if open_index >= len(tokens) or tokens[open_index].text != "[":
        # Translators: {keyword} is dispatcherConfigBlock: (Smalltalk, not
        # translated).
        problem = _("{keyword} is not followed by a block [ ... ]").format(
            keyword=DISPATCHER_KEYWORD)
        raise _error(text, tokens[keyword].start, problem,
                     _("write the block by hand, or move the file away so the wizard writes a "
                       "fresh one"))
    close_index = pairs[open_index]

    class_index = next(
        (i for i in range(open_index + 1, close_index - 1)
         if tokens[i].kind == "ident" and not tokens[i].literal
         and _CONFIG_CLASS.fullmatch(tokens[i].text)
         and tokens[i + 1].kind == "ident" and tokens[i + 1].text == "new"),
        None,
    )
    if class_index is None:
        raise _error(text, tokens[open_index].start,
                     _("the dispatcher block that starts here builds no dispatcher "
                       "configuration (expected TUpnpDispatcherConfig new, "
                       "TManualDispatcherConfig new or TLanOnlyDispatcherConfig new)"))

    arguments: dict[str, _Argument] = {}
    for name in _MESSAGE_ORDER:
        found = [i for i in range(open_index + 1, close_index)
                 if tokens[i].kind == "keyword" and tokens[i].text == name
                 and not tokens[i].literal]
        if len(found) > 1:
            lines = ", ".join(str(_line_of(text, tokens[i].start)) for i in found)
            # Translators: {keyword} is a Smalltalk keyword such as dispatcherPort:;
            # {lines} lists line numbers, e.g. "3, 12".
            problem = _("the dispatcher block sets {keyword} more than once (lines {lines})"
                        ).format(keyword=name, lines=lines)
            raise _error(text, tokens[found[1]].start, problem, _("keep only one by hand"))
        if found:
            arguments[name] = _argument(text, tokens, found[0], close_index)

    def single(name: str, kind: str) -> _Token | None:
        argument = arguments.get(name)
        if argument is None or argument.first != argument.last:
            return None
        token = tokens[argument.first]
        return token if token.kind == kind else None

    address_token = single(_LOCAL_ADDRESS, "string")
    port_token = single(_DISPATCHER_PORT, "number")
    router = arguments.get(_ROUTER_CLASS)
    class_name = tokens[class_index].text
    block = DispatcherBlock(
        mode=_CLASS_MODES.get(class_name),
        class_name=class_name,
        local_address=_unquote(address_token.text) if address_token else "",
        dispatcher_port=_parse_integer(port_token.text) if port_token else None,
        router_class=(text[tokens[router.first].start: tokens[router.last].end]
                      if router else None),
        start=tokens[open_index].start,
        end=tokens[close_index].end,
    )
    return _Analysis(text, tokens, block, class_index, class_index + 1, arguments,
                     _cascade(tokens, class_index + 1), address_token is not None)


def find_dispatcher_block(text: str) -> DispatcherBlock:
    """The dispatcher block of a cobalt-router.conf text; `RouterConfError` if unclear."""
    return _analyse(text).block


def read_router_settings_texts(text: str) -> dict[tuple[str, str], str]:
    """The [Router] fields the file states, as INI texts: {("Router","Mode"): "upnp", ("Router","DispatcherPort"): "6900", ("Router","LocalAddress"): "..."} — only the ones present/recognised.

    A block without ``localAddressString:`` states LocalAddress "" (let Open Cobalt detect
    it), the form the wizard writes; an address given by an expression rather than a
    string literal, a port that is not an integer literal and an unknown class are left out.
    """  # noqa: E501
    analysis = _analyse(text)
    block = analysis.block
    texts: dict[tuple[str, str], str] = {}
    if block.mode is not None:
        texts["Router", "Mode"] = block.mode.value
    if block.dispatcher_port is not None:
        texts["Router", "DispatcherPort"] = str(block.dispatcher_port)
    if analysis.address_is_literal or _LOCAL_ADDRESS not in analysis.arguments:
        texts["Router", "LocalAddress"] = block.local_address
    return texts


# --- Writing -------------------------------------------------------------------------------


def _template(router: RouterSettings) -> str:
    lines = [
        "TRouterConfiguration new",
        "\tdispatcherConfigBlock: [",
        f"\t\t{MODE_CLASSES[router.mode]} new",
        *(f"\t\t\t{message};" for message in _messages(router, _MESSAGE_ORDER)),
        "\t\t\tyourself];",
        "\tyourself",
    ]
    return _TEMPLATE_HEADER + "\n".join(lines) + "\n"


def _messages(router: RouterSettings, names: tuple[str, ...] | list[str]) -> list[str]:
    texts = {
        _ROUTER_CLASS: f"{_ROUTER_CLASS} {DEFAULT_ROUTER_CLASS}",
        _LOCAL_ADDRESS: f"{_LOCAL_ADDRESS} {_quote(router.local_address)}",
        _DISPATCHER_PORT: f"{_DISPATCHER_PORT} {router.dispatcher_port}",
    }
    return [texts[name] for name in names
            if not (name == _LOCAL_ADDRESS and router.local_address == "")]


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


def _deletion(analysis: _Analysis, lines: _Lines, message: _Message) -> tuple[int, int, str]:
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
    analysis: _Analysis, lines: _Lines, router: RouterSettings,
    missing: list[str], deleted: set[int],
) -> list[tuple[int, int, str]]:
    """Edits that add the `missing` messages to the cascade, in the order we write them."""
    tokens = analysis.tokens
    alive = [m for m in analysis.cascade if m.first not in deleted]

    def name_of(message: _Message) -> str:
        token = tokens[message.first]
        if token.kind == "ident" and token.text == "yourself" and message.first == message.last:
            return "yourself"
        return token.text

    slots: dict[int | None, list[str]] = {}  # first token of the message to go before, or None
    for name in missing:
        later = set(_MESSAGE_ORDER[_MESSAGE_ORDER.index(name) + 1:]) | {"yourself"}
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
    analysis = _analyse(existing)
    block, tokens, lines = analysis.block, analysis.tokens, _Lines(existing)
    want_class = MODE_CLASSES[router.mode]
    edits: list[tuple[int, int, str]] = []
    missing: list[str] = []
    deleted: set[int] = set()

    if block.class_name != want_class:
        token = tokens[analysis.class_index]
        edits.append((token.start, token.end, want_class))

    if block.local_address != router.local_address:
        argument = analysis.arguments.get(_LOCAL_ADDRESS)
        if argument is None:
            missing.append(_LOCAL_ADDRESS)
        elif router.local_address:
            edits.append((tokens[argument.first].start, tokens[argument.last].end,
                          _quote(router.local_address)))
        else:
            message = next((m for m in analysis.cascade if m.first == argument.keyword), None)
            if message is None:
                # Translators: {keyword} is localAddressString: and {class_name} a
                # Smalltalk class such as TUpnpDispatcherConfig (neither translated).
                problem = _("{keyword} is not sent to the new {class_name}, so the wizard "
                            "cannot remove it").format(keyword=_LOCAL_ADDRESS,
                                                       class_name=block.class_name)
                raise _error(existing, tokens[argument.keyword].start, problem,
                             _("delete it by hand to let Open Cobalt detect the address"))
            edits.append(_deletion(analysis, lines, message))
            deleted.add(message.first)

    if block.dispatcher_port != router.dispatcher_port:
        argument = analysis.arguments.get(_DISPATCHER_PORT)
        if argument is None:
            missing.append(_DISPATCHER_PORT)
        else:
            edits.append((tokens[argument.first].start, tokens[argument.last].end,
                          str(router.dispatcher_port)))

    if (edits or missing) and _ROUTER_CLASS not in analysis.arguments:
        missing.insert(0, _ROUTER_CLASS)
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
        raise _error(old, before.start,
                     _("the wizard could not rewrite the dispatcher block that starts here "
                       "safely"), _("set the mode, address and port in it by hand"))
