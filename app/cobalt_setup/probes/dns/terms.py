"""The DNS checks' vocabulary and where they look, without loading any DNS library.

The wizard's pages name verdicts and build environments when they are created; dnspython
loads only when a check first runs, which keeps the wizard's start fast.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from cobalt_setup.addresses import Endpoint
from cobalt_setup.i18n import N_, _
from cobalt_setup.result import Status
from cobalt_setup.services import GOOGLE_DNS

DEFAULT_DEADLINE_S = 2.0
DEFAULT_QUERY_TIMEOUT_S = 0.6
# Random labels under this name must not exist: IANA keeps example.com without a wildcard.
NX_PARENT = "example.com"

PUBLIC_RESOLVERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Cloudflare", ("1.1.1.1", "1.0.0.1")),
    ("Quad9", ("9.9.9.9", "149.112.112.112")),
)


class Source(str, Enum):
    SYSTEM = "system"
    OPEN_COBALT = "open-cobalt"  # Open Cobalt's default, Google Public DNS
    PUBLIC = "public"
    YOURS = "yours"  # typed by the user


class Verdict(str, Enum):
    RECOMMENDED = "recommended"
    FINE = "fine"
    SLOW = "slow"
    UNRELIABLE = "unreliable"
    REFUSES = "refuses"  # answers REFUSED for names Open Cobalt needs
    ERRORS = "answers with errors"  # SERVFAIL, NOTIMP, FORMERR for names Open Cobalt needs
    NOT_DNS = "not a DNS server"  # something answered, but not in DNS
    DEAD = "dead"  # no answer at all: silent, nothing listens, or unreachable
    HIJACKS = "hijacks NXDOMAIN"
    NO_DISPATCHER = "cannot find the dispatcher"
    CHECKING = "checking"


# The verdicts in words for people; the enum's values stay machine values (JSON, the GUI).
VERDICT_WORDS = {
    # Translators: verdict on a DNS resolver (a server that looks up host
    # names).
    Verdict.RECOMMENDED: N_("recommended"),
    # Translators: verdict on a DNS resolver: it works well.
    Verdict.FINE: N_("fine"),
    # Translators: verdict on a DNS resolver: it answers, but slowly.
    Verdict.SLOW: N_("slow"),
    # Translators: verdict on a DNS resolver: it does not answer every query.
    Verdict.UNRELIABLE: N_("unreliable"),
    # Translators: verdict on a DNS resolver: it answers, but refuses to look up
    # the names Open Cobalt needs.
    Verdict.REFUSES: N_("refuses"),
    # Translators: verdict on a DNS resolver: it answers with error codes such as
    # SERVFAIL instead of addresses.
    Verdict.ERRORS: N_("answers with errors"),
    # Translators: verdict on a DNS resolver: what answers on its port is not DNS.
    Verdict.NOT_DNS: N_("not a DNS server"),
    # Translators: verdict on a DNS resolver: it answers no query at all.
    Verdict.DEAD: N_("dead"),
    # Translators: verdict on a DNS resolver: it answers with an address for
    # names that do not exist instead of saying "no such name" (NXDOMAIN is
    # the DNS term; keep it).
    Verdict.HIJACKS: N_("hijacks NXDOMAIN"),
    # Translators: verdict on a DNS resolver: it does not know the
    # dispatcher's records.
    Verdict.NO_DISPATCHER: N_("cannot find the dispatcher"),
    # Translators: verdict on a DNS resolver while it is still being measured.
    Verdict.CHECKING: N_("checking"),
}


# How each verdict counts in a report, and which icon the DNS page shows.
VERDICT_STATUS = {
    Verdict.RECOMMENDED: Status.OK,
    Verdict.FINE: Status.OK,
    Verdict.SLOW: Status.WARNING,
    Verdict.UNRELIABLE: Status.WARNING,
    Verdict.NO_DISPATCHER: Status.WARNING,
    Verdict.REFUSES: Status.FAILED,
    Verdict.ERRORS: Status.FAILED,
    Verdict.NOT_DNS: Status.FAILED,
    Verdict.DEAD: Status.FAILED,
    Verdict.HIJACKS: Status.FAILED,
    Verdict.CHECKING: Status.SKIPPED,
}


def verdict_words(verdict: Verdict) -> str:
    """The verdict as people read it, in their language: Verdict.DEAD -> "dead"."""
    return _(VERDICT_WORDS[verdict])


async def _system_resolvers() -> list[Endpoint]:
    from cobalt_setup.probes.dns.system import system_resolvers  # loads dnspython

    return await system_resolvers()


@dataclass(frozen=True)
class DnsEnvironment:
    system_resolvers: Callable[[], Awaitable[list[Endpoint]]] = _system_resolvers
    open_cobalt_default: tuple[str, ...] = GOOGLE_DNS
    public: tuple[tuple[str, tuple[str, ...]], ...] = PUBLIC_RESOLVERS
    nx_parent: str = NX_PARENT
    deadline: float = DEFAULT_DEADLINE_S
    query_timeout: float = DEFAULT_QUERY_TIMEOUT_S
    discovery_timeout: float = DEFAULT_DEADLINE_S
