"""What the router page tells a person to do by hand, with this computer's numbers."""

from __future__ import annotations

from cobalt_setup.i18n import _
from cobalt_setup.settings import Settings


def teatime_ports(settings: Settings) -> list[int]:
    span = settings.router.ports
    return list(range(span.first, span.last + 1))


def manual_steps(lan_address: str | None, ports: list[int], gateway: str | None) -> str:
    """Step-by-step instructions for forwarding by hand, with this computer's numbers."""
    span = f"{ports[0]}-{ports[-1]}" if len(ports) > 1 else str(ports[0])
    if gateway:
        # Translators: step 1 of the steps to forward ports by hand; {url} is the
        # router's web page, e.g. "http://192.168.1.1/"
        open_page = _("1. Open a web browser on this computer and go to {url}.").format(
            url=f"http://{gateway}/")
    else:
        # Translators: step 1 of the steps to forward ports by hand, when the
        # router's address is not known
        open_page = _("1. Open a web browser on this computer and go to your router's "
                      "address (often on a label).")
    if lan_address:
        # Translators: step 4 of the steps to forward ports by hand; {ports} is
        # e.g. "6900-6909", {address} this computer's address, e.g. "192.168.1.20"
        add_rule = _("4. Add a rule: protocol TCP, external ports {ports}, internal (private) "
                     "ports {ports}, to the device {address}.").format(ports=span,
                                                                      address=lan_address)
        # Translators: step 6 of the steps to forward ports by hand; {address} is
        # this computer's address, e.g. "192.168.1.20"
        fixed_address = _("6. Give this computer a fixed address ({address}) in the router's "
                          "DHCP settings (address reservation), so the rule still points at "
                          "it after a restart.").format(address=lan_address)
    else:
        # Translators: step 4 of the steps to forward ports by hand, when this
        # computer's address is not known; {ports} is e.g. "6900-6909"
        add_rule = _("4. Add a rule: protocol TCP, external ports {ports}, internal (private) "
                     "ports {ports}, to the device this computer's address.").format(
                         ports=span)
        # Translators: step 6 of the steps to forward ports by hand, when this
        # computer's address is not known
        fixed_address = _("6. Give this computer a fixed address (this computer's address) "
                          "in the router's DHCP settings (address reservation), so the rule "
                          "still points at it after a restart.")
    return "\n".join([
        # Translators: the heading of the steps to forward ports by hand
        _("Forwarding the TeaTime ports by hand"),
        open_page,
        _("2. Log in with the router's administrator password."),
        # Translators: step 3; the names in brackets are what routers call that
        # page
        _("3. Find the page called Port Forwarding (sometimes Virtual Server, NAT, "
          "Applications or Gaming)."),
        add_rule,
        # Translators: step 5; "Open Cobalt TeaTime" is the name to type in: keep
        # it as it is
        _("5. Name it Open Cobalt TeaTime, save, and apply."),
        fixed_address,
        _("7. Come back to this page: it checks the forwarding again."),
    ])
