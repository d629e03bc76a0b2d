"""Reusable pieces of the pages: a labelled, validated input and a live-check area."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from cobalt_setup.form import FieldId, SettingsForm
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.result import ProbeResult
from cobalt_setup.settings import FIELDS_BY_ID

LABEL_MIN_WIDTH = 170  # pixels: the label column of a field row, at least
ERROR_BACKGROUND = QColor(220, 50, 47, 40)  # a red tint, legible on light and dark palettes


ICON_FOLDER = Path(__file__).resolve().parent / "icons"
STATUS_ICON_KINDS = ("error", "warning", "ok", "info", "pending", "busy")
_icons: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    """An icon drawn in SVG (sharp at any screen scale), read once: "status-ok", ..."""
    if name not in _icons:
        _icons[name] = QIcon(str(ICON_FOLDER / f"{name}.svg"))
    return _icons[name]


def status_icon(kind: str) -> QIcon:
    """The icon of a status kind; each has its own shape, so colour is never the only cue."""
    return icon(f"status-{kind}")


class StatusLine(QWidget):
    """An icon and a word, then details: status is never shown by colour alone.

    The word and the details are plain-text labels with no text interaction: Qt lays those
    out with a bare QTextLayout, where rich or selectable text needs a whole text document
    per label (measured: a list of 30 results re-laid out and painted in 13-23 ms instead
    of 31-59). Right-click, Copy copies the line (as selecting its text did); the Summary's
    Copy report copies every line, from the keyboard too.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel(self)
        self.word_label = QLabel(self)
        self.word_label.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.word_label.font()
        bold.setBold(True)
        self.word_label.setFont(bold)
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.word_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        copy = QAction(_("&Copy"), self)
        copy.triggered.connect(self.copy)
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.kind = ""

    def word(self, kind: str) -> str:
        return {
            "error": _("Problem:"),
            "warning": _("Warning:"),
            "ok": _("OK:"),
            "info": _("Note:"),
            "pending": _("Not checked yet:"),
            "busy": _("Checking:"),
        }[kind]

    def show_status(self, kind: str, text: str) -> None:
        if kind != self.kind and "error" in (kind, self.kind):
            self.update()  # the error tint comes or goes (paintEvent)
        self.kind = kind
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(status_icon(kind).pixmap(QSize(size, size), self.devicePixelRatioF()))
        word = self.word(kind)
        self.word_label.setText(word)
        self.text.setText(text)
        self.setAccessibleName(f"{word} {text}")
        self.setVisible(bool(text))

    def paintEvent(self, event: QPaintEvent) -> None:
        """A problem's line is tinted. Painted here rather than by a style sheet: a style
        sheet re-polishes the line and its labels on every change (10 ms of a page's 24)."""
        if self.kind != "error":
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ERROR_BACKGROUND)
        painter.drawRoundedRect(self.rect(), 4, 4)

    def copy(self) -> None:
        """The line as the user reads it, word and details, to the clipboard."""
        QGuiApplication.clipboard().setText(self.accessibleName())


