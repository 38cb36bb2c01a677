"""The drafting page's saved drafts, reference labels and section versions."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from seoulai.services import (Draft, DraftTemplate, Hit, Person, SeoulAIError, Services, TemplateSection,
                              escape_markdown, seoul_time)


def saved_drafts(services: Services, person: Person) -> None:
    drafts = services.drafting.drafts(person)
    if not drafts:
        return
    with st.expander(f"저장된 초안 {len(drafts)}건", expanded=False):
        for record in drafts[:20]:
            left, middle, right = st.columns([6, 1, 1])
            left.markdown(f"**{escape_markdown(record.title)}** · {seoul_time(record.updated_at)}")
            if middle.button("열기", key=f"dr_open_{record.id}"):
                st.query_params["d"] = record.id
                st.session_state.pop("dr_loaded", None)
                st.rerun()
            if right.button("삭제", key=f"dr_del_{record.id}"):
                services.drafting.delete(person, record.id)
                if st.query_params.get("d") == record.id:
                    st.query_params.pop("d", None)
                    st.session_state.pop("dr_draft", None)
                st.rerun()


def load_requested(services: Services, person: Person, templates: dict[str, DraftTemplate]) -> None:
    """Put the draft the address names (``?d=…``) into the widgets, once per draft: one's own, or one a colleague
    of the same 과 shared (read-only or editable); anyone else sees only the refusal."""
    wanted = st.query_params.get("d")
    if not wanted or st.session_state.get("dr_loaded") == wanted:
        return
    st.session_state["dr_loaded"] = wanted
    try:
        opened = services.drafting.open(person, wanted)
    except SeoulAIError as error:
        st.session_state["dr_refused"] = error.message  # shown by the page, with nothing of the draft
        st.query_params.pop("d", None)
        for key in ("dr_draft", "dr_id", "dr_shared"):
            st.session_state.pop(key, None)
        return
    draft = opened.draft
    if draft.template.id not in templates:
        st.query_params.pop("d", None)
        return
    st.session_state.update(dr_draft=draft, dr_id=wanted, dr_template=draft.template.id,
                            dr_saved=_digest(draft))
    if opened.mine:
        st.session_state.pop("dr_shared", None)
    else:
        st.session_state["dr_shared"] = "edit" if opened.editable else "read"
    for name, value in draft.fields.items():
        st.session_state[f"dr_f_{draft.template.id}_{name}"] = value
    for section_id, text in draft.sections.items():
        st.session_state[f"dr_s_{draft.template.id}_{section_id}"] = text


def read_only() -> bool:
    """Whether the draft on the page was shared with this person to read only."""
    return st.session_state.get("dr_shared") == "read"


def _digest(draft: Draft) -> str:
    stored = draft.to_store()
    stored["fields"] = {k: v for k, v in stored["fields"].items() if v}  # an empty input is no change
    return hashlib.sha256(json.dumps(stored, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def autosave(services: Services, person: Person, draft: Draft) -> None:
    """Save the draft when something in it changed since the last save (a colleague's draft: through the share,
    never when it was shared to read only)."""
    if read_only() or (not any(v.strip() for v in draft.fields.values()) and not draft.sections):
        return
    digest = _digest(draft)
    if st.session_state.get("dr_saved") == digest:
        return
    try:
        if st.session_state.get("dr_shared"):
            services.drafting.save_shared(person, st.session_state["dr_id"], draft)
        else:
            st.session_state["dr_id"] = services.drafting.save(person, st.session_state.get("dr_id"), draft)
    except SeoulAIError as error:  # a field over its limit, or a share that ended meanwhile
        st.error(f"초안을 저장하지 못했습니다. {error.message}", icon="⚠️")
        return
    st.session_state["dr_saved"] = digest
    st.session_state["dr_loaded"] = st.session_state["dr_id"]
    st.query_params["d"] = st.session_state["dr_id"]


def shared_drafts(services: Services, person: Person) -> None:
    """The drafts colleagues of the same 과 shared with this person."""
    shared = services.drafting.shared_with_me(person)
    if not shared:
        return
    with st.expander(f"공유받은 초안 {len(shared)}건", expanded=False):
        for item in shared[:20]:
            left, right = st.columns([7, 1])
            how = "편집 가능" if item.editable else "읽기 전용"
            left.markdown(f"**{escape_markdown(item.title)}** · {how} · {seoul_time(item.updated_at)}")
            if right.button("열기", key=f"dr_open_shared_{item.id}"):
                st.query_params["d"] = item.id
                st.session_state.pop("dr_loaded", None)
                st.rerun()


def share_panel(services: Services, person: Person) -> None:
    """공유: name colleagues of the same 과, read-only or editable; who has it, who last saved it; 공유 해제."""
    draft_id = st.session_state.get("dr_id")
    if not draft_id or st.session_state.get("dr_shared"):
        return
    with st.expander("공유", expanded=False):
        colleagues = {c.key: c.name for c in services.drafting.colleagues(person)}
        if not colleagues:
            st.caption("같은 과에 공유할 수 있는 동료가 없습니다.")
        else:
            left, middle, right = st.columns([3, 2, 1])
            chosen = left.selectbox("같은 과 동료", list(colleagues), format_func=colleagues.__getitem__,
                                    key="dr_share_who")
            how = middle.radio("권한", ["읽기 전용", "편집 가능"], key="dr_share_how", horizontal=True)
            if right.button("공유", key="dr_share"):
                try:
                    services.drafting.share(person, draft_id, chosen, editable=how == "편집 가능")
                except SeoulAIError as error:
                    st.error(error.message, icon="⚠️")
        for share in services.drafting.shared_with(person, draft_id):
            left, right = st.columns([7, 1])
            saved = f" · 마지막 저장 {seoul_time(share.edited_at)} ({share.edits}회)" if share.edited_at else ""
            left.markdown(f"{escape_markdown(share.name)} · {'편집 가능' if share.editable else '읽기 전용'}{saved}")
            if right.button("해제", key=f"dr_unshare_{share.colleague}"):
                services.drafting.unshare(person, draft_id, share.colleague)
                st.rerun()


def reference_label(hit: Hit) -> str:
    where = f" · {hit.page}쪽" if hit.page else ""
    return f"{escape_markdown(hit.title)} · {escape_markdown(hit.section.rsplit(' > ', 1)[-1])}{where} " \
           f"({escape_markdown(hit.source)})"


def section_versions(services: Services, draft: Draft, section: TemplateSection, key: str) -> None:
    """Earlier versions of a generated section, and the way back to one of them."""
    versions = draft.versions.get(section.id, [])
    if not versions:
        return
    with st.expander(f"이전 판 {len(versions)}개 ({section.title})"):
        index = st.selectbox("되돌릴 판", list(range(len(versions))), key=f"dr_ver_{section.id}",
                             format_func=lambda i: f"{i + 1}번째 판: " + " ".join(versions[i].split())[:60])
        st.text(versions[index])
        if st.button("이 판으로 되돌리기", key=f"dr_restore_{section.id}"):
            restored = services.drafting.restore_version(draft, section.id, index)  # a new draft: the page keeps it
            st.session_state["dr_draft"] = restored
            st.session_state.setdefault("dr_pending", {})[key] = restored.sections[section.id]
            st.rerun()
