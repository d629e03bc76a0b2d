"""Run Python code of the test process inside a network namespace the lab made.

`enter(name)` moves THE CALLING THREAD into /run/netns/NAME (what `ip netns add` creates)
and always moves it back, even when the body raises. Only that one thread moves: Linux
keeps the network namespace per thread (task), not per process.
- Threads that already exist when a thread enters stay where they are.
- Threads started while inside inherit the namespace of the thread that starts them, and
  keep it after that thread has left (an executor's worker started inside stays inside).
  So an asyncio loop's default executor whose workers already exist runs
  `run_in_executor` work OUTSIDE; sockets made in the loop's own thread are inside.
- A socket belongs to the namespace it was created in, for its whole life: a listener
  made inside `lan` keeps accepting there after the thread has left.
- Inside, `/proc/thread-self/net/route` (and `/proc/thread-self/net/...` in general) shows
  the namespace's routes. `/proc/self/net/route` and `/proc/net/route` show the namespace
  of the process's MAIN thread: right only when the main thread is the one inside.
- ifaddr (getifaddrs over netlink) lists the namespace's interfaces: netlink sockets are
  made in the calling thread's namespace.
tests/lab/selftest/test_lab_router.py checks each of these.

Hand-written with ctypes: Python 3.11 has no os.setns (3.12 has), and `ip netns exec`
runs a new program, not code of this process. Needs root (CAP_SYS_ADMIN).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator

CLONE_NEWNET = 0x40000000  # from <sched.h>
NETNS_FOLDER = "/run/netns"  # where iproute2 bind-mounts named namespaces

_libc = ctypes.CDLL(None, use_errno=True)
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.setns.restype = ctypes.c_int


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"setns(CLONE_NEWNET): {os.strerror(code)}")


def path_of(namespace: str) -> str:
    """The file iproute2 keeps for a named namespace."""
    return os.path.join(NETNS_FOLDER, namespace)


@contextlib.contextmanager
def enter(namespace: str) -> Iterator[None]:
    """Run the body with this thread in the named network namespace; switch back after."""
    original = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        target = os.open(path_of(namespace), os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(target)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(original)
    finally:
        os.close(original)


def current_namespace_id() -> int:
    """The inode of this thread's network namespace (equal ids = same namespace)."""
    return os.stat("/proc/thread-self/ns/net").st_ino


def namespace_id(namespace: str) -> int:
    """The inode of a named namespace, to compare with current_namespace_id()."""
    return os.stat(path_of(namespace)).st_ino
