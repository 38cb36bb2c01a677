"""초안 작성 마법사: choose a type → fill the fields → attach references → generate → edit → check → export.

The draft in progress is saved as it is edited (its id in the address, ``?d=…``): a reload brings it back, and
earlier drafts are listed at the top.
"""

from __future__ import annotations

import streamlit as st

from seoulai.services import Draft, SeoulAIError
from seoulai.ui import StreamSanitiser, escape_markdown, get_person, get_services
from seoulai.ui.drafts import (autosave, load_requested, read_only, reference_label, saved_drafts, section_versions,
                               share_panel, shared_drafts)

services = get_services()
person = get_person()
limits = services.drafting.limits  # the same numbers the service checks
templates, problems = services.drafting.templates(person)
st.title("✍️ 초안 작성")
for message in problems.values():
    st.warning(message, icon="⚠️")
saved_drafts(services, person)
shared_drafts(services, person)
load_requested(services, person, templates)
if refused := st.session_state.pop("dr_refused", ""):
    st.error(refused, icon="🔒")
locked = read_only()  # the service refuses a read-only save too; the page only says so early
if shared := st.session_state.get("dr_shared"):
    st.info("동료가 공유한 초안입니다. " + ("고친 내용은 같은 초안에 저장됩니다." if shared == "edit" else
            "읽기 전용이라 고친 내용은 저장되지 않습니다."), icon="👥")

# 1. 서식
names = {t.id: t.name for t in templates.values()}
template_id = st.selectbox("1. 문서 종류", list(names), format_func=names.__getitem__, key="dr_template")
template = templates[template_id]
st.caption(template.description)


def keep(changed: Draft) -> Draft:
    """A change gives a new draft (the one before is left as it was): the next run starts from this one."""
    st.session_state["dr_draft"] = changed
    return changed


draft: Draft | None = st.session_state.get("dr_draft")
if draft is None or draft.template.id != template_id:
    draft = keep(services.drafting.new_draft(template))
    for stale in ("dr_id", "dr_shared"):
        st.session_state.pop(stale, None)

# 2. 항목
st.subheader("2. 항목 입력")
if st.button("예시로 채우기", key="dr_examples", help="각 항목의 예시를 넣어 봅니다"):
    for field in template.fields:
        st.session_state[f"dr_f_{template_id}_{field.name}"] = field.examples[0] if field.examples else ""
for step in template.steps or [""]:
    with st.expander(step or "항목", expanded=True):
        for field in (f for f in template.fields if f.step == step or not template.steps):
            label = field.label + (" *" if field.required else "")
            hint = f"예: {field.examples[0]}" if field.examples and field.examples[0] else ""
            widget = st.text_area if field.type == "textarea" else st.text_input
            draft = keep(services.drafting.set_field(draft, field.name, widget(
                label, key=f"dr_f_{template_id}_{field.name}", help=field.help or None, placeholder=hint,
                max_chars=services.drafting.field_limit(template, field.name), disabled=locked)))

# 3. 참고 자료
st.subheader("3. 참고 자료 (선택)")
sources = services.drafting.sources(person)
where = st.multiselect("찾을 문서함", list(sources), format_func=sources.__getitem__, key="dr_ref_where",
                       placeholder="모든 문서함")
query = st.text_input("매뉴얼·내 문서에서 근거 찾기", key="dr_ref_query", placeholder="예: 보도자료 배포 기준",
                      max_chars=limits.question)
if st.button("찾기", key="dr_ref_search", disabled=not query):
    try:
        st.session_state["dr_ref_hits"] = services.drafting.references(person, query, where or None)
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")
found = st.session_state.get("dr_ref_hits", [])
kept = {(r.collection, r.chunk_id) for r in draft.references}
offered = draft.references + [h for h in found if (h.collection, h.chunk_id) not in kept]
chosen = []
for hit in offered:
    if st.checkbox(reference_label(hit), key=f"dr_ref_{hit.collection}_{hit.chunk_id}",
                   value=(hit.collection, hit.chunk_id) in kept):
        chosen.append(hit)
    st.caption(escape_markdown(" ".join(hit.text.split())[:160]) + " …")
draft = keep(services.drafting.choose_references(draft, chosen))
if chosen:
    st.caption(f"참고 자료 {len(chosen)}건: 사실을 쓴 문장에는 [1]처럼 근거 번호를 답니다.")

# The optional question after an export: the pilot review counts the answer in place of the estimated time saved.
SURVEY = {"없음": 0, "30분": 30, "1시간": 60, "2시간": 120, "3시간 이상": 180}


def exported(template_name: str, fmt: str) -> None:
    """Log the download; the survey below answers for this export."""
    st.session_state["dr_survey_ref"] = services.drafting.exported(person, template_name, fmt)


def answer_survey(ref: str) -> None:
    choice = st.session_state.pop("dr_survey", None)
    st.session_state.pop("dr_survey_ref", None)
    if choice in SURVEY:
        services.drafting.record_time_saved(person, SURVEY[choice], ref)
        st.session_state["dr_survey_done"] = True


def close_survey() -> None:
    st.session_state.pop("dr_survey", None)
    st.session_state.pop("dr_survey_ref", None)


