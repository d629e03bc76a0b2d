"""Whether the router is the edge of the network: its own external address against the one
STUN servers on the Internet see. Only a difference proves another NAT in front of the
router; no STUN answer proves nothing, and the words say so."""

from __future__ import annotations

from cobalt_setup.i18n import N_, _
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.router.status import Nat, classify
from cobalt_setup.router.stun import Mapping, StunFindings

SECOND_NAT_FIX = N_(
    "Set the box in front of your router (the provider's modem or router) to bridge or "
    "modem mode, or forward the same TCP ports on both devices. If that NAT is your "
    "provider's (carrier-grade NAT), ask for a public IPv4 address, or use IPv6 where "
    "your friends have it too.")


def _mapping_words(stun: StunFindings) -> tuple[str, bool]:
    """A sentence on how the NAT maps (empty when unknown), and whether it is symmetric."""
    if stun.mapping is Mapping.PER_DESTINATION:
        seen = ", ".join(f"{a.mapped[0]}:{a.mapped[1]}" for a in stun.mapped if a.mapped)
        # Translators: {seen} lists "address:port" as each STUN server saw this computer
        return _("The STUN servers saw this computer from different ports ({seen}): the NAT "
                 "makes a new mapping for every destination (symmetric NAT), so peers cannot "
                 "connect to this computer unless its TeaTime ports are forwarded.").format(
                     seen=seen), True
    if stun.mapping is Mapping.SAME:
        return _("Every STUN server saw the same address and port: the NAT keeps one mapping "
                 "for every destination, as peer-to-peer connections need."), False
    return "", False


def stun_result(stun: StunFindings | None, external: str | None,
                lan_address: str | None) -> ProbeResult:
    """The `router.stun` check: what the Internet sees, and what that proves against the
    router's `external` address (None when no router said it) and this computer's."""
    servers = ", ".join(answer.server for answer in stun.answers) if stun else ""
    details: dict[str, object] = {
        **(stun.as_dict() if stun is not None else StunFindings(()).as_dict()),
        "router_external_address": external,
    }

    def result(status: Status, summary: str, fix: str = "") -> ProbeResult:
        return ProbeResult("router.stun", "stun", servers or "-", status, summary, fix,
                           stun.elapsed_ms if stun else 0.0, details)

    if stun is None or not stun.answers:
        return result(Status.SKIPPED, _(
            "STUN is switched off (no STUN servers in the settings), so the wizard does not "
            "check which address the Internet sees."))
    public = stun.public
    if public is None:
        reasons = "; ".join(
            # Translators: one item of a "; "-joined list: a STUN server and why it gave
            # no address, e.g. "stun.example.net:3478: no answer within 2 s"
            _("{server}: {reason}").format(server=a.server, reason=a.words)
            for a in stun.answers)
        return result(Status.WARNING, _(
            "No STUN server said which address the Internet sees ({reasons}), so the wizard "
            "cannot tell whether another NAT is in front of the router.").format(
                reasons=reasons),
            _("Check that this computer may send UDP to the STUN servers (a firewall may block "
              "it), or enter STUN servers that answer in the settings (StunServers)."))
    address, port = public
    seen_by = next(a.server for a in stun.mapped)
    if classify(address) is not Nat.PUBLIC:
        return result(Status.WARNING, _(
            "The STUN server {server} sees this computer as {address}, which is not an "
            "Internet address: that server is inside your network (or your provider's), so "
            "it cannot tell which address the Internet sees.").format(
                server=seen_by, address=address),
            _("Enter STUN servers on the Internet in the settings (StunServers), or leave "
              "the default ones."))
    mapping, symmetric = _mapping_words(stun)
    if external and external not in ("0.0.0.0",) and external != address:
        # Translators: {address}:{port} is how the Internet sees this computer, {server} the
        # STUN server that said so, {external} the router's own external address
        summary = _("The Internet sees this computer as {address}:{port} (STUN, {server}), but "
                    "the router's external address is {external}: another NAT is in front of "
                    "the router (a provider's box in router mode, a modem that routes, or "
                    "carrier-grade NAT). Ports forwarded on the router alone do not reach this "
                    "computer.").format(address=address, port=port, server=seen_by,
                                        external=external)
        return result(Status.WARNING, " ".join(filter(None, [summary, mapping])),
                      _(SECOND_NAT_FIX))
    if external == address:
        summary = _("The Internet sees this computer as {address}:{port} (STUN, {server}), the "
                    "router's own external address: the router is the edge of your network, "
                    "so ports forwarded on it reach this computer.").format(
                        address=address, port=port, server=seen_by)
    elif address == lan_address:
        summary = _("The Internet sees this computer as {address}:{port} (STUN, {server}), its "
                    "own address: no NAT is in between.").format(
                        address=address, port=port, server=seen_by)
    else:
        summary = _("The Internet sees this computer as {address}:{port} (STUN, {server}). The "
                    "router did not say its own external address, so the wizard cannot tell "
                    "whether another NAT is in front of it.").format(
                        address=address, port=port, server=seen_by)
    status = Status.WARNING if symmetric else Status.OK
    fix = _("Forward the TeaTime ports (Automatic or Manual forwarding).") if symmetric else ""
    return result(status, " ".join(filter(None, [summary, mapping])), fix)
