"""The upload boxes of 문서 Q&A and 매뉴얼 관리 list, in their labels, exactly the formats they accept, which are
exactly the formats ingestion reads: one list (seoulai.ingest.sniff.SUPPORTED), so label and box cannot drift."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.ingest.sniff import SUPPORTED
from tests.ui.conftest import APP


@pytest.mark.parametrize("page", ["views/doc_qa.py", "views/library.py"])
def test_the_label_lists_what_the_box_accepts(app_env: pytest.MonkeyPatch, page: str) -> None:
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    app_env.setenv("SEOULAI_LLM__BACKEND", "none")
    app_env.setenv("SEOULAI_AUTH__DEMO_ROLE", "admin")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    box = at.file_uploader[0]
    accepted = {t.lstrip(".").lower() for t in box.allowed_type}
    listed = re.search(r"\(([^)]*)\)\s*$", box.label)
    assert listed is not None, box.label
    named = [name.strip().lower() for name in listed.group(1).split(",")]
    assert accepted == set(SUPPORTED) and sorted(named) == sorted(accepted), (box.label, box.allowed_type)
