"""Reusable pieces of the pages: a labelled, validated input and a live-check area."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPalette
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
from cobalt_setup.i18n import _
from cobalt_setup.probes.result import ProbeResult
from cobalt_setup.settings import FIELDS_BY_ID

LABEL_MIN_WIDTH = 170  # pixels: the label column of a field row, at least
ERROR_STYLE = "color: palette(text); background: rgba(220, 50, 47, 40); border-radius: 4px;"


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
    """An icon and a word, then details: status is never shown by colour alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        self.kind = ""

    def word(self, kind: str) -> str:
        return {
            "error": self.tr("Problem:"),
            "warning": self.tr("Warning:"),
            "ok": self.tr("OK:"),
            "info": self.tr("Note:"),
            "pending": self.tr("Not checked yet:"),
            "busy": self.tr("Checking:"),
        }[kind]

    def show_status(self, kind: str, text: str) -> None:
        self.kind = kind
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(status_icon(kind).pixmap(QSize(size, size), self.devicePixelRatioF()))
        word = self.word(kind)
        self.text.setText(f"<b>{escape(word)}</b> {escape(text)}" if text else "")
        self.setAccessibleName(f"{word} {text}")
        style = ERROR_STYLE if kind == "error" else ""
        if self.styleSheet() != style:  # restyling re-polishes every child: only on change
            self.setStyleSheet(style)
        self.setVisible(bool(text))


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
            self.tr("live checks of this service will show here."),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        self.setAccessibleName(title)

    def show_verdict(self, problems: int, run: int, skipped: int) -> None:
        """The header once the checks are done: how many of those run found a problem.
        (Here, not in the page classes: PySide6's tr() in a subclass does not find a base
        class's texts with a number in them.)"""
        if problems:
            text = self.tr("%n of {total} checks found a problem.", "", problems).format(
                total=run)
        else:
            text = self.tr("All %n checks passed.", "", run)
        if skipped:
            text += " " + self.tr("%n not run (see below).", "", skipped)
        self.status.show_status("warning" if problems else "ok", text)


def muted(label: QLabel) -> None:
    """Secondary text in the palette's placeholder colour, so it stays legible in dark mode."""
    palette = label.palette()
    role = QPalette.ColorRole
    palette.setColor(role.WindowText, palette.color(role.PlaceholderText))
    label.setPalette(palette)



BATCH_MS = 0  # results arriving in the same turn of the event loop are laid out together
STATUS_KINDS = {"ok": "ok", "warning": "warning", "failed": "error", "skipped": "info"}


class ResultList(QWidget):
    """Probe results, one status line each (icon, word, summary), with the fix under it.

    With `group_names` ({service id: title}), results are grouped under a heading per
    service, in that order (services not named come last, under their id).
    """

    def __init__(self, parent: QWidget | None = None,
                 group_names: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.lines: list[StatusLine] = []  # in the order shown
        self.headings: list[QLabel] = []
        self.shown: list = []  # the results, in the order they were added
        self._groups: dict[str, list[QWidget]] = {}
        self._result_of: dict[QWidget, object] = {}
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
        self.flush()
        self._show_exactly(results)

    def _show_exactly(self, results: list) -> None:
        """Show exactly these results (a rebuild: for the final list, not each arrival).

        The final list of a run holds the results that arrived one by one: when it is the
        same set, nothing is rebuilt (a rebuild re-lays out the whole page).
        """
        if len(results) == len(self.shown) and \
                {id(result) for result in results} == {id(result) for result in self.shown}:
            self._reorder(results)
            return
        for widget in [*self.lines, *self.headings]:
            widget.deleteLater()
        self.lines, self.headings, self.shown, self._groups = [], [], [], {}
        self._result_of = {}
        ordered = sorted(results, key=lambda r: self._group_key(r.service)) \
            if self.group_names is not None else list(results)
        for result in ordered:
            self._insert(result)

    def _reorder(self, results: list) -> None:
        """Put the existing lines in the order of `results`, under their headings: widgets
        are moved, not made again."""
        if [id(r) for r in results] == [id(r) for r in self.shown]:
            return
        rank = {id(result): index for index, result in enumerate(results)}
        if self.group_names is None:
            lines = sorted(self.lines, key=lambda line: rank[id(self._result_of[line])])
            for position, line in enumerate(lines):
                self._layout.insertWidget(position, line)  # moves it
            self.lines = lines
        else:
            for widgets in self._groups.values():
                start = self._layout.indexOf(widgets[0]) + 1
                ordered = sorted(widgets[1:], key=lambda w: rank[id(self._result_of[w])])
                for offset, line in enumerate(ordered):
                    self._layout.insertWidget(start + offset, line)
                widgets[1:] = ordered
            self.lines.sort(key=self._layout.indexOf)
        self.shown = list(results)

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
        for result in pending:
            self._insert(result)

    def _insert(self, result: ProbeResult) -> None:
        """Place one result's line in its group: no rebuild."""
        line = StatusLine(self)
        # lupdate finds tr() only outside f-strings.
        fix = self.tr("Fix: {fix}").format(fix=result.fix) if result.fix else ""
        line.show_status(STATUS_KINDS[result.status.value],
                         f"{result.summary} {fix}" if fix else result.summary)
        position = self._layout.count()
        if self.group_names is not None:
            service = result.service
            if service not in self._groups:
                later = [widgets[0] for key, widgets in self._groups.items()
                         if self._group_key(key) > self._group_key(service)]
                position = min((self._layout.indexOf(w) for w in later), default=position)
                title = _(self.group_names.get(service, service))
                heading = QLabel(f"<b>{escape(title)}</b>", self)
                heading.setAccessibleName(title)
                self._layout.insertWidget(position, heading)
                self.headings.append(heading)
                self.headings.sort(key=self._layout.indexOf)  # kept in the order shown
                self._groups[service] = [heading]
                position += 1
            else:
                position = self._layout.indexOf(self._groups[service][-1]) + 1
            self._groups[service].append(line)
        self._layout.insertWidget(position, line)
        self.lines.insert(self._index_among_lines(line), line)
        self._result_of[line] = result
        self.shown.append(result)

    def _index_among_lines(self, line: StatusLine) -> int:
        before = [w for w in (self._layout.itemAt(i).widget()
                              for i in range(self._layout.indexOf(line)))
                  if isinstance(w, StatusLine)]
        return len(before)

    def texts(self) -> list[str]:
        self.flush()
        return [line.accessibleName() for line in self.lines]
