"""Live checks of the services Open Cobalt needs: async functions that return values.

A probe never prints and never raises for an expected failure (a dead server, a timeout):
it returns what it found, with the fix in plain words. Everything here is plain asyncio.
"""
