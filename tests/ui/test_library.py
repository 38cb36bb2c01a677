"""매뉴얼 관리 page: upload (with a broken file among them), list, replace, delete, access by role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP

MANUAL_V1 = "# 출장 매뉴얼\n\n## 여비\n\n출장 여비는 구버전규정에 따라 정산한다.\n".encode()
MANUAL_V2 = "# 출장 매뉴얼\n\n## 여비\n\n출장 여비는 신버전규정에 따라 정산한다.\n".encode()


def _library(env: pytest.MonkeyPatch, role: str = "admin") -> AppTest:
    env.setenv("SEOULAI_EMBED__BACKEND", "none")
    env.setenv("SEOULAI_LLM__BACKEND", "none")
    env.setenv("SEOULAI_AUTH__DEMO_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    return at


def test_upload_list_replace_delete(app_env: pytest.MonkeyPatch, shared_dir: Path) -> None:
    at = _library(app_env)
    at.switch_page("views/library.py").run()
    assert any("아직 등록된 매뉴얼이 없습니다" in i.value for i in at.info)
    hwpx = (shared_dir / "samples/hwpx/mcst_press_release_2024-01-02.hwpx").read_bytes()
    locked = (shared_dir / "samples/broken/password-12345.hwp").read_bytes()
    at.file_uploader[0].set_value([("출장.md", MANUAL_V1, "text/markdown"),
                                                 ("보도자료.hwpx", hwpx, "application/octet-stream"),
                                                 ("암호.hwp", locked, "application/octet-stream")]).run()
    at.button(key="lib_upload").click().run()
    assert not at.exception
    assert any("추가 2건" in s.value for s in at.success)
    assert any("암호.hwp" in e.value.replace("\\", "") and "암호" in e.value for e in at.error)
    table = at.dataframe[0].value
    assert set(table["파일"]) == {"출장.md", "보도자료.hwpx"}
    assert int(table.loc[table["파일"] == "보도자료.hwpx", "쪽수"].iloc[0]) == 2

    at.file_uploader[0].set_value([("출장.md", MANUAL_V2, "text/markdown")]).run()
    at.button(key="lib_upload").click().run()
    assert any("교체 1건" in s.value for s in at.success)
    from seoulai.ui import get_services  # the same process-wide services the AppTest run used

    search = get_services().index
    assert not any("구버전규정" in h.text for h in search.search("구버전규정 출장 여비", ["공통"], 5))
    assert any("신버전규정" in h.text for h in search.search("신버전규정 출장 여비", ["공통"], 5))

    at.multiselect(key="lib_delete_docs").set_value(["출장.md"]).run()
    at.checkbox(key="lib_delete_sure").check().run()
    at.button(key="lib_delete").click().run()
    assert not at.exception
    assert set(at.dataframe[0].value["파일"]) == {"보도자료.hwpx"}
    assert search.search("신버전규정 출장 여비", ["공통"], 5) == []


def test_staff_has_no_library_page(app_env: pytest.MonkeyPatch) -> None:
    at = _library(app_env, role="staff")
    assert not at.exception
    with pytest.raises(ValueError, match="Known pages"):  # not in the navigation at all
        at.switch_page("views/library.py")
    direct = AppTest.from_file(str(Path(APP).parent / "views" / "library.py"), default_timeout=60).run()
    assert any("권한이 없습니다" in w.value for w in direct.warning)  # and refused if opened directly
    assert not direct.file_uploader


def test_department_admin_manages_only_its_department(app_env: pytest.MonkeyPatch) -> None:
    at = _library(app_env, role="dept_admin")
    at.switch_page("views/library.py").run()
    assert at.selectbox(key="lib_collection").options == ["디지털도시국/디지털정책과"]
