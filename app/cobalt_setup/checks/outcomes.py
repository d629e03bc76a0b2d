"""Answers before details: four outcomes a user wants, each resting on the checks.

A diagnosis has some twenty checks; a user asks four questions: can I find and join public
spaces, does chat work, do shared applications work, can friends outside reach my spaces.
Each outcome is one status (yes = ok, not yet = warning, no = failed, not set up =
skipped), one sentence saying how it was proven or why not, the one fix that matters and
the ids of the checks it rests on. One root cause gives one answer: with no network, or
no working DNS, the outcomes that depend on it say "because of" it, not a problem each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cobalt_setup.i18n import N_, _
from cobalt_setup.probes.dns.terms import Verdict
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.settings import RouterMode, Settings

JOIN_SPACES = "join-spaces"
CHAT = "chat"
SHARE_APPS = "share-apps"
FRIENDS_REACH_YOU = "friends-reach-you"
OUTCOME_IDS = (JOIN_SPACES, CHAT, SHARE_APPS, FRIENDS_REACH_YOU)

# What each outcome rests on, in the order a cause is looked for.
RESTS_ON: dict[str, tuple[str, ...]] = {
    JOIN_SPACES: ("ldap.resolution", "ldap.directory", "teatime.outgoing"),
    CHAT: ("xmpp.resolution", "xmpp.client"),
    SHARE_APPS: ("xrfb.resolution", "xrfb.control", "vnc.range", "vnc.hosting"),
    FRIENDS_REACH_YOU: ("router.external", "router.stun", "router.ports", "teatime.hosting",
                        "router.ssdp", "router.natpmp", "router.pcp"),
}
NEEDS_DNS = (JOIN_SPACES, CHAT, SHARE_APPS)  # they reach servers by name
UNUSABLE = {v.value for v in (Verdict.DEAD, Verdict.REFUSES, Verdict.ERRORS, Verdict.NOT_DNS)}

# The outcome in words, by status; marked here, translated where used.
HEADLINES: dict[str, dict[Status, str]] = {
    JOIN_SPACES: {
        Status.OK: N_("Yes, you can find and join public spaces."),
        Status.WARNING: N_("You can find and join public spaces, but something needs a look."),
        Status.FAILED: N_("No, you cannot find or join public spaces yet."),
        Status.SKIPPED: N_("Finding and joining public spaces was not checked."),
    },
    CHAT: {
        Status.OK: N_("Yes, chat works."),
        Status.WARNING: N_("Chat works, but something needs a look."),
        Status.FAILED: N_("No, chat does not work yet."),
        Status.SKIPPED: N_("Chat is not set up (no chat server in the settings)."),
    },
    SHARE_APPS: {
        Status.OK: N_("Yes, shared applications work."),
        Status.WARNING: N_("Shared applications work, but something needs a look."),
        Status.FAILED: N_("No, shared applications do not work yet."),
        Status.SKIPPED: N_("Shared applications are not set up (no Xrfb server in the "
                           "settings)."),
    },
    FRIENDS_REACH_YOU: {
        Status.OK: N_("Yes, friends outside your network can reach your spaces."),
        Status.WARNING: N_("Not yet: friends outside your network cannot reach your spaces "
                           "until the TeaTime ports are forwarded."),
        Status.FAILED: N_("No, friends outside your network cannot reach your spaces."),
        Status.SKIPPED: N_("Friends outside your network cannot reach your spaces: you chose "
                           "LAN only."),
    },
}
TITLES = {
    # Translators: the names of the four outcomes, used in "{title}: not checked ..."
    JOIN_SPACES: N_("Finding and joining public spaces"),
    CHAT: N_("Chat"),
    SHARE_APPS: N_("Shared applications"),
    FRIENDS_REACH_YOU: N_("Friends outside your network reaching your spaces"),
}
NO_NETWORK_FIX = N_("Connect this computer to your network (cable or Wi-Fi), then check "
                    "again.")


@dataclass(frozen=True)
class Outcome:
    id: str
    status: Status
    summary: str
    fix: str
    because: tuple[str, ...]  # the ids of the checks it rests on

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "status": self.status.value, "summary": self.summary,
                "fix": self.fix, "because": list(self.because)}


@dataclass(frozen=True)
class RootCause:
    """Something every dependent outcome fails because of."""

    summary: str
    fix: str
    because: tuple[str, ...]
    outcomes: tuple[str, ...]  # the outcomes it decides


def _resolvers(checks: Sequence[ProbeResult]) -> list[ProbeResult]:
    return [c for c in checks if c.id.startswith("dns.resolver.")]


def root_cause(checks: Sequence[ProbeResult]) -> RootCause | None:
    """No network (no default gateway, and no DNS server answers), else no working DNS."""
    resolvers = _resolvers(checks)
    verdicts = {c.details.get("verdict") for c in resolvers}
    # No answer from any; or none that gives answers Open Cobalt can use (a resolver that
    # hijacks NXDOMAIN still resolves the names that exist: not a cause of its own).
    dns_silent = bool(resolvers) and verdicts == {Verdict.DEAD.value}
    dns_dead = bool(resolvers) and verdicts <= UNUSABLE
    no_gateway = any(c.id in ("router.natpmp", "router.pcp") and "gateway" in c.details
                     and not c.details["gateway"] for c in checks)
    if dns_silent and no_gateway:
        ids = tuple(c.id for c in resolvers) + tuple(
            c.id for c in checks if c.id in ("router.natpmp", "router.pcp"))
        return RootCause(_("This computer has no network connection: it has no default "
                           "gateway, and no DNS server answers."), _(NO_NETWORK_FIX), ids,
                         OUTCOME_IDS)
    if dns_dead:
        first = resolvers[0]
        return RootCause(_("DNS does not work: no DNS server answers as it should ({words})."
                           ).format(words=first.summary.rstrip(".")), first.fix,
                         tuple(c.id for c in resolvers), NEEDS_DNS)
    return None


def _deciding(checks: dict[str, ProbeResult], ids: Iterable[str]) -> ProbeResult | None:
    """The first failed check among `ids`, else the first warning, else None."""
    present = [checks[i] for i in ids if i in checks]
    for status in (Status.FAILED, Status.WARNING):
        for check in present:
            if check.status is status:
                return check
    return None


def _outcome(outcome: str, status: Status, evidence: str, fix: str,
             because: Iterable[str]) -> Outcome:
    summary = " ".join(filter(None, [_(HEADLINES[outcome][status]), evidence]))
    return Outcome(outcome, status, summary, fix if status is not Status.OK else "",
                   tuple(because))


def _service_outcome(outcome: str, checks: dict[str, ProbeResult], proof: str,
                     skipped_when: str) -> Outcome:
    """Join spaces, chat, share apps: yes when `proof` passed, else what decided it."""
    ids = [i for i in RESTS_ON[outcome] if i in checks]
    set_up = skipped_when in checks or RESTS_ON[outcome][0] in checks  # its look-up ran
    if not set_up or (skipped_when in checks and checks[skipped_when].status is Status.SKIPPED):
        return _outcome(outcome, Status.SKIPPED, "", "", ids)
    deciding = _deciding(checks, ids)
    if deciding is None:
        return _outcome(outcome, Status.OK, checks[proof].summary if proof in checks else "",
                        "", ids)
    return _outcome(outcome, deciding.status, deciding.summary, deciding.fix, ids)


def _friends_outcome(checks: dict[str, ProbeResult], settings: Settings) -> Outcome:
    ids = [i for i in RESTS_ON[FRIENDS_REACH_YOU] if i in checks]
    if settings.router.mode is RouterMode.LAN_ONLY:
        return _outcome(FRIENDS_REACH_YOU, Status.SKIPPED, "",
                        _("Choose Automatic or Manual forwarding on the Router page."), ids)
    # What stops friends for certain, in the order a network engineer would look.
    for check_id in ("router.external", "router.stun", "router.ports", "teatime.hosting"):
        check = checks.get(check_id)
        if check is not None and check.status in (Status.FAILED, Status.WARNING) and not (
                check_id == "router.stun" and check.details.get("public_address") is None):
            return _outcome(FRIENDS_REACH_YOU, Status.FAILED, check.summary, check.fix, ids)
    ports, edge = checks.get("router.ports"), checks.get("router.stun")
    proven = edge is not None and edge.status is Status.OK
    if ports is not None and ports.status is Status.OK:
        way = ports.summary
    elif settings.router.mode is RouterMode.UPNP and "router.external" in checks:
        # Automatic mode: Open Cobalt forwards the ports itself each time it starts.
        way = _("Open Cobalt's Automatic mode forwards the TeaTime ports each time it "
                "starts, and this router takes forwardings.")
    else:
        return _outcome(FRIENDS_REACH_YOU, Status.WARNING, ports.summary if ports else "",
                        _("Forward the TeaTime ports on the Router page (Manual forwarding), "
                          "or choose Automatic mode."), ids)
    if proven and edge is not None:
        return _outcome(FRIENDS_REACH_YOU, Status.OK, f"{way} {edge.summary}", "", ids)
    # The router's word only: nothing on the Internet confirmed that it is the edge.
    unproven = edge.summary if edge is not None else ""
    return Outcome(FRIENDS_REACH_YOU, Status.WARNING, " ".join(filter(None, [
        _("Probably: friends outside your network can reach your spaces, as far as the "
          "router tells; nothing on the Internet confirmed it."), way, unproven])),
        edge.fix if edge is not None and edge.fix else _(
            "Let the wizard ask STUN servers (Router settings, StunServers) to confirm it."),
        tuple(ids))


PROOF = {JOIN_SPACES: "ldap.directory", CHAT: "xmpp.client", SHARE_APPS: "xrfb.control"}


def _because_of(cause: RootCause | None, outcome: Outcome,
                checks: dict[str, ProbeResult]) -> bool:
    """Whether `outcome` failed because of the root cause: with no network, any failure;
    with no DNS, a failure of its own name look-up."""
    if cause is None or outcome.status is not Status.FAILED or outcome.id not in cause.outcomes:
        return False
    if cause.outcomes == OUTCOME_IDS:
        return True
    resolution = checks.get(RESTS_ON[outcome.id][0])
    return resolution is not None and resolution.status is Status.FAILED


def outcomes(checks: Sequence[ProbeResult], settings: Settings,
             wanted: Iterable[str] = OUTCOME_IDS) -> list[Outcome]:
    """The four outcomes (or those `wanted`) from a diagnosis's checks."""
    return answers(checks, settings, wanted)[1]


