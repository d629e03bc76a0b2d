"""The Xrfb control check: does the Xrfb server's control port (5899) answer in HTTP?

Open Cobalt's Xrfb/VNC application service is driven over HTTP on its control port; the
pictures then travel over RFB on the VNC display ports (5900 and up). A common mistake is
to enter a display port where the control port belongs, so a peer that greets with
`RFB 003.008` is named as "the VNC port, not the Xrfb control port".

One minimal `GET / HTTP/1.0` with a Host header; only the status line and headers are
read (at most 64 KiB), so a huge or endless reply costs nothing, and the whole exchange is
bounded by the timeout (a peer that trickles one byte a second is cut off).
"""

from __future__ import annotations

from functools import partial

from cobalt_setup.i18n import _
from cobalt_setup.probes.http_head import parse_head
from cobalt_setup.probes.peer import (
    HTTP_STATUS_LINE,
    http_request,
    http_status_text,
    identify,
    looks_like,
)
from cobalt_setup.probes.tcp import (
    READ_CAP,
    Exchange,
    close_quietly,
    open_stream,
    read_some,
    run_exchange,
)
from cobalt_setup.probes.tcp_words import connect_fix, connect_problem
from cobalt_setup.probes.vnc.rfb import XRFB_CONTROL_PORT, could_be_greeting, display_for_port
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.wording import printable, seconds

SERVICE = "xrfb"
PROBE_ID = "xrfb.control"


def _head_complete(data: bytes) -> bool:
    return b"\r\n\r\n" in data or b"\n\n" in data


def _first_line(data: bytes) -> bytes | None:
    end = data.find(b"\n")
    return None if end < 0 else data[:end + 1]


def _could_be_http(data: bytes) -> bool:
    return data[:5] == b"HTTP/"[:min(5, len(data))]


async def _http_exchange(exchange: Exchange) -> None:
    reader, writer = await open_stream(exchange)
    try:
        writer.write(http_request(exchange.host, exchange.port))
        while len(exchange.data) < READ_CAP:
            data = bytes(exchange.data)
            if _head_complete(data):
                return
            line = _first_line(data)
            if line is not None and not HTTP_STATUS_LINE.fullmatch(line):
                return  # not HTTP: no need to wait for more
            if not _could_be_http(data) and (len(data) >= 12 or not could_be_greeting(data)):
                return  # not HTTP, and enough to say what it is (an RFB greeting is 12 bytes)
            if not await read_some(reader, exchange, READ_CAP):
                return
    finally:
        close_quietly(writer)


def _result(exchange: Exchange, status: Status, summary: str, fix: str = "",
            **details: object) -> ProbeResult:
    facts = exchange.base_details()
    facts.update(details)
    return ProbeResult(id=PROBE_ID, service=SERVICE, target=exchange.target, status=status,
                       summary=summary, fix=fix, elapsed_ms=round(exchange.elapsed_ms(), 2),
                       details=facts)


