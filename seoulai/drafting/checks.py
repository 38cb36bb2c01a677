"""Deterministic checks before export: required sections, dates, item symbols, 끝., PII, citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seoulai.answer.citations import check_citations
from seoulai.drafting.content import DraftContent
from seoulai.drafting.symbols import item_level, opening_level
from seoulai.privacy.pii import detect, summary

# Dates written otherwise than the 공문서 style "2025. 7. 16.".
_OTHER_DATES = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{4}/\d{1,2}/\d{1,2}\b|\b\d{4}\.\d{1,2}\.\d{1,2}\b"
                          r"|\b\d{4}\.\s?0\d\.\s?\d{1,2}\.|\b\d{4}\. \d{1,2}\. 0\d\.")


@dataclass
class Issue:
    level: str  # error | warning
    section: str
    message: str


def check_draft(draft: DraftContent) -> list[Issue]:
    issues: list[Issue] = []
    rules = draft.template.format
    for section in draft.template.sections:
        text = draft.sections.get(section.id, "")
        if section.required and not text.strip():
            issues.append(Issue("error", section.title, f"필수 부분 '{section.title}'이(가) 비어 있습니다."))
        for match in _OTHER_DATES.finditer(text):
            if rules.date_style == "dotted":
                issues.append(Issue("warning", section.title,
                                    f"날짜 '{match.group(0)}'은(는) '2025. 7. 16.' 형식으로 쓰세요."))
        if rules.hierarchy and section.kind == "generated":
            opening = opening_level(draft.template.id, section.heading)
            issues += [Issue("warning", section.title, m) for m in hierarchy_problems(text, rules.hierarchy, opening)]
        found = detect(text)
        if section.kind == "contact_table":
            # The 담당 table's office numbers and mail are public by design; a personal mobile or 주민등록번호 is not.
            found = [f for f in found if f.type not in ("phone", "email")]
        if found:
            issues.append(Issue("warning", section.title, f"개인정보로 보이는 항목이 있습니다: {summary(found)}."))
        if draft.references and section.kind == "generated" and section.cites and text.strip():
            check = check_citations(text, len(draft.references))
            if check.invalid:
                issues.append(Issue("error", section.title, "참고 자료에 없는 근거 번호 "
                                    + ", ".join(f"[{n}]" for n in check.invalid) + "가 있습니다."))
            if re.search(r"\d", text) and not check.cited:
                issues.append(Issue("warning", section.title, "참고 자료의 사실(숫자 등)에 근거 번호 [n]이 없습니다."))
    if rules.end_mark:
        issues += end_mark_problems(draft)
    return issues


def hierarchy_problems(text: str, symbols: list[str], opening: int = 0) -> list[str]:
    """Each item symbol must come under the one before it in the hierarchy (□ → ○ → - → ·, 1. → 가. → ...); the
    first item may stand as deep as ``opening`` (symbols.opening_level)."""
    problems: list[str] = []
    deepest = opening - 1
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        level = item_level(line, symbols)
        if level is None:
            continue
        if level > deepest + 1:
            problems.append(f"{number}번째 줄 '{line[:20]}': '{symbols[level]}' 항목 앞에 "
                            f"'{symbols[level - 1]}' 항목이 와야 합니다.")
        deepest = level
    return problems


def end_mark_problems(draft: DraftContent) -> list[Issue]:
    """공문: the text ends with "끝." — after the 붙임 list if there is one, otherwise after the body."""
    attachments = draft.sections.get("attachments", "").strip()
    body = draft.sections.get("body", "").strip()
    last = attachments or body
    if not last:
        return []
    where = "붙임" if attachments else "본문"
    if not re.search(r"\s{2}끝\.$", last):
        if last.endswith("끝."):
            return [Issue("warning", where, "'끝.'은 마지막 글자에서 두 칸 띄우고 씁니다 (예: '…1부.  끝.').")]
        return [Issue("error", where, f"{where}의 마지막에 '  끝.'이 없습니다.")]
    if attachments and re.search(r"끝\.\s*$", body):
        return [Issue("warning", "본문", "붙임이 있으면 '끝.'은 본문이 아니라 붙임 다음에 씁니다.")]
    return []


def add_end_mark(draft: DraftContent) -> None:
    """Put "  끝." where the rules want it (after 붙임, else after the body), removing misplaced ones."""
    if not draft.template.format.end_mark:
        return
    for key in ("body", "attachments"):
        draft.sections[key] = re.sub(r"\s*끝\.\s*$", "", draft.sections.get(key, "").rstrip())
    key = "attachments" if draft.sections.get("attachments", "").strip() else "body"
    draft.sections[key] = draft.sections[key].rstrip() + "  끝."
