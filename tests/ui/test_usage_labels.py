"""이용 현황 in words a 과장 reads: no setting names, model use explained, units named by their full 실/국 path,
and every widget with a Korean label a screen reader can announce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.usage.log import UsageLog
from tests.ui.test_usage_page import ADMIN, MANAGER, _usage_page, demo_usage  # noqa: F401 - demo_usage: fixture

HANGUL = re.compile("[가-힣]")
WIDGETS = ("selectbox", "multiselect", "button", "download_button", "radio", "checkbox", "text_input",
           "date_input", "segmented_control", "pills", "toggle", "slider", "number_input")


def _texts(at: AppTest) -> list[str]:
    """What a person reads on the page: headings, messages, captions, markdown and the numbers' labels."""
    texts = [e.value for kind in ("title", "subheader", "caption", "markdown", "info", "warning", "error", "success")
             for e in at.get(kind)]
    return texts + [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]


def _widgets(at: AppTest) -> list[tuple[str, str]]:
    return [(kind, str(getattr(w, "label", "") or "")) for kind in WIDGETS for w in at.get(kind)]


@pytest.fixture
def usage_data(demo_usage: Path) -> Path:  # noqa: F811 - the fixture
    """The demo data, folded and through its first retention pass (which rewrites the file: the demo holds 문서 Q&A
    question text) before the app opens it, so the page never reads while the app swaps the file."""
    log = UsageLog(demo_usage / "usage.duckdb", spool_dir=demo_usage / "usage-spool", retention_days=365)
    try:
        assert log.expire() >= 0
    finally:
        log.close()
    return demo_usage


def test_no_setting_names_and_model_use_is_explained(usage_data: Path) -> None:
    at = _usage_page(MANAGER)
    assert not at.exception
    texts = _texts(at)
    assert not [t for t in texts if "SEOULAI_" in t], "a setting name on the manager's screen"
    model = [t for t in texts if t.startswith("모델 사용량")]
    assert model and "토큰은 모델이 글을 세는 단위" in model[0]  # 토큰 explained in plain Korean
    assert any("절감 시간 = 성공한 이용 건수" in t and "1건당" in t for t in texts)


def test_department_options_are_full_paths(usage_data: Path) -> None:
    options = _usage_page(ADMIN).selectbox(key="us_department").options
    assert len(options) == len(set(options))  # 행정국 and 재무국 each have a 총무과: never two equal choices
    assert "행정국 > 총무과" in options and "재무국 > 총무과" in options
    assert options[0] == "서울특별시"


def test_every_widget_has_a_korean_label(usage_data: Path) -> None:
    at = _usage_page(MANAGER)
    at.button(key="us_export").click().run()
    assert not at.exception and len(at.get("download_button")) == 2
    widgets = _widgets(at)
    assert len(widgets) >= 6  # period, department, features, export, two downloads
    assert not [(k, label) for k, label in widgets if not HANGUL.search(label)], widgets
