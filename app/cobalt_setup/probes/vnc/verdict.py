"""The VNC port verdict: what one connection saw (`Rfb`) turned into a status, a summary
and a fix, in the user's language."""

from __future__ import annotations

from cobalt_setup.i18n import _
from cobalt_setup.probes.peer import identify, looks_like
from cobalt_setup.probes.tcp_words import connect_fix, connect_problem
from cobalt_setup.probes.vnc.rfb import (
    GREETING_GRACE,
    GREETING_LENGTH,
    SERVICE,
    XRFB_CONTROL_PORT,
    Rfb,
    could_be_greeting,
    display_for_port,
    security_type_name,
)
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.wording import printable, seconds


def _rfb_result(rfb: Rfb, status: Status, summary: str, fix: str = "",
                **details: object) -> ProbeResult:
    facts = rfb.base_details()
    if rfb.version is not None:
        facts["rfb_version"] = f"{rfb.version[0]}.{rfb.version[1]}"
        facts["greeting"] = printable(rfb.data[:GREETING_LENGTH])
    if rfb.answered is not None:
        facts["answered_version"] = f"{rfb.answered[0]}.{rfb.answered[1]}"
    if rfb.security_types is not None:
        facts["security_types"] = list(rfb.security_types)
        facts["security_names"] = [security_type_name(t) for t in rfb.security_types]
        facts["needs_password"] = 1 not in rfb.security_types
    if rfb.refusal is not None:
        facts["reason"] = rfb.refusal
    facts["nudged_with_http"] = rfb.nudged
    facts.update(details)
    return ProbeResult(id=f"vnc.{rfb.port}", service=SERVICE, target=rfb.target,
                       status=status, summary=summary, fix=fix,
                       elapsed_ms=round(rfb.elapsed_ms(), 2), details=facts)


def _vnc_listener_words(port: int) -> str:
    display = display_for_port(port)
    if display is None:
        # Translators: what should listen on a port, shown in "Start {listener} on
        # {host}, ..."
        return _("the VNC server")
    # Translators: what should listen on a port, shown in "Start {listener} on
    # {host}, ..."
    return _("the VNC server for display {display} (display N listens on port "
             "5900 + N)").format(display=display)


