"""What the router page tells a person to do by hand, with this computer's numbers."""

from __future__ import annotations

from cobalt_setup.settings import Settings


def teatime_ports(settings: Settings) -> list[int]:
    span = settings.router.ports
    return list(range(span.first, span.last + 1))


def manual_steps(lan_address: str | None, ports: list[int], gateway: str | None) -> str:
    """Step-by-step instructions for forwarding by hand, with this computer's numbers."""
    address = lan_address or "this computer's address"
    span = f"{ports[0]}-{ports[-1]}" if len(ports) > 1 else str(ports[0])
    where = f"http://{gateway}/" if gateway else "your router's address (often on a label)"
    return "\n".join([
        "Forwarding the TeaTime ports by hand",
        f"1. Open a web browser on this computer and go to {where}.",
        "2. Log in with the router's administrator password.",
        "3. Find the page called Port Forwarding (sometimes Virtual Server, NAT, "
        "Applications or Gaming).",
        f"4. Add a rule: protocol TCP, external ports {span}, internal (private) ports "
        f"{span}, to the device {address}.",
        "5. Name it Open Cobalt TeaTime, save, and apply.",
        f"6. Give this computer a fixed address ({address}) in the router's DHCP settings "
        "(address reservation), so the rule still points at it after a restart.",
        "7. Come back to this page: it checks the forwarding again.",
    ])
