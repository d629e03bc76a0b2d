"""What every settings page shares: fields bound to the session's form, Next gated on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget, QWizardPage

from cobalt_setup.form import FieldId
from cobalt_setup.gui.widgets import FieldRow

if TYPE_CHECKING:
    from cobalt_setup.session import SetupSession


class SetupPage(QWizardPage):
    """A page that edits some fields of the session; Next is enabled while they are valid."""

    def __init__(self, session: SetupSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: dict[FieldId, FieldRow] = {}
        # Live results can outgrow a small screen: scroll rather than squeeze them.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget(scroll)
        scroll.setWidget(content)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def add_intro(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        self.body.addWidget(label)
        return label

    def add_field(
        self, field_id: FieldId, label: str, layout: QVBoxLayout | None = None
    ) -> FieldRow:
        row = FieldRow(self.session.form, field_id, label, self)
        row.edited.connect(self.refresh)
        self.rows[field_id] = row
        (layout or self.body).addWidget(row)
        return row

    def initializePage(self) -> None:
        for row in self.rows.values():
            row.load()
        self.refresh()

    def refresh(self) -> None:
        """Show each field's problem (a rule may involve another field) and re-gate Next."""
        errors = self.session.form.errors(self.rows)
        for field_id, row in self.rows.items():
            row.show_problem(errors.get(field_id))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.session.form.is_valid(self.rows)
