"""A draft shared with named colleagues of the same 과, read-only or editable, on a real state store (SQLite and
PostgreSQL): one record and one version history; nobody else sees anything of it; unsharing and deleting end
access at once; every share and unshare is an audit event (issue #33, point 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.drafting.draft import Draft
from seoulai.errors import InputError
from seoulai.services import Services, build_services
from seoulai.state.stores import AccountRow

UNIT = "서울특별시/행정국/총무과"
OWNER = Person("owner", "김서울", UNIT, "staff")
MATE = Person("mate", "이한강", UNIT, "staff")
OTHER = Person("other", "박남산", "서울특별시/디지털도시국/디지털정책과", "staff")


@pytest.fixture
def services(tmp_path: Path, state_url: str | None) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                        llm={"backend": "none"}, usage={"enabled": False}, state={"url": state_url})
    built = build_services(settings)
    for person in (OWNER, MATE, OTHER):
        built.state.accounts.insert(AccountRow(person.id, person.name, person.department, "staff", "x", "2026-01-01"))
    try:
        yield built
    finally:
        built.close()


def _saved(services: Services) -> tuple[str, Draft]:
    template = services.drafting.find_template("report")
    draft = Draft(template, {"title": "공유 시험 보고", "kind": "결과보고서"}, {"overview": "원래 본문입니다."})
    return services.drafting.save(OWNER, None, draft), draft


def _actions(services: Services) -> list[str]:
    return [row[4] for row in services.state.audit.recent(100)]


def _key(services: Services, person: Person) -> str:
    return next(c.key for c in services.drafting.colleagues(OWNER) if c.name == person.name)


def test_colleagues_are_the_same_unit_only(services: Services) -> None:
    assert [c.name for c in services.drafting.colleagues(OWNER)] == [MATE.name]
    draft_id, _ = _saved(services)
    with pytest.raises(InputError, match="같은 과"):
        services.drafting.share(OWNER, draft_id, OTHER.pseudonym, editable=True)
    assert services.drafting.shared_with(OWNER, draft_id) == []


def test_read_only_share_opens_but_cannot_save(services: Services) -> None:
    draft_id, draft = _saved(services)
    share = services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=False)
    assert (share.name, share.editable) == (MATE.name, False)
    opened = services.drafting.open(MATE, draft_id)
    assert opened.draft.sections["overview"] == "원래 본문입니다." and not opened.mine and not opened.editable
    assert [s.title for s in services.drafting.shared_with_me(MATE)] == ["공유 시험 보고"]
    changed = services.drafting.edit_section(opened.draft, "overview", "몰래 고친 본문")
    for save in (services.drafting.save, services.drafting.save_shared):
        with pytest.raises(InputError, match="읽기 전용") as refused:
            save(MATE, draft_id, changed)
        assert refused.value.code == "read_only"
    assert services.drafting.load(OWNER, draft_id).sections["overview"] == "원래 본문입니다."  # type: ignore[union-attr]  # the draft was saved just above: load finds it


def test_editable_share_saves_into_the_owners_record_with_history(services: Services) -> None:
    draft_id, _ = _saved(services)
    services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=True)
    opened = services.drafting.open(MATE, draft_id)
    assert opened.editable
    edited = services.drafting.edit_section(opened.draft, "overview", "동료가 고친 본문입니다.")
    assert services.drafting.save(MATE, draft_id, edited) == draft_id
    mine = services.drafting.load(OWNER, draft_id)
    assert mine is not None and mine.sections["overview"] == "동료가 고친 본문입니다."
    assert mine.versions["overview"] == ["원래 본문입니다."]  # the owner can go back
    assert [r.id for r in services.drafting.drafts(OWNER)] == [draft_id]  # one record, the owner's
    assert services.drafting.drafts(MATE) == []
    share = services.drafting.shared_with(OWNER, draft_id)[0]
    assert share.name == MATE.name and share.edits == 1 and share.edited_at is not None  # who saved, and when
    assert "draft_edit" in _actions(services)


def test_anyone_else_gets_nothing(services: Services) -> None:
    draft_id, draft = _saved(services)
    services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=True)
    with pytest.raises(InputError, match="이 초안을 볼 권한이 없습니다") as refused:
        services.drafting.open(OTHER, draft_id)
    assert "원래 본문" not in refused.value.message
    with pytest.raises(InputError, match="이 초안을 볼 권한이 없습니다"):
        services.drafting.save(OTHER, draft_id, services.drafting.edit_section(draft, "overview", "남이 쓴 본문"))
    assert services.drafting.shared_with_me(OTHER) == []
    assert services.drafting.load(OWNER, draft_id).sections["overview"] == "원래 본문입니다."  # type: ignore[union-attr]  # the draft was saved just above: load finds it


def test_a_transfer_to_another_unit_ends_the_access(services: Services) -> None:
    draft_id, _ = _saved(services)
    services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=True)
    moved = Person(MATE.id, MATE.name, OTHER.department, "staff")
    with pytest.raises(InputError, match="이 초안을 볼 권한이 없습니다"):
        services.drafting.open(moved, draft_id)
    assert services.drafting.shared_with_me(moved) == []


def test_unsharing_ends_access_at_once_and_both_are_audited(services: Services) -> None:
    draft_id, draft = _saved(services)
    key = _key(services, MATE)
    services.drafting.share(OWNER, draft_id, key, editable=True)
    assert services.drafting.unshare(OWNER, draft_id, key)
    with pytest.raises(InputError, match="이 초안을 볼 권한이 없습니다"):
        services.drafting.open(MATE, draft_id)
    with pytest.raises(InputError, match="이 초안을 볼 권한이 없습니다"):
        services.drafting.save_shared(MATE, draft_id, services.drafting.edit_section(draft, "overview", "늦은 저장"))
    assert services.drafting.shared_with_me(MATE) == []
    assert {"draft_share", "draft_unshare"} <= set(_actions(services))


def test_deleting_the_draft_removes_its_shares(services: Services) -> None:
    draft_id, draft = _saved(services)
    services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=True)
    services.drafting.delete(OWNER, draft_id)
    assert services.state.db.rows("SELECT count(*) FROM draft_shares")[0][0] == 0
    with pytest.raises(InputError, match="이 초안을 볼 권한이 없습니다"):
        services.drafting.open(MATE, draft_id)
    with pytest.raises(InputError):  # an open editor's autosave does not bring the draft back
        services.drafting.save_shared(MATE, draft_id, draft)
    assert services.state.db.rows("SELECT count(*) FROM drafts")[0][0] == 0


def test_only_the_owner_shares(services: Services) -> None:
    draft_id, _ = _saved(services)
    with pytest.raises(InputError, match="자기 초안"):
        services.drafting.share(MATE, draft_id, OWNER.pseudonym, editable=True)


def test_an_expired_draft_takes_its_shares_along(services: Services) -> None:
    import time

    draft_id, _ = _saved(services)
    services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=False)
    assert services.drafting.expire(now=time.time() + 400 * 86400) == 1
    assert services.state.db.rows("SELECT count(*) FROM draft_shares")[0][0] == 0
    assert services.drafting.shared_with_me(MATE) == []


def test_the_owners_stale_page_keeps_the_colleagues_edit_as_a_version(services: Services) -> None:
    draft_id, draft = _saved(services)  # the owner's page keeps this one
    services.drafting.share(OWNER, draft_id, _key(services, MATE), editable=True)
    opened = services.drafting.open(MATE, draft_id)
    services.drafting.save(MATE, draft_id, services.drafting.edit_section(opened.draft, "overview", "동료 판"))
    services.drafting.save(OWNER, draft_id, services.drafting.edit_section(draft, "overview", "소유자 판"))
    saved = services.drafting.load(OWNER, draft_id)
    assert saved is not None and saved.sections["overview"] == "소유자 판"
    assert "동료 판" in saved.versions["overview"]  # nothing a colleague saved is lost without a trace
