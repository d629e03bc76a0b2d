"""Open Cobalt's router configuration, `config/cobalt-router.conf`: its dispatcher block.

The file is Smalltalk code that returns a router configuration object. The wizard reads
and changes only the argument of the keyword ``dispatcherConfigBlock:``, a block that
builds one of three dispatcher configurations:

- ``TUpnpDispatcherConfig`` (RouterMode.UPNP): the router opens a hole with UPnP;
- ``TManualDispatcherConfig`` (RouterMode.MANUAL): the ports are forwarded by hand;
- ``TLanOnlyDispatcherConfig`` (RouterMode.LAN_ONLY): no forwarding, LAN peers only.

Each takes ``routerClass:``, ``localAddressString:`` and ``dispatcherPort:``. Every other
byte of the file (comments, line endings, tabs, an ``authServicesBlock:``, logging
settings, trailing text) is kept exactly as it was.

The exact statement syntax Open Cobalt uses is not published. The form below is
INFERRED from Open Cobalt's documentation (the keyword, the three class names and their
three settings); it is what the wizard writes when the file does not exist yet::

    "cobalt-router.conf: Open Cobalt router configuration. ..."
    TRouterConfiguration new
        dispatcherConfigBlock: [
            TUpnpDispatcherConfig new
                routerClass: TRouter;
                localAddressString: '192.168.1.20';
                dispatcherPort: 6900;
                yourself];
        yourself

(indented with tabs in the file). ``localAddressString:`` is left out when the local
address is empty, meaning "let Open Cobalt detect it".

An existing block is edited in place, never regenerated: the class name, the
``localAddressString:`` string and the ``dispatcherPort:`` number are replaced; a missing
message is inserted as a new cascade line indented like its neighbours (with
``routerClass: TRouter`` when the block has no ``routerClass:`` yet); a
``localAddressString:`` message is removed when the address becomes empty. Block
parameters (``[:config | ...``), the ``routerClass:`` expression, comments and any other
message inside the block stay as they were. When nothing changes the text comes back
byte for byte. Work is on ``str``: the caller decodes UTF-8 and encodes the result back;
line endings (LF, CRLF or Squeak's CR) are kept because the text is only spliced.

Parts: `terms` (names and the error), `scanner` (Smalltalk tokens), `reading` (the block
found and read), `writing` (a new file, or the block spliced).
"""

from cobalt_setup.prefs.router_conf.reading import (
    find_dispatcher_block,
    read_router_settings_texts,
)
from cobalt_setup.prefs.router_conf.terms import (
    DEFAULT_ROUTER_CLASS,
    DISPATCHER_KEYWORD,
    MODE_CLASSES,
    ROUTER_CONF_RELATIVE_PATH,
    DispatcherBlock,
    RouterConfError,
)
from cobalt_setup.prefs.router_conf.writing import render_router_conf

__all__ = ["DEFAULT_ROUTER_CLASS", "DISPATCHER_KEYWORD", "MODE_CLASSES",
           "ROUTER_CONF_RELATIVE_PATH", "DispatcherBlock", "RouterConfError",
           "find_dispatcher_block", "read_router_settings_texts", "render_router_conf"]
