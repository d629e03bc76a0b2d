"""Finding the home router and forwarding TeaTime ports through it (UPnP IGD, NAT-PMP)."""
