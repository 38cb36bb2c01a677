"""Every time a page shows is Korea time: a draft saved, a document uploaded or an audit event written at 23:30 UTC
reads as the next day, 08:30, on the drafting page (saved drafts), 문서 Q&A (내 문서), 매뉴얼 관리 (등록) and
감사 기록 (시각). Stored times stay UTC: the clocks that stamp them are frozen at that moment."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from tests.ui.conftest import APP

LATE = datetime(2026, 12, 7, 23, 30, tzinfo=timezone.utc)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz: object = None) -> datetime:  # type: ignore[override]  # the stores' clock, frozen
        return LATE if tz is not None else LATE.replace(tzinfo=None)


@pytest.fixture
def late(app_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Every store stamps 23:30 UTC; the pages read the stamps back."""
    app_env.setattr("seoulai.state.stores.datetime", _Frozen)  # audit events
    app_env.setattr("seoulai.state.stores.time", SimpleNamespace(time=lambda: LATE.timestamp()))  # drafts
    app_env.setattr("seoulai.retrieval.index.datetime", _Frozen)  # uploads
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    app_env.setenv("SEOULAI_LLM__BACKEND", "none")
    return app_env


def _page(page: str, person: Person | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if person is not None:
        at.session_state["auth_person"] = person
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.label for e in at.expander]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def test_saved_draft_time(late: pytest.MonkeyPatch) -> None:
    from seoulai.ui import get_services  # the process-wide services the page uses

    person = Person("alice", "김서울", "서울특별시/행정국/총무과", Role.STAFF)
    at = _page("views/drafting.py", person)
    services = get_services()
    template = next(iter(services.drafting.templates(person)[0].values()))
    services.drafting.save(person, None, services.drafting.new_draft(template))
    at.run()
    assert "2026. 12. 8. 08:30" in _shown(at)


def test_uploaded_document_and_manual_and_audit_times(late: pytest.MonkeyPatch) -> None:
    at = _page("views/doc_qa.py")
    at.file_uploader[0].set_value([("메모.md", "# 메모\n\n야간에 올린 문서.".encode(), "text/markdown")]).run()
    at.button(key="dq_upload").click().run()
    assert "올린 날 2026. 12. 8." in _shown(at)

    at.switch_page("views/library.py").run()
    at.file_uploader[0].set_value([("출장.md", "# 출장\n\n## 여비\n\n여비는 정산한다.".encode(), "text/markdown")]).run()
    at.button(key="lib_upload").click().run()
    assert list(at.dataframe[0].value["등록"]) == ["2026. 12. 8. 08:30"]

    at.switch_page("views/audit.py").run()
    times = set(at.dataframe[0].value["시각"])
    assert times == {"2026. 12. 8. 08:30:00"}
