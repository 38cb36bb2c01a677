"""The drafting page's saved drafts, reference labels and section versions."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import streamlit as st

from seoulai.answer.safety import escape_markdown
from seoulai.auth.people import Person
from seoulai.drafting.draft import Draft
from seoulai.drafting.template import DraftTemplate, TemplateSection
from seoulai.retrieval.hits import Hit
from seoulai.services import SeoulAIError, Services


def _stamp(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds)
    return f"{moment.year}. {moment.month}. {moment.day}. {moment:%H:%M}"


def saved_drafts(services: Services, person: Person) -> None:
    drafts = services.drafting.drafts(person)
    if not drafts:
        return
    with st.expander(f"저장된 초안 {len(drafts)}건", expanded=False):
        for record in drafts[:20]:
            left, middle, right = st.columns([6, 1, 1])
            left.markdown(f"**{escape_markdown(record.title)}** · {_stamp(record.updated_at)}")
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
    """Put the draft the address names (``?d=…``) into the widgets, once per draft."""
    wanted = st.query_params.get("d")
    if not wanted or st.session_state.get("dr_loaded") == wanted:
        return
    draft = services.drafting.load(person, wanted)
    st.session_state["dr_loaded"] = wanted
    if draft is None or draft.template.id not in templates:
        st.query_params.pop("d", None)
        return
    st.session_state.update(dr_draft=draft, dr_id=wanted, dr_template=draft.template.id)
    for name, value in draft.fields.items():
        st.session_state[f"dr_f_{draft.template.id}_{name}"] = value
    for section_id, text in draft.sections.items():
        st.session_state[f"dr_s_{draft.template.id}_{section_id}"] = text


def autosave(services: Services, person: Person, draft: Draft) -> None:
    """Save the draft when something in it changed since the last save."""
    if not any(v.strip() for v in draft.fields.values()) and not draft.sections:
        return
    digest = hashlib.sha256(json.dumps(draft.to_store(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    if st.session_state.get("dr_saved") == digest:
        return
    try:
        st.session_state["dr_id"] = services.drafting.save(person, st.session_state.get("dr_id"), draft)
    except SeoulAIError as error:  # a field over its limit (the inputs' max_chars stop a browser before this)
        st.error(f"초안을 저장하지 못했습니다. {error.message}", icon="⚠️")
        return
    st.session_state["dr_saved"] = digest
    st.session_state["dr_loaded"] = st.session_state["dr_id"]
    st.query_params["d"] = st.session_state["dr_id"]


def reference_label(hit: Hit) -> str:
    where = f" · {hit.page}쪽" if hit.page else ""
    return f"{escape_markdown(hit.title)} · {escape_markdown(hit.section.rsplit(' > ', 1)[-1])}{where} " \
           f"({escape_markdown(hit.source)})"


def section_versions(draft: Draft, section: TemplateSection, key: str) -> None:
    """Earlier versions of a generated section, and the way back to one of them."""
    versions = draft.versions.get(section.id, [])
    if not versions:
        return
    with st.expander(f"이전 판 {len(versions)}개 ({section.title})"):
        index = st.selectbox("되돌릴 판", list(range(len(versions))), key=f"dr_ver_{section.id}",
                             format_func=lambda i: f"{i + 1}번째 판: " + " ".join(versions[i].split())[:60])
        st.text(versions[index])
        if st.button("이 판으로 되돌리기", key=f"dr_restore_{section.id}"):
            draft.restore(section.id, index)
            st.session_state.setdefault("dr_pending", {})[key] = draft.sections[section.id]
            st.rerun()
