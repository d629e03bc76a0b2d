"""docs/verdicts.md says what the code says: regenerated from real peers, it must be the
committed file, word for word (see tests/verdicts_doc.py for what is run)."""

from __future__ import annotations

import pytest

from lab.daemons import LabUnavailable
from verdicts_doc import DOC, document, verdict_rows

pytestmark = pytest.mark.lab


def test_the_verdicts_document_matches_the_code() -> None:
    try:
        generated = document(verdict_rows())
    except LabUnavailable as missing:
        pytest.skip(str(missing))
    committed = DOC.read_text(encoding="utf-8")
    assert generated == committed, (
        "docs/verdicts.md is out of date: run .venv/bin/python tests/verdicts_doc.py and "
        "review the change")