class FieldRow(QWidget):
    """One setting: a label with a mnemonic, its input, its rule message and its help."""

    edited = Signal(tuple)

    def __init__(self, form: SettingsForm, field_id: FieldId, label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form, self.field_id = form, field_id
        field = FIELDS_BY_ID[field_id]
        self.label = QLabel(label, self)
        self.input = QLineEdit(self)
        self.input.setObjectName(f"{field.section}.{field.key}")
        self.input.setAccessibleName(_(field.label))
        self.label.setBuddy(self.input)
        self.problem = StatusLine(self)
        self.problem.setVisible(False)
        self.help = QLabel(_(field.help), self)
        self.help.setWordWrap(True)
        self.help.setVisible(bool(field.help))
        muted(self.help)
        self.input.setAccessibleDescription(self.help.text())
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.align_to(0)
        self.grid.addWidget(self.label, 0, 0)
        self.grid.addWidget(self.input, 0, 1)
        self.grid.addWidget(self.problem, 1, 1)
        self.grid.addWidget(self.help, 2, 1)
        self.input.textEdited.connect(self._on_edited)

    def align_to(self, label_width: int) -> None:
        """Start the input after `label_width` pixels, so that the rows of a page line up
        however long a translated label is."""
        self.grid.setColumnMinimumWidth(0, max(LABEL_MIN_WIDTH, label_width))

    def load(self) -> None:
        """Show the form's text (after the session was reseeded, or on entering the page)."""
        if self.input.text() != self.form.text(self.field_id):
            self.input.setText(self.form.text(self.field_id))

    def _on_edited(self, text: str) -> None:
        self.form.set_text(self.field_id, text)
        self.edited.emit(self.field_id)

    def show_problem(self, reason: str | None) -> None:
        self.problem.show_status("error", reason or "")
        self.problem.setVisible(bool(reason))


class ProbeArea(QGroupBox):
    """Where a page's live checks show their results; 'not checked yet' until they run."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.status = StatusLine(self)
        self.status.show_status(
            "pending",
            _("live checks of this service will show here."),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        self.setAccessibleName(title)

    def show_verdict(self, problems: int, run: int, skipped: int, *,
                     failed: bool = False) -> None:
        """The header once the checks are done: how many of those run found a problem; an
        error when one of them failed, a warning when they only warn."""
        if problems:
            text = ngettext("{count} of {total} checks found a problem.",
                            "{count} of {total} checks found a problem.", problems).format(
                count=problems, total=run)
        else:
            text = ngettext("{count} check passed.", "All {count} checks passed.", run).format(
                count=run)
        if skipped:
            text += " " + ngettext("{count} not run (see below).", "{count} not run (see below).",
                                   skipped).format(count=skipped)
        self.status.show_status("error" if failed else "warning" if problems else "ok", text)


def muted(label: QLabel) -> None:
    """Secondary text in the palette's placeholder colour, so it stays legible in dark mode."""
    palette = label.palette()
    role = QPalette.ColorRole
    palette.setColor(role.WindowText, palette.color(role.PlaceholderText))
    label.setPalette(palette)



BATCH_MS = 0  # results arriving in the same turn of the event loop are laid out together
STATUS_KINDS = {"ok": "ok", "warning": "warning", "failed": "error", "skipped": "info"}


class _ResultRow(QWidget):
    """One row of a result list: a group heading or a result's status line. Rows are made
    once and shown again with other contents, never deleted while the page lives."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.heading = QLabel(self)
        self.line = StatusLine(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.heading)
        layout.addWidget(self.line)
        self.heading.setVisible(False)
        self.line.setVisible(False)
        self.setVisible(False)
        self.entry: object = None  # a heading's title (str) or a ProbeResult, or None

    def show_heading(self, title: str) -> None:
        if isinstance(self.entry, str) and self.entry == title:
            return
        self.entry = title
        self.heading.setText(f"<b>{escape(title)}</b>")
        self.heading.setAccessibleName(title)
        self.line.setVisible(False)
        self.heading.setVisible(True)
        self.setVisible(True)

    def show_result(self, result: ProbeResult) -> None:
        if self.entry is result:
            return
        self.entry = result
        fix = _("Fix: {fix}").format(fix=result.fix) if result.fix else ""
        self.line.show_status(STATUS_KINDS[result.status.value],
                              f"{result.summary} {fix}" if fix else result.summary)
        self.heading.setVisible(False)
        self.line.setVisible(True)
        self.setVisible(True)

    def clear(self) -> None:
        if self.entry is not None:
            self.entry = None
            self.setVisible(False)


class ResultList(QWidget):
    """Probe results, one status line each (icon, word, summary), with the fix under it.

    With `group_names` ({service id: title}), results are grouped under a heading per
    service, in that order (services not named come last, under their id).

    The rows are made as they are first needed and then reused: a new run shows its
    results in the rows of the last one. Deleting a row's widgets while its page lives
    (deleteLater) made PySide6 6.11 crash now and then, in Shiboken's releaseWrapper, when
    the deferred delete ran inside a later event loop; and a rebuild re-lays out the page.
    """

    def __init__(self, parent: QWidget | None = None,
                 group_names: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._rows: list[_ResultRow] = []  # in layout order, the shown ones first
        self.lines: list[StatusLine] = []  # the results' lines, in the order shown
        self.headings: list[QLabel] = []
        self.shown: list = []  # the results, in the order they were added
        self.group_names = group_names
        self._pending: list = []
        self._batch = QTimer(self)
        self._batch.setSingleShot(True)
        self._batch.setInterval(BATCH_MS)
        self._batch.timeout.connect(self.flush)

    def _group_key(self, service: str) -> int:
        order = list(self.group_names or {})
        return order.index(service) if service in order else len(order)

    def show_results(self, results: list) -> None:
        """Show exactly these results (the final list of a run, or none)."""
        self._batch.stop()
        self._pending = []
        self.shown = list(results)
        self._render()

    def add_result(self, result: ProbeResult) -> None:
        """One more result, shown at the next turn of the event loop: results that arrive
        together share one re-layout of the page (each costs tens of milliseconds on a full
        page; a longer wait makes fewer but longer stalls, measured)."""
        self._pending.append(result)
        if not self._batch.isActive():
            self._batch.start()

    def flush(self) -> None:
        """Show the results still waiting for their batch."""
        self._batch.stop()
        pending, self._pending = self._pending, []
        if pending:
            self.shown.extend(pending)
            self._render()

    def _entries(self) -> list[object]:
        """What the rows show, top to bottom: results, and group titles before their group."""
        if self.group_names is None:
            return list(self.shown)
        entries: list[object] = []
        service = None
        for result in sorted(self.shown, key=lambda r: self._group_key(r.service)):
            if result.service != service:
                service = result.service
                entries.append(_(self.group_names.get(service, service)))
            entries.append(result)
        return entries

    def _render(self) -> None:
        """Put each entry in its row; a row that already shows it is left alone."""
        entries = self._entries()
        while len(self._rows) < len(entries):
            row = _ResultRow(self)
            self._layout.addWidget(row)
            self._rows.append(row)
        for row, entry in zip(self._rows[:len(entries)], entries, strict=True):
            if isinstance(entry, str):
                row.show_heading(entry)
            else:
                row.show_result(entry)
        for row in self._rows[len(entries):]:
            row.clear()
        shown = self._rows[:len(entries)]
        self.lines = [row.line for row in shown if not isinstance(row.entry, str)]
        self.headings = [row.heading for row in shown if isinstance(row.entry, str)]

    def texts(self) -> list[str]:
        self.flush()
        return [line.accessibleName() for line in self.lines]
