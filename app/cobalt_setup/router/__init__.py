"""Finding the home router and forwarding TeaTime ports through it (UPnP IGD, PCP,
NAT-PMP), and what the Internet sees of this computer (STUN)."""
