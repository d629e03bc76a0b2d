"""DNS: the resolvers, dispatcher discovery (DNS-SD) and name look-ups.

`terms` loads no DNS library, so pages can name verdicts before dnspython is imported.
"""
