"""The chat check's verdict: what the two connections saw (plain with STARTTLS, and direct
TLS) turned into a status, a summary and a fix, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cobalt_setup.i18n import _
from cobalt_setup.probes.peer import identify, looks_like
from cobalt_setup.probes.tcp import Outcome, format_target
from cobalt_setup.probes.tcp_words import connect_fix, connect_problem
from cobalt_setup.probes.xmpp.connection import Stream
from cobalt_setup.probes.xmpp.stream import (
    DIRECT_TLS_PORT,
    READ_CAP,
    STARTTLS_PORT,
    short_text,
)
from cobalt_setup.result import Status
from cobalt_setup.wording import seconds

# -- words ---------------------------------------------------------------------------------

def _connect_words(stream: Stream) -> tuple[str, str, str] | None:
    """(code, summary, fix) for a connection that was never made, else None."""
    problem = connect_problem(stream)
    if problem is None:
        return None
    if problem.code is Outcome.UNKNOWN_HOST:
        fix = _("Check the host name, or the DNS record that names the chat server "
                "({srv_record}).").format(srv_record=f"_xmpp-client._tcp.{stream.domain}")
    else:
        # Translators: what should listen on the port, shown in "Start {listener} on
        # {host}, or correct the port number. ..."
        fix = connect_fix(problem.code, stream, _("the chat (XMPP) server"))
    return problem.code.value, problem.summary, fix


@dataclass
class Words:
    status: Status
    code: str
    summary: str
    fix: str = ""


def stream_words(stream: Stream) -> Words:
    """The verdict on one stream (plain or inside direct TLS), before STARTTLS is judged."""
    target, parser = stream.target, stream.parser
    failed = Status.FAILED
    connect = _connect_words(stream)
    if connect is not None:
        return Words(failed, *connect)
    if stream.phase == "tls":
        if stream.timed_out:
            return Words(failed, "tls_timeout",
                          _("{target} accepted the connection, but the TLS handshake did not "
                            "finish within {time}.").format(target=target,
                                                            time=seconds(stream.timeout)),
                          _("Check that this port is the server's direct TLS port."))
        reason = short_text(str(getattr(stream.error, "reason", None) or stream.error
                            # Translators: why a TLS handshake failed, in parentheses after
                            # "the TLS handshake failed".
                            or _("the server hung up")), 120)
        if "UNRECOGNIZED_NAME" in reason:
            # Translators: why a TLS handshake failed, in parentheses after "the TLS
            # handshake failed".
            reason = _("the server has no certificate for {domain}").format(
                domain=stream.domain)
        return Words(failed, "tls_failed",
                      # Translators: {reason} is the cause, often the TLS library's own
                      # words (e.g. WRONG_VERSION_NUMBER).
                      _("{target} accepted the connection, but the TLS handshake failed "
                        "({reason}).").format(target=target, reason=reason),
                      _("Check that this port is the server's direct TLS port (not its "
                        "STARTTLS port) and that TLS is enabled on it."))
    if stream.xml_problem in ("dtd", "entities"):
        if stream.xml_problem == "dtd":
            summary = _("{target} sent a document type declaration (DTD), which XMPP "
                        "forbids; the probe refused to read its reply.")
        else:
            summary = _("{target} sent an entity declaration, which XMPP forbids; the probe "
                        "refused to read its reply.")
        return Words(failed, "forbidden_xml", summary.format(target=target),
                      _("This is not a normal chat server, or something between here and "
                        "{host} alters the connection: check what listens on port "
                        "{port}.").format(host=stream.host, port=stream.port))
    if parser.root is not None or stream.xml_problem == "syntax":
        peer = identify(bytes(stream.data).lstrip() or bytes(stream.data))
        if parser.root is not None:
            # Translators: {element} is an XML element's name, e.g. html.
            summary = _("{target} answered, but not as an XMPP server: it looks like an XML "
                        "program whose reply begins with <{element}>.").format(
                            target=target, element=_local(parser.root))
        else:
            # Translators: {what} says what the peer seems to be, e.g. "it looks like a
            # web server (HTTP 400 Bad Request)".
            summary = _("{target} answered, but not as an XMPP server: {what}.").format(
                target=target, what=looks_like(peer))
        fix = _("Give the address and port of the chat server (XMPP, usually port "
                "{port}).").format(port=STARTTLS_PORT)
        if peer.kind == "tls":
            # Translators: added after "Give the address and port of the chat server ...".
            fix += " " + _("A server that expects TLS at once may be the chat server's "
                           "direct TLS port (usually {port}).").format(port=DIRECT_TLS_PORT)
        return Words(failed, "not_xmpp", summary, fix)
    if stream.xml_problem == "too_big":
        return Words(failed, "too_big",
                      _("{target} sent more than {size} KiB without finishing its stream "
                        "features; the probe stopped reading.").format(
                            target=target, size=READ_CAP // 1024),
                      _("This is not a normal chat server: check what listens on port "
                        "{port}.").format(port=stream.port))
    if parser.error is not None:
        return _stream_error_words(stream)
    if parser.header is None:
        if stream.timed_out and stream.received:
            return Words(failed, "slow",
                          _("{target} sent {count} bytes but no complete XMPP stream header "
                            "within {time}.").format(target=target, count=stream.received,
                                                     time=seconds(stream.timeout)),
                          _("The server is very slow or is not a chat server: check it."))
        if stream.timed_out:
            return Words(failed, "silent",
                          _("{target} accepted the connection but sent no XMPP stream within "
                            "{time}.").format(target=target, time=seconds(stream.timeout)),
                          _("Check that port {port} belongs to the chat server; something "
                            "else, or a stuck server, holds it.").format(port=stream.port))
        return Words(failed, "closed",
                      _("{target} closed the connection without answering as an XMPP "
                        "server.").format(target=target),
                      _("Check that port {port} belongs to the chat server and that it "
                        "accepts connections from this computer.").format(port=stream.port))
    if parser.features is None:
        if stream.timed_out:
            return Words(failed, "slow",
                          _("{target} began an XMPP stream but did not list its features "
                            "within {time}.").format(target=target,
                                                     time=seconds(stream.timeout)),
                          _("The chat server is overloaded or stuck: check it."))
        return Words(failed, "closed",
                      _("{target} began an XMPP stream but closed it before listing its "
                        "features.").format(target=target),
                      _("Check the chat server's log for why it hangs up on clients."))
    return Words(Status.OK, "answers", "")


def _local(tag: str) -> str:
    return short_text(tag.rpartition("}")[2], 40)


def _stream_error_words(stream: Stream) -> Words:
    target, domain, parser = stream.target, stream.domain, stream.parser
    condition = parser.error or ""
    said = parser.error_text
    failed = Status.FAILED
    if condition == "host-unknown":
        return Words(failed, "host-unknown",
                      _("The server at {target} does not serve {domain}: check the chat "
                        "domain.").format(target=target, domain=domain),
                      _("Enter the chat domain the server is set up for (the part after @ in "
                        "chat addresses), or add {domain} to the server's hosts.").format(
                            domain=domain))
    if condition == "see-other-host":
        # Translators: stands for a server's name in "... to another server: {other}." and
        # "Use {other} as the chat server, ..." when the server named none.
        other = parser.error_detail or _("another server")
        return Words(failed, "see-other-host",
                      _("The server at {target} sends chat clients for {domain} to another "
                        "server: {other}.").format(target=target, domain=domain, other=other),
                      _("Use {other} as the chat server, or correct the DNS record "
                        "{srv_record} that points here.").format(
                            other=other, srv_record=f"_xmpp-client._tcp.{domain}"))
    if condition == "policy-violation":
        if said:
            # Translators: {text} is the server's own explanation, in its language.
            summary = _("The server at {target} refused this computer by its policy "
                        "(\u201c{text}\u201d).")
        else:
            summary = _("The server at {target} refused this computer by its policy.")
        return Words(failed, "policy-violation", summary.format(target=target, text=said),
                      _("The server's administrator limits who may connect, or how often: "
                        "ask them, or try again later."))
    if condition == "system-shutdown":
        if said:
            # Translators: {text} is the server's own explanation, in its language.
            summary = _("The chat server at {target} is shutting down (\u201c{text}\u201d).")
        else:
            summary = _("The chat server at {target} is shutting down.")
        return Words(failed, "system-shutdown", summary.format(target=target, text=said),
                      _("Try again when the chat server is back up."))
    if said:
        # Translators: {condition} is the XMPP stream error's name (e.g. not-authorized),
        # {text} the server's own explanation, in its language.
        summary = _("The server at {target} ended the stream with the error "
                    "\u201c{condition}\u201d (\u201c{text}\u201d).")
    else:
        # Translators: {condition} is the XMPP stream error's name (e.g. not-authorized).
        summary = _("The server at {target} ended the stream with the error "
                    "\u201c{condition}\u201d.")
    return Words(failed, "stream-error",
                  summary.format(target=target, condition=condition, text=said),
                  _("Ask the chat server's administrator; the error's name says what went "
                    "wrong."))


# -- the probe ------------------------------------------------------------------------------

def stream_details(stream: Stream) -> dict[str, Any]:
    parser = stream.parser
    details: dict[str, Any] = {"received_bytes": stream.received}
    if parser.header is not None:
        details["stream_id"] = parser.header.get("id", "")
        details["stream_version"] = parser.header.get("version", "")
        details["stream_from"] = parser.header.get("from", "")
    if parser.features is not None:
        details["features"] = list(parser.features)
        details["starttls"] = parser.starttls
        details["starttls_required"] = parser.starttls_required
        details["mechanisms"] = list(parser.mechanisms)
    if parser.error is not None:
        details["stream_error"] = parser.error
        if parser.error_text:
            details["stream_error_text"] = parser.error_text
        if parser.error_detail:
            details["stream_error_detail"] = parser.error_detail
    return details


def direct_tls_details(stream: Stream | None, port: int | None) -> dict[str, Any]:
    if stream is None or port is None:
        return {"status": "skipped", "reason": "no direct TLS port was given"}
    words = stream_words(stream)
    details: dict[str, Any] = {"port": port}
    if words.status is Status.OK:
        details.update(status="ok", reason="TLS handshake and XMPP stream work")
    else:
        details.update(status="failed", reason=words.summary, code=words.code)
    if stream.tls_version:
        details["tls_version"] = stream.tls_version
        details["cipher"] = stream.cipher
    if stream.certificate:
        details["certificate"] = dict(stream.certificate)
    inside = stream_details(stream)
    for key in ("starttls", "starttls_required"):  # meaningless inside TLS
        inside.pop(key, None)
    details.update(inside)
    return details


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


@dataclass(frozen=True)
class Verdict:
    status: Status
    summary: str
    fix: str
    details: dict[str, Any]


def chat_verdict(plain: Stream, secure: Stream | None, domain: str, host: str, port: int,
                 direct_tls_port: int | None) -> Verdict:
    """Both connections' evidence, judged: STARTTLS on the plain one, direct TLS on the
    other (optional, legacy)."""
    direct = direct_tls_details(secure, direct_tls_port)
    details = {**stream_details(plain), "direct_tls": direct}
    words = stream_words(plain)
    tls_ok = direct["status"] == "ok"
    if words.status is Status.FAILED:
        details["code"] = words.code
        fix = words.fix
        if tls_ok:
            # Translators: a sentence added after the fix for a failed connection, separated
            # by a space.
            fix += " " + _("Direct TLS on port {direct_tls_port} does work, so the server is "
                           "up: the way to port {port} is the problem.").format(
                               direct_tls_port=direct_tls_port, port=port)
        return Verdict(Status.FAILED, words.summary, fix, details)

    parser = plain.parser
    where = format_target(host, port)
    if not parser.starttls:
        details["code"] = "no_starttls"
        fix = _("Give the chat server a certificate for {domain} and turn on TLS (STARTTLS); "
                "until then, use no valuable password for chat.").format(domain=domain)
        if tls_ok:
            # Translators: a sentence added after "Give the chat server a certificate ...",
            # separated by a space.
            fix += " " + _("Direct TLS on port {direct_tls_port} works: a client set to use it "
                           "is encrypted.").format(direct_tls_port=direct_tls_port)
        if parser.legacy and tls_ok:
            summary = _("The XMPP server at {address} answers for {domain} with an old "
                        "(pre-1.0) stream, but offers no STARTTLS: passwords would cross the "
                        "network in clear; direct TLS on port {direct_tls_port} works too.")
        elif parser.legacy:
            summary = _("The XMPP server at {address} answers for {domain} with an old "
                        "(pre-1.0) stream, but offers no STARTTLS: passwords would cross the "
                        "network in clear.")
        elif tls_ok:
            summary = _("The XMPP server at {address} answers for {domain}, but offers no "
                        "STARTTLS: passwords would cross the network in clear; direct TLS on "
                        "port {direct_tls_port} works too.")
        else:
            summary = _("The XMPP server at {address} answers for {domain}, but offers no "
                        "STARTTLS: passwords would cross the network in clear.")
        return Verdict(Status.WARNING,
                      summary.format(address=where, domain=domain,
                                     direct_tls_port=direct_tls_port), fix, details)
    # Translators: the state of STARTTLS, in parentheses after it: clients must encrypt.
    required = (_("required") if parser.starttls_required
                # Translators: the state of STARTTLS, in parentheses after it: clients may
                # encrypt or not.
                else _("optional"))
    if direct["status"] == "failed":
        details["code"] = "no_direct_tls"
        return Verdict(Status.WARNING,
                      # Translators: {starttls} is "required" or "optional"; {reason} is why
                      # direct TLS failed, a sentence that begins in lower case.
                      _("The XMPP server at {address} answers for {domain} with STARTTLS "
                        "({starttls}), but direct TLS on port {direct_tls_port} does not work "
                        "(optional, legacy): {reason}").format(
                            address=where, domain=domain, starttls=required,
                            direct_tls_port=direct_tls_port,
                            reason=lower_first(direct["reason"])),
                      _("Port {direct_tls_port} (direct TLS) is optional and legacy: chat works "
                        "without it over STARTTLS on port {port}; enable or open it only for a "
                        "client that needs it.").format(direct_tls_port=direct_tls_port,
                                                         port=port),
                      details)
    details["code"] = "ok"
    if tls_ok:
        # Translators: {starttls} is "required" or "optional".
        summary = _("The XMPP server at {address} answers for {domain} and offers STARTTLS "
                    "({starttls}); direct TLS on port {direct_tls_port} works too.")
    else:
        # Translators: {starttls} is "required" or "optional".
        summary = _("The XMPP server at {address} answers for {domain} and offers STARTTLS "
                    "({starttls}).")
    return Verdict(Status.OK,
                  summary.format(address=where, domain=domain, starttls=required,
                                 direct_tls_port=direct_tls_port), "", details)
