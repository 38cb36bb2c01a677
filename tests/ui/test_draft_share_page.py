"""The drafting page's 공유 (issue #33, point 3): the owner names a colleague of the same 과, read-only or editable;
the colleague finds it under 공유받은 초안 and opens it so; anyone else opening ``?d=`` sees only the refusal."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.services import Person, Services
from tests.ui.conftest import APP

UNIT = "서울특별시/행정국/총무과"
OWNER = Person("owner", "김서울", UNIT, "staff")
MATE = Person("mate", "이한강", UNIT, "staff")
OTHER = Person("other", "박남산", "서울특별시/디지털도시국/디지털정책과", "staff")
BODY = "공유 시험 본문입니다."


@pytest.fixture
def services(app_env: pytest.MonkeyPatch) -> Services:
    from seoulai.state.stores import AccountRow
    from seoulai.ui import get_services

    app_env.setenv("SEOULAI_LLM__BACKEND", "none")
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    built = get_services()
    for person in (OWNER, MATE, OTHER):
        built.state.accounts.insert(AccountRow(person.id, person.name, person.department, "staff", "x", "2026-01-01"))
    return built


def _draft_id(services: Services) -> str:
    template = services.drafting.find_template("report")
    draft = services.drafting.edit_section(services.drafting.set_field(services.drafting.set_field(
        services.drafting.new_draft(template), "title", "공유 시험 보고"), "kind", "결과보고서"), "overview", BODY)
    return services.drafting.save(OWNER, None, draft)


def _page(person: Person, draft_id: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["auth_person"] = person
    at.run()
    if draft_id:
        at.query_params["d"] = draft_id
    at.switch_page("views/drafting.py").run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    return " ".join(str(getattr(e, "value", "")) for e in at.main)


def test_owner_shares_with_a_colleague_and_ends_it(services: Services) -> None:
    draft_id = _draft_id(services)
    at = _page(OWNER, draft_id)
    assert at.text_area(key="dr_s_report_overview").value == BODY
    who = at.selectbox(key="dr_share_who")
    assert who.options == [MATE.name]  # the same 과 only (its label; the value is a pseudonym)
    at.radio(key="dr_share_how").set_value("편집 가능").run()
    at.button(key="dr_share").click().run()
    shares = services.drafting.shared_with(OWNER, draft_id)
    assert [(s.name, s.editable) for s in shares] == [(MATE.name, True)]
    assert any(MATE.name in m.value and "편집 가능" in m.value for m in at.markdown)
    at.button(key=f"dr_unshare_{shares[0].colleague}").click().run()
    assert services.drafting.shared_with(OWNER, draft_id) == []


def test_colleague_opens_read_only_and_nothing_is_saved(services: Services) -> None:
    draft_id = _draft_id(services)
    mate = next(c.key for c in services.drafting.colleagues(OWNER))
    services.drafting.share(OWNER, draft_id, mate, editable=False)
    at = _page(MATE)
    assert any("공유받은 초안 1건" in e.label for e in at.expander)
    at.button(key=f"dr_open_shared_{draft_id}").click().run()
    assert not at.exception, at.exception
    body = at.text_area(key="dr_s_report_overview")
    assert body.value == BODY and body.disabled
    assert any("읽기 전용" in i.value for i in at.info)
    assert not any(e.label == "공유" for e in at.expander)  # only the owner shares
    assert services.drafting.load(OWNER, draft_id).sections["overview"] == BODY  # type: ignore[union-attr]  # the draft was saved just above: load finds it


def test_colleague_with_an_editable_share_saves_into_the_same_draft(services: Services) -> None:
    draft_id = _draft_id(services)
    mate = next(c.key for c in services.drafting.colleagues(OWNER))
    services.drafting.share(OWNER, draft_id, mate, editable=True)
    at = _page(MATE, draft_id)
    at.text_area(key="dr_s_report_overview").input("동료가 고친 본문입니다.").run()
    assert not at.exception, at.exception
    saved = services.drafting.load(OWNER, draft_id)
    assert saved is not None and saved.sections["overview"] == "동료가 고친 본문입니다."
    assert saved.versions["overview"] == [BODY]
    assert services.drafting.drafts(MATE) == []  # no copy of its own


def test_anyone_else_sees_only_the_refusal(services: Services) -> None:
    draft_id = _draft_id(services)
    services.drafting.share(OWNER, draft_id, next(c.key for c in services.drafting.colleagues(OWNER)), True)
    at = _page(OTHER, draft_id)
    assert any("이 초안을 볼 권한이 없습니다" in e.value for e in at.error)
    assert BODY not in _texts(at) and "공유 시험 보고" not in _texts(at)
    assert not any(t.value == BODY for t in at.text_area)
