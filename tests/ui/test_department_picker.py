"""내 부서 (sign-in mode none): the evaluator picks their 과 from the chart in force, the real one once the
organisation rule is in the shared library."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP

RULE = "corpus/seoul/규칙/서울특별시 행정기구 설치 조례 시행규칙.md"


def _sidebar_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.sidebar.markdown)


def test_picker_lists_the_real_units_and_changes_the_department(app_env: pytest.MonkeyPatch, shared_dir: Path,
                                                                tmp_path: Path) -> None:
    from seoulai.config import Settings
    from seoulai.services import build_services

    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    app_env.setenv("SEOULAI_LLM__BACKEND", "none")
    text = (shared_dir / RULE).read_text(encoding="utf-8")
    rule = tmp_path / "서울특별시 행정기구 설치 조례 시행규칙.md"
    rule.write_text(text[: text.index("## 제3장 직속기관")], encoding="utf-8")  # 본청 only: quicker
    services = build_services(Settings())
    try:
        services.library.ingest_paths([rule], "공통")
    finally:
        services.close()

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    picker = at.selectbox(key="sidebar_department")
    assert picker.label == "내 부서" and picker.value == "서울특별시/디지털도시국/디지털정책과"
    assert "디지털도시국 > 정보보안과" in picker.options and "행정국 > 국제행사지원과" in picker.options
    assert "디지털정책과" in _sidebar_text(at)

    picker.set_value("서울특별시/행정국/국제행사지원과").run()
    assert not at.exception
    # (AppTest drops the sidebar of st.navigation apps on a rerun; the person the pages get is what matters.)
    chosen = at.session_state["auth_person"]
    assert chosen.department == "서울특별시/행정국/국제행사지원과" and chosen.id == "demo"
    at.switch_page("views/library.py").run()
    assert not at.exception
    assert "행정국/국제행사지원과" in str([s.options for s in at.selectbox] + [m.value for m in at.markdown])


def test_no_picker_when_people_sign_in(app_env: pytest.MonkeyPatch) -> None:
    app_env.setenv("SEOULAI_AUTH__MODE", "local")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not [s for s in at.selectbox if s.key == "sidebar_department"]
