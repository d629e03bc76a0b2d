"""Reading the dispatcher block: where it is, which class it builds, which messages it
sends, and the settings they hold."""

from __future__ import annotations

from dataclasses import dataclass

from cobalt_setup.i18n import _
from cobalt_setup.prefs.router_conf.scanner import (
    Token,
    conf_error,
    line_of,
    match_brackets,
    tokenize,
)
from cobalt_setup.prefs.router_conf.terms import (
    CLASS_MODES,
    CONFIG_CLASS,
    DISPATCHER_KEYWORD,
    DISPATCHER_PORT,
    LOCAL_ADDRESS,
    MESSAGE_ORDER,
    ROUTER_CLASS,
    DispatcherBlock,
    RouterConfError,
)


@dataclass(frozen=True)
class Message:
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
class Analysis:
    text: str
    tokens: list[Token]
    block: DispatcherBlock
    class_index: int
    new_index: int
    arguments: dict[str, _Argument]
    cascade: tuple[Message, ...]
    address_is_literal: bool


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


def quoted(value: str) -> str:
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


def _find_keyword(text: str, tokens: list[Token]) -> int:
    found = [i for i, t in enumerate(tokens)
             if t.kind == "keyword" and t.text == DISPATCHER_KEYWORD and not t.literal]
    if not found:
        last_line = line_of(text, len(text.rstrip("\r\n")))
        # Translators: {keyword} is dispatcherConfigBlock: (Smalltalk, not
        # translated).
        message = _("lines 1-{last_line}: the file has no {keyword}; add one by hand or move "
                    "the file away so the wizard writes a fresh one")
        raise RouterConfError(message.format(last_line=last_line, keyword=DISPATCHER_KEYWORD), 1)
    if len(found) > 1:
        lines = ", ".join(str(line_of(text, tokens[i].start)) for i in found)
        # Translators: {keyword} is dispatcherConfigBlock: (Smalltalk, not
        # translated); {count} is 2 or more; {lines} lists line numbers, e.g. "3,
        # 12".
        problem = _("{keyword} appears {count} times (lines {lines}), so the wizard cannot "
                    "tell which one Open Cobalt uses").format(
            keyword=DISPATCHER_KEYWORD, count=len(found), lines=lines)
        raise conf_error(text, tokens[found[1]].start, problem,
                     _("keep only one by hand, or move the file away so the wizard writes a "
                       "fresh one"))
    return found[0]


def _argument(text: str, tokens: list[Token], keyword: int, close: int) -> _Argument:
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
        raise conf_error(text, tokens[keyword].start, problem)
    return _Argument(keyword, keyword + 1, j - 1)


def _cascade(tokens: list[Token], new_index: int) -> tuple[Message, ...]:
    """The messages sent to `TXxxDispatcherConfig new`: `new a: 1; b: 2; yourself`."""
    depth = tokens[new_index].depth
    messages: list[Message] = []
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
            messages.append(Message(first, last, j))
            first = None
        else:
            if first is None:
                first = j
            last = j
        j += 1
    if first is not None:
        messages.append(Message(first, last, None))
    return tuple(messages)


def analyse(text: str) -> Analysis:
    tokens = tokenize(text)
    pairs = match_brackets(text, tokens)
    keyword = _find_keyword(text, tokens)
    open_index = keyword + 1
    if open_index >= len(tokens) or tokens[open_index].text != "[":
        # Translators: {keyword} is dispatcherConfigBlock: (Smalltalk, not
        # translated).
        problem = _("{keyword} is not followed by a block [ ... ]").format(
            keyword=DISPATCHER_KEYWORD)
        raise conf_error(text, tokens[keyword].start, problem,
                     _("write the block by hand, or move the file away so the wizard writes a "
                       "fresh one"))
    close_index = pairs[open_index]

    class_index = next(
        (i for i in range(open_index + 1, close_index - 1)
         if tokens[i].kind == "ident" and not tokens[i].literal
         and CONFIG_CLASS.fullmatch(tokens[i].text)
         and tokens[i + 1].kind == "ident" and tokens[i + 1].text == "new"),
        None,
    )
    if class_index is None:
        raise conf_error(text, tokens[open_index].start,
                     _("the dispatcher block that starts here builds no dispatcher "
                       "configuration (expected TUpnpDispatcherConfig new, "
                       "TManualDispatcherConfig new or TLanOnlyDispatcherConfig new)"))

    arguments: dict[str, _Argument] = {}
    for name in MESSAGE_ORDER:
        found = [i for i in range(open_index + 1, close_index)
                 if tokens[i].kind == "keyword" and tokens[i].text == name
                 and not tokens[i].literal]
        if len(found) > 1:
            lines = ", ".join(str(line_of(text, tokens[i].start)) for i in found)
            # Translators: {keyword} is a Smalltalk keyword such as dispatcherPort:;
            # {lines} lists line numbers, e.g. "3, 12".
            problem = _("the dispatcher block sets {keyword} more than once (lines {lines})"
                        ).format(keyword=name, lines=lines)
            raise conf_error(text, tokens[found[1]].start, problem, _("keep only one by hand"))
        if found:
            arguments[name] = _argument(text, tokens, found[0], close_index)

    def single(name: str, kind: str) -> Token | None:
        argument = arguments.get(name)
        if argument is None or argument.first != argument.last:
            return None
        token = tokens[argument.first]
        return token if token.kind == kind else None

    address_token = single(LOCAL_ADDRESS, "string")
    port_token = single(DISPATCHER_PORT, "number")
    router = arguments.get(ROUTER_CLASS)
    class_name = tokens[class_index].text
    block = DispatcherBlock(
        mode=CLASS_MODES.get(class_name),
        class_name=class_name,
        local_address=_unquote(address_token.text) if address_token else "",
        dispatcher_port=_parse_integer(port_token.text) if port_token else None,
        router_class=(text[tokens[router.first].start: tokens[router.last].end]
                      if router else None),
        start=tokens[open_index].start,
        end=tokens[close_index].end,
    )
    return Analysis(text, tokens, block, class_index, class_index + 1, arguments,
                     _cascade(tokens, class_index + 1), address_token is not None)


def find_dispatcher_block(text: str) -> DispatcherBlock:
    """The dispatcher block of a cobalt-router.conf text; `RouterConfError` if unclear."""
    return analyse(text).block


def read_router_settings_texts(text: str) -> dict[tuple[str, str], str]:
    """The [Router] fields the file states, as INI texts: {("Router","Mode"): "upnp", ("Router","DispatcherPort"): "6900", ("Router","LocalAddress"): "..."} — only the ones present/recognised.

    A block without ``localAddressString:`` states LocalAddress "" (let Open Cobalt detect
    it), the form the wizard writes; an address given by an expression rather than a
    string literal, a port that is not an integer literal and an unknown class are left out.
    """  # noqa: E501
    analysis = analyse(text)
    block = analysis.block
    texts: dict[tuple[str, str], str] = {}
    if block.mode is not None:
        texts["Router", "Mode"] = block.mode.value
    if block.dispatcher_port is not None:
        texts["Router", "DispatcherPort"] = str(block.dispatcher_port)
    if analysis.address_is_literal or LOCAL_ADDRESS not in analysis.arguments:
        texts["Router", "LocalAddress"] = block.local_address
    return texts