def time_survey() -> None:
    if st.session_state.pop("dr_survey_done", False):
        st.success("답해 주셔서 고맙습니다. 시범 운영 결과의 절감 시간에 반영됩니다.", icon="🙏")
    if not (ref := st.session_state.get("dr_survey_ref")):
        return
    with st.container(border=True):
        choice = st.radio("이 초안으로 줄어든 시간은 대략 얼마인가요? (선택)", list(SURVEY), index=None, horizontal=True,
                          key="dr_survey")
        s1, s2 = st.columns([1, 5])
        s1.button("보내기", key="dr_survey_send", disabled=choice is None, on_click=answer_survey, args=(ref,))
        s2.button("답하지 않기", key="dr_survey_skip", on_click=close_survey)


# 4. 생성과 편집
st.subheader("4. 생성하고 고치기")
missing = draft.missing_fields()
if missing:
    st.info("필수 항목을 채우면 생성할 수 있습니다: " + ", ".join(missing), icon="📝")


def generate(draft: Draft, section_id: str, revise: str = "") -> Draft:
    """The draft with the section written anew (the draft given when generating failed)."""
    placeholder = st.empty()
    shown = StreamSanitiser()  # safe_markdown of the text so far, reading each delta once
    stream = services.drafting.stream_section(person, draft, section_id, revise)
    try:
        for delta in stream:
            placeholder.markdown(shown.feed(delta) + " ▌")
    except SeoulAIError as error:
        if error.code not in ("model_echo", "model_loop"):
            placeholder.error(error.message, icon="⚠️")
            return stream.draft
        placeholder.warning(error.message, icon="⚠️")  # stopped by the output guard: what is left is kept
        st.session_state.setdefault("dr_broken", {})[section_id] = error.message  # shown again after a rerun
    else:
        placeholder.empty()
    draft = keep(stream.draft)
    # The text area may already exist in this run: hand the new text over through the next run.
    st.session_state.setdefault("dr_pending", {})[f"dr_s_{template_id}_{section_id}"] = draft.sections[section_id]
    return draft


if st.button("모든 부분 생성", type="primary", disabled=bool(missing) or locked, key="dr_generate"):
    draft = keep(services.drafting.fill_fixed(draft))
    for section in template.sections:
        if section.kind == "generated":
            with st.status(f"{section.title} 작성 중…") as status:
                draft = generate(draft, section.id)
                status.update(label=f"{section.title} 작성 완료", state="complete")
    draft = keep(services.drafting.add_end_mark(draft))
    for section in template.sections:
        st.session_state[f"dr_s_{template_id}_{section.id}"] = draft.sections.get(section.id, "")

for key, value in st.session_state.pop("dr_pending", {}).items():
    st.session_state[key] = value
if draft.sections:
    for section in template.sections:
        key = f"dr_s_{template_id}_{section.id}"
        st.session_state.setdefault(key, draft.sections.get(section.id, ""))
        draft = keep(services.drafting.edit_section(draft, section.id, st.text_area(
            section.title, key=key, height=140 if section.kind == "generated" else 68, max_chars=limits.section,
            disabled=locked)))
        if section.kind == "generated":
            c1, c2 = st.columns([4, 1])
            instruction = c1.text_input("고칠 점", key=f"dr_rev_{section.id}", placeholder="예: 더 간결하게",
                                        label_visibility="collapsed", max_chars=limits.instruction)
            if c2.button("다시 생성", key=f"dr_regen_{section.id}", disabled=locked):
                generate(draft, section.id, instruction or "더 다듬어 주세요")
                st.rerun()
            if broken := st.session_state.get("dr_broken", {}).pop(section.id, ""):
                st.warning(broken, icon="⚠️")
            section_versions(services, draft, section, key)

    # 5. 점검
    st.subheader("5. 점검")
    issues = draft.check()
    if not issues:
        st.success("형식 점검을 통과했습니다.", icon="✅")
    for issue in issues:
        (st.error if issue.level == "error" else st.warning)(f"{issue.section}: {issue.message}")
    if template.format.end_mark and st.button("'끝.' 바로잡기", key="dr_endmark"):
        draft = keep(services.drafting.add_end_mark(draft))
        st.session_state["dr_pending"] = {f"dr_s_{template_id}_{section_id}": draft.sections.get(section_id, "")
                                          for section_id in ("body", "attachments")}
        st.rerun()

    # 6. 내보내기
    st.subheader("6. 내보내기")
    title = draft.title[:40]
    d1, d2 = st.columns(2)
    d1.download_button("HWPX (한글)", services.drafting.render(draft, "hwpx"), file_name=f"{title}.hwpx",
                       key="dr_hwpx", mime="application/hwp+zip", on_click=exported, args=(template.name, "hwpx"))
    d2.download_button("DOCX (워드)", services.drafting.render(draft, "docx"), file_name=f"{title}.docx",
                       key="dr_docx", mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       on_click=exported, args=(template.name, "docx"))
    time_survey()
    with st.expander("텍스트로 복사"):
        st.code(draft.text(), language=None)
    st.caption("내려받은 파일은 한글 또는 워드에서 열어 마지막으로 검토하세요.")

autosave(services, person, draft)
share_panel(services, person)
