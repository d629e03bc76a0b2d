"""The wizard window: the pages in order, nothing else."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtWidgets import QWidget, QWizard

from cobalt_setup.gui.pages.directory import SpaceDirectoryPage
from cobalt_setup.gui.pages.dns import DnsPage
from cobalt_setup.gui.pages.done import DonePage
from cobalt_setup.gui.pages.router import RouterPage
from cobalt_setup.gui.pages.summary import SummaryPage
from cobalt_setup.gui.pages.welcome import WelcomePage
from cobalt_setup.gui.pages.xrfb import XrfbPage
from cobalt_setup.gui.probe_runner import ProbeRunner
from cobalt_setup.gui.warmup import import_in_background
from cobalt_setup.i18n import _
from cobalt_setup.session import SetupSession

PAGES = (WelcomePage, DnsPage, SpaceDirectoryPage, XrfbPage, RouterPage, SummaryPage, DonePage)


class SetupWizard(QWizard):
    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Cobalt Network Setup"))
        self.setObjectName("SetupWizard")
        if sys.platform == "win32":
            # AeroStyle ignores the palette and breaks dark mode.
            self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.page_ids: dict[type, int] = {}
        for page_class in PAGES:
            self.page_ids[page_class] = self.addPage(page_class(session, self))
        self.resize(QSize(800, 700))
        self.currentIdChanged.connect(self._stop_pages_left)
        self._first_paint = _AfterFirstPaint(self, import_in_background)

    def go_to_first_problem(self, problem_services: set[str]) -> str | None:
        """After a diagnosis: move on (as Next would) to the first page that deals with a
        service that has a problem; returns its title, or None when no page has one."""
        from cobalt_setup.checks.table import page_services  # loaded by the diagnosis already

        targets = [self.page(page_id) for page_id in self.pageIds()
                   if page_services(getattr(self.page(page_id), "key", "")) & problem_services]
        if not targets:
            return None
        while self.currentPage() not in targets and self.currentPage().isComplete():
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break
        return self.currentPage().title()

    def runners(self) -> list[ProbeRunner]:
        return [runner for page_id in self.pageIds()
                for runner in self.page(page_id).findChildren(ProbeRunner)]

    def _stop_pages_left(self, current_id: int) -> None:
        """Next and Back: the checks of a page no longer shown stop at once."""
        current = self.page(current_id)
        for page_id in self.pageIds():
            if self.page(page_id) is not current:
                for runner in self.page(page_id).findChildren(ProbeRunner):
                    runner.cancel()

    def done(self, result: int) -> None:
        """Finish, Cancel, Esc or closing the window: stop every check at once (`stop()`
        then waits until their clean-up has ended)."""
        for runner in self.runners():
            runner.cancel()
        super().done(result)

    async def stop(self) -> None:
        """Cancel every check of every page and wait until each has ended."""
        for runner in self.runners():
            await runner.stop()


class _AfterFirstPaint(QObject):
    """Calls `then` once, after the window's first paint has been handled: work started
    then does not delay the first sight of the window."""

    def __init__(self, window: QWidget, then: Callable[[], object]) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.parent():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)  # after the whole paint pass, children included
        return False