def answers(checks: Sequence[ProbeResult], settings: Settings,
            wanted: Iterable[str] = OUTCOME_IDS) -> tuple[RootCause | None, list[Outcome]]:
    """The root cause, if one, and the outcomes (those `wanted`) that rest on the checks."""
    by_id = {check.id: check for check in checks}
    cause = root_cause(checks)
    found: list[Outcome] = []
    for outcome_id in wanted:
        if not any(i in by_id for i in RESTS_ON[outcome_id]):
            # Translators: {title} is an outcome's name, e.g. "Chat"
            found.append(Outcome(outcome_id, Status.SKIPPED, _(
                "{title}: not checked in this run.").format(title=_(TITLES[outcome_id])), "",
                ()))
            continue
        outcome = (_friends_outcome(by_id, settings) if outcome_id == FRIENDS_REACH_YOU
                   else _service_outcome(outcome_id, by_id, PROOF[outcome_id],
                                         PROOF[outcome_id]))
        if cause is not None and _because_of(cause, outcome, by_id):
            # Translators: {cause} is a whole sentence, e.g. "This computer has no
            # network connection: ..."
            outcome = _outcome(outcome_id, Status.FAILED, _("Because: {cause}").format(
                cause=cause.summary), cause.fix, cause.because)
        found.append(outcome)
    return cause, found
