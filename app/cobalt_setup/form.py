"""The wizard's editable state, without Qt: the text of every field and what is wrong with it.

Pages bind their inputs to a `SettingsForm`; whether a page may go on, what the Summary
shows and what Finish writes all come from here, so tests can drive them with no window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cobalt_setup.settings import (
    FIELDS,
    FIELDS_BY_ID,
    Settings,
    parse_texts,
)

FieldId = tuple[str, str]


class SettingsForm:
    """Field texts as typed, starting from the files on disk or the defaults."""

    def __init__(self, texts: Mapping[FieldId, str] | None = None) -> None:
        self._texts: dict[FieldId, str] = {f.id: f.default for f in FIELDS}
        self._texts.update({k: v for k, v in (texts or {}).items() if k in FIELDS_BY_ID})
        self.edited: set[FieldId] = set()

    def reseed(self, texts: Mapping[FieldId, str]) -> None:
        """Start again from these texts (defaults for the rest), keeping what the user typed."""
        for f in FIELDS:
            if f.id not in self.edited:
                self._texts[f.id] = texts.get(f.id, f.default)

    def text(self, field_id: FieldId) -> str:
        return self._texts[field_id]

    def set_text(self, field_id: FieldId, text: str) -> None:
        if field_id not in FIELDS_BY_ID:
            raise KeyError(field_id)
        if text != self._texts[field_id]:
            self.edited.add(field_id)
        self._texts[field_id] = text

    def texts(self) -> dict[FieldId, str]:
        return dict(self._texts)

    def errors(self, field_ids: Iterable[FieldId] | None = None) -> dict[FieldId, str]:
        """Field id -> the reason it is wrong, for the given fields (all by default)."""
        wanted = set(FIELDS_BY_ID if field_ids is None else field_ids)
        _, errors = parse_texts(self._texts)
        found: dict[FieldId, str] = {}
        for error in errors:
            found.setdefault(error.field.id, error.reason)
        return {k: v for k, v in found.items() if k in wanted}

    def settings(self) -> Settings:
        """The validated settings; raises `SettingsInvalid` naming every bad field."""
        return Settings.from_texts(self._texts)

    def is_valid(self, field_ids: Iterable[FieldId] | None = None) -> bool:
        return not self.errors(field_ids)
