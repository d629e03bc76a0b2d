"""Errors that a program only logs fail the test that caused them.

An exception in an event-loop callback, a task whose exception nobody retrieved, an
exception Python could not raise (in a finaliser), an exception in a thread, a critical Qt
message and a task left running after the test: each is logged somewhere and lets the test
pass, yet in the wizard each is a task writing into a closed window or a crash waiting to
happen. So each is collected here while the test runs and fails it at teardown, with what
was found.

It is also what keeps a failing test reported: CPython 3.11.7's AST constructor shares one
recursion counter between calls (gh-106905, fixed in 3.11.8), so a task finalised by the
garbage collector while pytest parses source to format a failure logs its own traceback,
parses again, and pytest dies with "AST constructor recursion depth mismatch". Collecting
the garbage of each test at its teardown, and failing the test that leaves such a task,
means no finaliser of that kind is left for pytest's report to run.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QtMsgType, qInstallMessageHandler

FOUND = pytest.StashKey[list[str]]()
_QT_FATAL = {QtMsgType.QtCriticalMsg: "critical", QtMsgType.QtFatalMsg: "fatal"}


def _describe_context(context: dict[str, Any]) -> str:
    message = context.get("message") or "unhandled exception in the event loop"
    error = context.get("exception")
    subject = context.get("future") or context.get("task") or context.get("handle")
    text = message
    if error is not None:
        text += f": {type(error).__name__}: {error}"
    if subject is not None:
        text += f" ({subject!r:.200})"
    return text


def _patch(owner: type, name: str, make: Callable[[Any], Any],
           undo: list[Callable[[], None]]) -> None:
    original = owner.__dict__[name]
    setattr(owner, name, make(original))
    undo.append(lambda: setattr(owner, name, original))


def record(item: pytest.Item, problem: str) -> None:
    """Fail `item` at its teardown with `problem` (for fixtures that find one)."""
    item.stash.setdefault(FOUND, []).append(problem)


@pytest.fixture(autouse=True)
def fatal_errors(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    item = request.node
    found = item.stash.setdefault(FOUND, [])
    undo: list[Callable[[], None]] = []

    def exception_handler(original: Callable[..., None]) -> Callable[..., None]:
        def call_exception_handler(loop: asyncio.AbstractEventLoop,
                                   context: dict[str, Any]) -> None:
            found.append("event loop: " + _describe_context(context))
            original(loop, context)
        return call_exception_handler

    for loop_class in (asyncio.BaseEventLoop, qasync._QEventLoop):
        _patch(loop_class, "call_exception_handler", exception_handler, undo)

    previous_unraisable = sys.unraisablehook

    def unraisable(info: Any) -> None:
        found.append(f"unraisable exception: {info.exc_type.__name__}: {info.exc_value} "
                     f"({info.err_msg or 'in'} {info.object!r:.200})")
        previous_unraisable(info)

    sys.unraisablehook = unraisable
    undo.append(lambda: setattr(sys, "unraisablehook", previous_unraisable))

    previous_thread_hook = threading.excepthook

    def thread_exception(args: Any) -> None:
        found.append(f"exception in thread {args.thread.name if args.thread else '?'}: "
                     f"{args.exc_type.__name__}: {args.exc_value}")
        previous_thread_hook(args)

    threading.excepthook = thread_exception
    undo.append(lambda: setattr(threading, "excepthook", previous_thread_hook))

    previous_qt: Any = None

    def qt_message(mode: QtMsgType, context: Any, message: str) -> None:
        if mode in _QT_FATAL:
            found.append(f"Qt {_QT_FATAL[mode]} message: {message}")
        if previous_qt is not None:
            previous_qt(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous_qt = qInstallMessageHandler(qt_message)
    undo.append(lambda: qInstallMessageHandler(previous_qt))

    yield found

    if QCoreApplication.instance() is not None:  # windows closed by pytest-qt go now
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()  # finalisers of this test's objects run now, while the hooks listen
    for step in reversed(undo):
        step()
    if found:
        pytest.fail("errors that only reached a log:\n  " + "\n  ".join(found), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    """A coroutine test (pytest-asyncio) may not leave a task of its own running."""
    result = yield
    marker = pyfuncitem.get_closest_marker("asyncio")
    if marker is not None:
        scope = marker.kwargs.get("loop_scope", "function")
        runner = pyfuncitem._request.getfixturevalue(f"_{scope}_scoped_runner")
        pending = [task for task in asyncio.all_tasks(runner.get_loop()) if not task.done()]
        for task in pending:
            record(pyfuncitem, f"a task was still running when the test ended: {task!r:.300}")
    return result
