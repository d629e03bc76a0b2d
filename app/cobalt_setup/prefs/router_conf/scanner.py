"""A Smalltalk scanner, just enough for cobalt-router.conf: tokens with their offsets, and
matched brackets. Hand-written: no maintained Python library reads Squeak Smalltalk."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cobalt_setup.i18n import _
from cobalt_setup.prefs.router_conf.terms import (
    FIX,
    RouterConfError,
)

# No maintained Python library parses Squeak/Pharo Smalltalk source for editing (syntax
# highlighters forgive exactly the errors this module must report), so this is a small
# hand-written scanner. It knows just enough Smalltalk to never mistake the inside of a
# "comment", a 'string' (with '' for a quote), a character literal ($' $" $[ $] ...), a
# #symbol or a #(literal array) for code, and to match brackets.

_BINARY_CHARS = frozenset("+-*/\\<>=~@%&?,!")
_OPENERS = {"(": ")", "[": "]", "{": "}", "#(": ")", "#[": "]"}
_NUMBER = re.compile(r"[0-9]+(?:r[0-9A-Za-z]+)?(?:\.[0-9]+)?(?:e-?[0-9]+)?(?:s[0-9]*)?")


@dataclass
class Token:
    kind: str  # ident keyword blockarg string char symbol number open close punct
    text: str
    start: int
    end: int
    depth: int = 0  # brackets around it (an open/close token counts as outside itself)
    literal: bool = False  # inside a #( literal array ): keywords there are symbols


def line_of(text: str, pos: int) -> int:
    """The 1-based line of `pos`, with LF, CRLF and CR line endings all counted once."""
    before = text[:pos]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def conf_error(text: str, pos: int, what: str, fix: str | None = None) -> RouterConfError:
    """`what` is wrong at `pos` and `fix` (translated; default: FIX) says what to do."""
    line = line_of(text, pos)
    # Translators: a problem in cobalt-router.conf: {problem} says what is
    # wrong there and {fix} what to do about it (both lower case).
    message = _("line {line}: {problem}; {fix}").format(
        line=line, problem=what, fix=_(FIX) if fix is None else fix)
    return RouterConfError(message, line)


def _string_end(text: str, quote: int) -> int:
    """The offset just after the string literal whose opening quote is at `quote`."""
    i = quote + 1
    while True:
        close = text.find("'", i)
        if close < 0:
            raise conf_error(text, quote, _("the string that starts here ('...) is never closed "
                                        "(a missing ')"))
        if text.startswith("''", close):  # a doubled quote stands for one quote
            i = close + 2
            continue
        return close + 1


def _is_ident_start(c: str) -> bool:
    return c.isalpha() or c == "_"


def _is_ident_part(c: str) -> bool:
    return c.isalnum() or c == "_"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)

    def add(kind: str, end: int) -> None:
        tokens.append(Token(kind, text[i:end], i, end))

    while i < n:
        c = text[i]
        nxt = text[i + 1: i + 2]
        if c.isspace():
            i += 1
        elif c == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise conf_error(text, i, _('the comment that starts here ("...) is never closed '
                                        '(a missing ")'))
            i = close + 1
        elif c == "'":
            end = _string_end(text, i)
            add("string", end)
            i = end
        elif c == "$":
            if not nxt:
                raise conf_error(text, i,
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


def match_brackets(text: str, tokens: list[Token]) -> dict[int, int]:
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
                raise conf_error(text, token.start, problem)
            opener_index = stack.pop()
            opener = tokens[opener_index]
            literal_levels -= literal_stack.pop()
            token.depth = len(stack)
            token.literal = literal_levels > 0
            if _OPENERS[opener.text] != token.text:
                # Translators: {bracket} is ), ] or }; {opener} is (, [, {, #( or #[.
                problem = _("this {bracket} does not match the {opener} on line {line}").format(
                    bracket=token.text, opener=opener.text, line=line_of(text, opener.start))
                raise conf_error(text, token.start, problem)
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
        raise conf_error(text, opener.start,
                     what.format(opener=opener.text, closer=_OPENERS[opener.text]))
    return pairs
