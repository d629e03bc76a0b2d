"""What an XMPP server says, read safely: the client's stream header, the chat domain's
checks, and the incremental stream reader that notes the few facts the verdict needs.

Safety: the XML is parsed incrementally by defusedxml, with document type declarations
refused (XMPP forbids them, RFC 6120 section 11.1), so no entity can be declared, let
alone expanded: an "XML bomb" costs nothing. The parser keeps no tree: it notes the few
facts the report needs, each capped in size and number.
"""

from __future__ import annotations

from defusedxml.ElementTree import DefusedXMLParser

from cobalt_setup.i18n import _
from cobalt_setup.services import BY_ID

SERVICE = "xmpp"
PROBE_ID = "xmpp.client"
STARTTLS_PORT = BY_ID["xmpp"].first_port  # 5222
DIRECT_TLS_PORT = BY_ID["xmpp"].last_port  # 5223: legacy "XMPP over SSL", optional

READ_CAP = 64 * 1024  # the most read from one connection
HEAD_CAP = 256  # the most of it kept, to name a peer that is not XMPP
TEXT_CAP = 200  # the most kept of one text (a stream error's text, a mechanism name)
LIST_CAP = 32  # the most features or mechanisms kept
CLOSE_GRACE = 0.2  # seconds given to a polite close before the socket is dropped
FLUSH_LIMIT = 512  # see StreamParser.feed

NS_STREAMS = "http://etherx.jabber.org/streams"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams"

_STREAM = f"{{{NS_STREAMS}}}stream"
_FEATURES = f"{{{NS_STREAMS}}}features"
_ERROR = f"{{{NS_STREAMS}}}error"

# Characters that cannot be in a domain we write into the stream header's to='...'.
_BAD_DOMAIN_CHARACTERS = frozenset("'\"<>&/@ \t\r\n")


def stream_header(domain: str) -> bytes:
    """The client's opening of a stream to `domain` (RFC 6120 section 4.2)."""
    return ("<?xml version='1.0'?><stream:stream to='" + domain + "' xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>").encode()


STREAM_END = b"</stream:stream>"


def short_text(text: str, limit: int = TEXT_CAP) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"

def domain_problem(domain: str) -> str | None:
    """Why `domain` cannot be a chat domain, or None."""
    if not domain:
        # Translators: why a chat domain cannot be used, after "Cannot check chat: ".
        return _("no chat domain was given")
    if len(domain) > 1023:
        # Translators: why a chat domain cannot be used, after "Cannot check chat: ".
        return _("the chat domain is longer than {limit} characters").format(limit=1023)
    if any(ch in _BAD_DOMAIN_CHARACTERS or not ch.isprintable() for ch in domain):
        # Translators: why a chat domain cannot be used, after "Cannot check chat: ".
        return _("{domain} is not a chat domain (a domain is a name like example.org, "
                 "without spaces, quotes, @ or /)").format(domain=repr(domain))
    return None


# -- the incremental, safe stream reader -------------------------------------------------

