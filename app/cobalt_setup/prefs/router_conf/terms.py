"""The names in cobalt-router.conf that the wizard reads and writes, and its error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cobalt_setup.i18n import N_
from cobalt_setup.settings import RouterMode

ROUTER_CONF_RELATIVE_PATH = Path("config") / "cobalt-router.conf"

MODE_CLASSES: dict[RouterMode, str] = {
    RouterMode.UPNP: "TUpnpDispatcherConfig",
    RouterMode.MANUAL: "TManualDispatcherConfig",
    RouterMode.LAN_ONLY: "TLanOnlyDispatcherConfig",
}
CLASS_MODES: dict[str, RouterMode] = {name: mode for mode, name in MODE_CLASSES.items()}

DISPATCHER_KEYWORD = "dispatcherConfigBlock:"
DEFAULT_ROUTER_CLASS = "TRouter"
ROUTER_CLASS = "routerClass:"
LOCAL_ADDRESS = "localAddressString:"
DISPATCHER_PORT = "dispatcherPort:"
MESSAGE_ORDER = (ROUTER_CLASS, LOCAL_ADDRESS, DISPATCHER_PORT)  # the order we write them in

# Translators: what to do about a problem in cobalt-router.conf; shown
# after the problem and a semicolon, lower case.
FIX = N_("fix the file by hand, or move it away so the wizard writes a fresh one")
CONFIG_CLASS = re.compile(r"T\w*DispatcherConfig")

TEMPLATE_HEADER = (
    '"cobalt-router.conf: Open Cobalt router configuration.\n'
    "Written by Cobalt Network Setup. The form of this file is inferred from Open Cobalt's\n"
    "documentation (dispatcherConfigBlock: with TUpnpDispatcherConfig, TManualDispatcherConfig\n"
    "or TLanOnlyDispatcherConfig); edit the dispatcher block through the wizard, "
    'the rest by hand."\n'
)


@dataclass(frozen=True)
class DispatcherBlock:
    """What the dispatcher block of a cobalt-router.conf says, and where it is."""

    mode: RouterMode | None  # None when the class name is not one of the three
    class_name: str
    local_address: str  # "" when absent (or not a string literal)
    dispatcher_port: int | None  # None when absent (or not an integer literal)
    router_class: str | None  # the argument expression of routerClass:, verbatim
    start: int  # offsets in the text: the block from '[' ...
    end: int  # ... to just after the matching ']'


class RouterConfError(ValueError):
    """The file cannot be understood well enough to edit safely; the message says where (line number) and what to do."""  # noqa: E501

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
