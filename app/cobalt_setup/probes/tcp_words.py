"""The words for a TCP connection that was never made, one sentence per `Outcome`: the
same for every service, so that translators see each once. The fix names what should
listen (`listener`, given by the service) and keeps to what the evidence shows."""

from __future__ import annotations

from dataclasses import dataclass

from cobalt_setup.i18n import _
from cobalt_setup.probes.tcp import Exchange, Outcome, outcome
from cobalt_setup.wording import seconds


@dataclass(frozen=True)
class ConnectProblem:
    code: Outcome  # never one of the connected outcomes
    summary: str


def connect_problem(exchange: Exchange) -> ConnectProblem | None:
    """Words for a connection that was never made, or None if it was (or was not tried)."""
    found = outcome(exchange)
    if found.connected or (found is Outcome.ERROR and exchange.error is None):
        return None
    target, quoted = exchange.target, repr(exchange.host)
    error = exchange.error
    reason = (error.strerror or str(error)) if error is not None else ""
    if found is Outcome.LOOKUP_FAILED and exchange.timed_out:
        summary = _("The host name {host} could not be looked up within {time}: the name "
                    "servers did not answer.").format(host=quoted,
                                                      time=seconds(exchange.timeout))
    elif found is Outcome.LOOKUP_FAILED:
        summary = _("The host name {host} could not be looked up: the name servers did not "
                    "answer.").format(host=quoted)
    elif found is Outcome.UNKNOWN_HOST:
        summary = _("The host name {host} was not found.").format(host=quoted)
    elif found is Outcome.REFUSED:
        summary = _("Nothing is listening on {target}: the connection was refused.").format(
            target=target)
    elif found is Outcome.CONNECT_TIMEOUT:
        summary = _("No answer from {target} within {time}: the connection attempt timed "
                    "out, as when a firewall silently drops it.").format(
                        target=target, time=seconds(exchange.timeout))
    elif found is Outcome.UNREACHABLE:
        # Translators: {reason} is the system's error message.
        summary = _("{host} cannot be reached from this computer ({reason}).").format(
            host=exchange.host, reason=reason)
    else:
        # Translators: {reason} is the system's error message.
        summary = _("Could not connect to {target}: {reason}.").format(target=target,
                                                                       reason=reason)
    return ConnectProblem(found, summary)


def connect_fix(code: Outcome, exchange: Exchange, listener: str) -> str:
    """What to do about a failed connection; `listener` names what should be listening
    (translated already, e.g. "the Xrfb server")."""
    host, port = exchange.host, exchange.port
    if code is Outcome.UNKNOWN_HOST:
        return _("Check the spelling of the host name, or enter the server's IP address. "
                 "If the name is right, this computer's DNS settings may be wrong.")
    if code is Outcome.LOOKUP_FAILED:
        return _("Check this computer's network connection and DNS settings (the DNS page "
                 "of this wizard measures the name servers), or enter the server's IP "
                 "address.")
    if code is Outcome.REFUSED:
        # Translators: {listener} is a server, e.g. "the Xrfb server" or "the VNC
        # server for display 1 (display N listens on port 5900 + N)".
        return _("Start {listener} on {host}, or correct the port number. A refusal "
                 "comes from the host itself, so the network path to it works.").format(
                     listener=listener, host=host)
    if code is Outcome.CONNECT_TIMEOUT:
        return _("Check that {host} is switched on and on the network, and that its "
                 "firewall (and any firewall in between) lets TCP port {port} "
                 "through.").format(host=host, port=port)
    if code is Outcome.UNREACHABLE:
        return _("Check this computer's network connection and the server's address.")
    return _("Check the server's address and port, and this computer's network connection.")