class StreamParser:
    """Notes what a server's stream says, fed bytes as they come.

    Why this is safe with hostile input: defusedxml's parser (expat underneath) is created
    with forbid_dtd, forbid_entities and forbid_external, so a `<!DOCTYPE` raises
    DTDForbidden before any declaration in it is read: no entity can be defined, so none is
    expanded (no "billion laughs"), and nothing external is ever fetched. The target below
    builds no tree; it keeps a handful of facts, each capped (TEXT_CAP, LIST_CAP), so memory
    is bounded by READ_CAP (expat's buffer) plus a few KiB whatever the server sends.
    """

    def __init__(self) -> None:
        self.header: dict[str, str] | None = None  # the stream header's attributes
        self.root: str | None = None  # the first element's name, if not a stream
        self.features: list[str] | None = None  # local names of the features, once seen
        self.starttls = False
        self.starttls_required = False
        self.mechanisms: list[str] = []
        self.error: str | None = None  # a stream error's condition
        self.error_text = ""
        self.error_detail = ""  # the condition element's text (see-other-host's new host)
        self.legacy = False  # a pre-1.0 stream: no features will come
        self.stream_closed = False  # the server sent </stream:stream>
        self.done = False  # nothing more to read
        self._depth = 0
        self._where: str | None = None  # features, error
        self._feature: str | None = None  # the feature element we are in (depth 2)
        self._text: list[str] | None = None  # where character data goes, if anywhere
        self._text_into: str | None = None
        self._flushes = 0
        self._parser = DefusedXMLParser(target=self, forbid_dtd=True, forbid_entities=True,
                                        forbid_external=True)

    # The parser's target interface.
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.done:
            return
        depth = self._depth
        self._depth += 1
        if depth == 0:
            if tag != _STREAM:
                self.root = tag
                self.done = True
                return
            self.header = {key: short_text(str(value)) for key, value in list(attrib.items())[:16]}
            version = self.header.get("version", "")
            if not version.split(".")[0].isdigit() or int(version.split(".")[0]) < 1:
                # A pre-1.0 server sends no features (and has no STARTTLS).
                self.legacy = True
                self.features = []
                self.done = True
            return
        if depth == 1:
            if tag == _FEATURES:
                self._where = "features"
                self.features = []
            elif tag == _ERROR:
                self._where = "error"
            return
        if self._where == "features":
            self._in_features(depth, tag)
        elif self._where == "error" and depth == 2:
            namespace, _brace, local = tag[1:].partition("}")
            if namespace != NS_STREAM_ERRORS:
                return  # an application-specific condition: the defined one is enough
            if local == "text":
                self._collect("error_text")
            elif self.error is None:
                self.error = short_text(local, 64)
                self._collect("error_detail")

    def _in_features(self, depth: int, tag: str) -> None:
        assert self.features is not None
        local = tag.rpartition("}")[2]
        if depth == 2:
            self._feature = tag
            if len(self.features) < LIST_CAP:
                self.features.append(short_text(local, 64))
            if tag == f"{{{NS_TLS}}}starttls":
                self.starttls = True
        elif depth == 3 and self._feature == f"{{{NS_TLS}}}starttls" and local == "required":
            self.starttls_required = True
        elif (depth == 3 and self._feature == f"{{{NS_SASL}}}mechanisms"
              and tag == f"{{{NS_SASL}}}mechanism"):
            self._collect("mechanism")

    def _collect(self, into: str) -> None:
        self._text = []
        self._text_into = into

    def data(self, text: str) -> None:
        if self._text is not None and sum(map(len, self._text)) < TEXT_CAP:
            self._text.append(text[:TEXT_CAP])

    def end(self, tag: str) -> None:
        if self.done:
            return
        self._depth -= 1
        depth = self._depth
        if self._text is not None and depth in (2, 3):
            text = short_text("".join(self._text))
            if self._text_into == "mechanism":
                if text and len(self.mechanisms) < LIST_CAP:
                    self.mechanisms.append(short_text(text, 64))
            elif self._text_into == "error_text":
                self.error_text = text
            elif self._text_into == "error_detail":
                self.error_detail = text
            self._text = None
            self._text_into = None
        if depth == 2:
            self._feature = None
        elif depth == 1:
            if self._where is not None:
                self.done = True  # the features (or the error) are complete
            self._where = None
        elif depth == 0:
            self.stream_closed = True
            self.done = True

    def close(self) -> None:
        """The parser's target interface; there is nothing to give back."""

    def feed(self, chunk: bytes) -> None:
        """Parse more bytes. Raises DefusedXmlException for a DTD or an entity, ParseError
        for what is not XML."""
        self._parser.feed(chunk)
        # Expat 2.6 and later may defer parsing a token that is still growing (against
        # quadratic reparsing); then a reply that stops right after `>` would sit unparsed
        # until the timeout. Python versions with that expat have flush(): use it when the
        # chunk may have completed a tag, a bounded number of times (each costs at most
        # READ_CAP of scanning).
        flush = getattr(self._parser, "flush", None)
        if (flush is not None and not self.done and b">" in chunk
                and self._flushes < FLUSH_LIMIT):
            self._flushes += 1
            flush()