def rfb_verdict(rfb: Rfb) -> ProbeResult:
    target = rfb.target
    problem = connect_problem(rfb)
    if problem is not None:
        return _rfb_result(rfb, Status.FAILED, problem.summary,
                           connect_fix(problem.code, rfb, _vnc_listener_words(rfb.port)),
                           problem=problem.code)
    if rfb.version is not None:
        version = f"RFB {rfb.version[0]}.{rfb.version[1]}"
        if rfb.security_types:
            names = ", ".join(security_type_name(t, translated=True)
                              for t in rfb.security_types)
            if 1 in rfb.security_types:
                # Translators: {version} is e.g. "RFB 3.8"; {security_types} a
                # comma-separated list of RFB security type names, e.g. "None, VNC
                # Authentication".
                summary = _("VNC server on {target} ({version}); security: {security_types} "
                            "(no password).")
            else:
                # Translators: {version} is e.g. "RFB 3.8"; {security_types} a
                # comma-separated list of RFB security type names, e.g. "VNC
                # Authentication, VeNCrypt".
                summary = _("VNC server on {target} ({version}); security: {security_types} "
                            "(asks for a password).")
            return _rfb_result(rfb, Status.OK, summary.format(
                target=target, version=version, security_types=names), problem="")
        if rfb.refusal is not None:
            refusal = rfb.refusal.lower()
            if "too many" in refusal or "blacklist" in refusal:
                fix = _("The VNC server has blocked this computer for a while after too many "
                        "unfinished or failed connections. Wait a minute and check again; if "
                        "it keeps happening, look for a program that keeps connecting to it "
                        "(or with a wrong password).")
            else:
                fix = _("The server turned the connection down for the reason shown. Check "
                        "the VNC server's settings (who may connect, how many at once).")
            # Translators: shown after "refuses connections: " when the server gave
            # none.
            reason = rfb.refusal or _("no reason given")
            return _rfb_result(rfb, Status.WARNING,
                               # Translators: {version} is e.g. "RFB 3.8"; {reason} is the server's
                               # own words, usually English.
                               _("VNC server on {target} ({version}) answered, but refuses "
                                 "connections: {reason}").format(
                                     target=target, version=version, reason=reason),
                               fix, problem="server_refused")
        if rfb.nudged:
            return _rfb_result(
                rfb, Status.WARNING,
                _("VNC server on {target} ({version}), but it greeted only after more than "
                  "{time}; its security types were not read.").format(
                      target=target, version=version,
                      time=seconds(min(GREETING_GRACE, rfb.timeout / 2))),
                _("The server or the network is very slow; Open Cobalt may give up on it. "
                  "Check the server's load and the network between here and there."),
                problem="slow_greeting")
        if rfb.timed_out:
            summary = _("VNC server on {target} ({version}), but it did not offer its "
                        "security types within {time}.")
        else:
            summary = _("VNC server on {target} ({version}), but it closed the connection "
                        "before offering its security types.")
        return _rfb_result(rfb, Status.WARNING,
                           summary.format(target=target, version=version,
                                          time=seconds(rfb.timeout)),
                           _("Restart the VNC server, and check that nothing between here "
                             "and the server cuts connections."), problem="incomplete")
    if rfb.data:
        data = bytes(rfb.data)
        if could_be_greeting(data) and len(data) < GREETING_LENGTH and rfb.timed_out:
            return _rfb_result(rfb, Status.FAILED,
                               _("{target} answered too slowly: {count} bytes of a VNC "
                                 "greeting in {time}.").format(
                                     target=target, count=len(data),
                                     time=seconds(rfb.timeout)),
                               _("The server or the network is far too slow for VNC. Check "
                                 "the server's load and the network in between."),
                               problem="too_slow")
        peer = identify(data)
        kind, words = peer.kind, looks_like(peer)
        if kind == "http":
            fix = _("This port answers HTTP: it may be the Xrfb control port (usually "
                    "{control_port}). VNC displays listen on port 5900 + the display "
                    "number; enter that port instead.").format(control_port=XRFB_CONTROL_PORT)
        else:
            fix = _("Another program uses this port. Check the port number: VNC display N "
                    "listens on 5900 + N.")
        if kind == "rfb":
            # Translators: what a peer seems to be, after e.g. "{target} is not a VNC
            # server: "; {greeting} is what it sent, quoted.
            words = _("it sent a garbled VNC greeting ({greeting})").format(
                greeting=repr(printable(data)))
        return _rfb_result(rfb, Status.FAILED,
                           # Translators: {what} says what the peer seems to be, e.g. "it looks like
                           # a web server (HTTP 200 OK)".
                           _("{target} is not a VNC server: {what}.").format(
                               target=target, what=words), fix,
                           problem="not_rfb", peer=kind, first_bytes=printable(data),
                           **peer.facts)
    if rfb.eof:
        return _rfb_result(rfb, Status.FAILED,
                           _("{target} accepted the connection and closed it without a VNC "
                             "greeting.").format(target=target),
                           _("Another program, or a server that does not accept this "
                             "computer, holds this port. Check the port number and the "
                             "server's settings."), problem="closed")
    if rfb.nudged:
        summary = _("{target} accepted the connection but sent no VNC greeting within {time} "
                    "and did not answer an HTTP request either.")
    else:
        summary = _("{target} accepted the connection but sent no VNC greeting within "
                    "{time}.")
    return _rfb_result(rfb, Status.FAILED,
                       summary.format(target=target, time=seconds(rfb.timeout)),
                       _("Something other than a VNC server holds this port, or the server "
                         "is hung. Check the port number (display N listens on 5900 + N) and "
                         "restart the VNC server."), problem="no_greeting")