def _verdict(exchange: Exchange) -> ProbeResult:
    target = exchange.target
    problem = connect_problem(exchange)
    if problem is not None:
        # Translators: what should listen on the port, shown in "Start {listener}
        # on {host}, or correct the port number. ..."
        listener = _("the Xrfb server")
        return _result(exchange, Status.FAILED, problem.summary,
                       connect_fix(problem.code, exchange, listener), problem=problem.code)
    data = bytes(exchange.data)
    status = HTTP_STATUS_LINE.match(data)
    if status is not None:
        code = int(status.group(2))
        reason = printable(status.group(3) or b"", 60)
        head = parse_head(data)  # h11; a head it finds fault with still answers in HTTP
        headers = head.headers if head is not None else {}
        server = headers.get("server", "")
        said = http_status_text(code, reason)
        if server:
            # Translators: {status} is e.g. "HTTP 200 OK"; {server} the name of the web
            # server program.
            summary = _("The Xrfb control port {target} answers in HTTP ({status}, server "
                        "{server}).")
        else:
            # Translators: {status} is e.g. "HTTP 200 OK".
            summary = _("The Xrfb control port {target} answers in HTTP ({status}).")
        return _result(exchange, Status.OK,
                       summary.format(target=target, status=said, server=server),
                       problem="", status_code=code, reason=reason, server=server,
                       http_version=status.group(1).decode(),
                       content_type=headers.get("content-type", ""))
    if data:
        peer = identify(data)
        kind, what, facts = peer.kind, looks_like(peer), peer.facts
        if kind == "rfb":
            display = display_for_port(exchange.port)
            if display is not None:
                summary = _("{target} speaks VNC (RFB {version}), not HTTP: it looks like the "
                            "VNC port (display {display}), not the Xrfb control port.")
            else:
                summary = _("{target} speaks VNC (RFB {version}), not HTTP: it looks like the "
                            "VNC port, not the Xrfb control port.")
            return _result(exchange, Status.FAILED,
                           summary.format(target=target, version=facts["rfb_version"],
                                          display=display),
                           _("Enter the Xrfb server's control port (usually {control_port}) "
                             "as the Xrfb Server Port Number, not a VNC display port (5900 + "
                             "the display number).").format(control_port=XRFB_CONTROL_PORT),
                           problem="vnc_port", peer=kind, **facts)
        if _could_be_http(data) and _first_line(data) is None:
            if exchange.timed_out:
                return _result(exchange, Status.FAILED,
                               _("{target} answered too slowly: {count} bytes in {time}, not "
                                 "even a complete status line.").format(
                                     target=target, count=len(data),
                                     time=seconds(exchange.timeout)),
                               _("The Xrfb server or the network is far too slow. Check the "
                                 "server's load and the network in between."),
                               problem="too_slow", first_bytes=printable(data))
            return _result(exchange, Status.FAILED,
                           _("{target} closed the connection in the middle of its "
                             "answer.").format(target=target),
                           _("Restart the Xrfb server, and check that nothing between here "
                             "and the server cuts connections."), problem="incomplete",
                           first_bytes=printable(data))
        return _result(exchange, Status.FAILED,
                       # Translators: {what} says what the peer seems to be, e.g. "it looks like
                       # an SSH server (SSH-2.0-OpenSSH_9.6)".
                       _("{target} does not speak HTTP, so it is not an Xrfb control port: "
                         "{what}.").format(target=target, what=what),
                       _("Another program holds this port. Check the Xrfb Server Port Number "
                         "(usually {control_port}) and which program listens "
                         "there.").format(control_port=XRFB_CONTROL_PORT),
                       problem="not_http", peer=kind, first_bytes=printable(data), **facts)
    if exchange.eof:
        return _result(exchange, Status.FAILED,
                       _("{target} accepted the connection and closed it without answering "
                         "the HTTP request.").format(target=target),
                       _("Something other than the Xrfb server holds this port, or it does "
                         "not accept this computer. Check the port number and the server's "
                         "settings."), problem="closed")
    return _result(exchange, Status.FAILED,
                   _("{target} accepted the connection but did not answer the HTTP request "
                     "within {time}.").format(target=target, time=seconds(exchange.timeout)),
                   _("The Xrfb server may be hung, or another program holds this port. "
                     "Restart the Xrfb server and check the port number."), problem="no_answer")


async def probe_xrfb_control(host: str, port: int, *, timeout: float) -> ProbeResult:
    """Does host:port answer an HTTP request, as the Xrfb control port should?

    OK: any HTTP status line came back (details: status_code, reason, server). FAILED:
    refused, timed out, host unknown or unreachable, silent, too slow, or not HTTP; an RFB
    greeting is named as the VNC port (details.problem == "vnc_port").
    """
    exchange = Exchange(host, port, timeout)
    await run_exchange(exchange, partial(_http_exchange, exchange))
    return _verdict(exchange)


__all__ = ["PROBE_ID", "probe_xrfb_control"]
