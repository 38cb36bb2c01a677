"""A draft in progress and the engine that writes its sections, one at a time, streamed."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from seoulai.drafting import checks
from seoulai.drafting.checks import Issue
from seoulai.drafting.layout import visible_text
from seoulai.drafting.template import PROMPTS, DraftTemplate, TemplateSection
from seoulai.errors import InputError
from seoulai.llm import Call, ChatModel, Message
from seoulai.prompts import boundary, render
from seoulai.retrieval.hits import Hit


@dataclass(frozen=True)
class Draft:
    """A draft is never changed in place: each change (``with_…``, and DraftingService's methods a page calls)
    returns a new Draft with its own copies of the dicts, so the draft a page kept stays what it was. Read a
    draft's dicts and lists, never write to them."""

    template: DraftTemplate
    fields: dict[str, str]
    sections: dict[str, str] = field(default_factory=dict)
    references: list[Hit] = field(default_factory=list)
    versions: dict[str, list[str]] = field(default_factory=dict)  # earlier texts of each section, oldest first

    def changed(self, **values: Any) -> "Draft":
        """A copy (its own dicts and lists) with ``values`` in place of those fields."""
        copied = {"fields": dict(self.fields), "sections": dict(self.sections), "references": list(self.references),
                  "versions": {k: list(v) for k, v in self.versions.items()}}
        return replace(self, **{**copied, **values})

    def with_field(self, name: str, value: str) -> "Draft":
        return self.changed(fields={**self.fields, name: value})

    def with_section(self, section_id: str, text: str) -> "Draft":
        return self.changed(sections={**self.sections, section_id: text})

    def with_version(self, section_id: str) -> "Draft":
        """Before a section is written again, keep what it says now (다시 생성 can be undone)."""
        draft = self.changed()
        current = draft.sections.get(section_id, "").strip()
        history = draft.versions.setdefault(section_id, [])
        if current and (not history or history[-1] != current):
            history.append(current)
        return draft

    def with_generated(self, section_id: str, text: str) -> "Draft":
        """A section written anew; what it said before is kept among its versions."""
        return self.with_version(section_id).with_section(section_id, text.strip())

    def restored(self, section_id: str, index: int) -> "Draft":
        """An earlier version brought back (the one shown now is kept among the versions)."""
        history = self.versions.get(section_id, [])
        if not 0 <= index < len(history):
            raise InputError("되돌릴 판이 없습니다.", code="no_version")
        chosen = history[index]
        draft = self.changed(versions={**self.versions, section_id: history[:index] + history[index + 1:]})
        return draft.with_version(section_id).with_section(section_id, chosen)

    def to_store(self) -> dict[str, Any]:
        return {"template": self.template.id, "fields": self.fields, "sections": self.sections,
                "versions": self.versions, "references": [{**r.to_json(), "chunk_id": r.chunk_id}
                                                          for r in self.references]}

    @classmethod
    def from_store(cls, data: dict[str, Any], template: DraftTemplate) -> "Draft":
        references = [Hit(source=r["source"], title=r["title"], section=r["section"], page=r.get("page"),
                          text=r["text"], score=r.get("score", 0.0), collection=r.get("collection", ""),
                          chunk_id=r.get("chunk_id", ""), effective_date=r.get("effective_date"))
                      for r in data.get("references", [])]
        return cls(template, dict(data.get("fields", {})), dict(data.get("sections", {})), references,
                   {k: list(v) for k, v in data.get("versions", {}).items()})

    @property
    def title(self) -> str:
        return (self.fields.get("title") or "").strip() or self.template.name

    def missing_fields(self) -> list[str]:
        return [f.label for f in self.template.fields if f.required and not self.fields.get(f.name, "").strip()]

    def with_fixed(self) -> "Draft":
        """Sections made from the fields alone (title, 보도 시점, 수신, contact table, 붙임)."""
        fixed = {s.id: fixed_text(s, self.fields) for s in self.template.sections if s.kind != "generated"}
        return self.changed(sections={**self.sections, **fixed})

    def check(self) -> list[Issue]:
        """The rule checks before export (required parts, dates, item symbols, 끝., PII, citations)."""
        return checks.check_draft(self)

    def with_end_mark(self) -> "Draft":
        """'끝.' where the 공문서 format puts it (the checks place it in a copy)."""
        draft = self.changed()
        checks.add_end_mark(draft)
        return draft

    def text(self) -> str:
        """The whole draft as plain text, the lines an export shows (copy to the clipboard, or paste into 한글)."""
        return visible_text(self)


def fixed_text(section: TemplateSection, values: dict[str, str]) -> str:
    if section.kind == "fields":
        filled = section.template.format_map(_Blank({k: v.strip() for k, v in values.items()}))
        return "" if not any(values.get(n, "").strip() for n in _names(section.template)) else filled
    if section.kind == "field_list":
        lines = [line.strip() for line in values.get(section.field, "").splitlines() if line.strip()]
        return "\n".join(section.prefix + line for line in lines)
    if section.kind == "contact_table":
        return " | ".join(section.columns) + "\n" + " | ".join(values.get(n, "").strip() for n in section.fields)
    if section.kind == "attachments":
        items = [line.strip() for line in values.get(section.field, "").splitlines() if line.strip()]
        if not items:
            return ""
        if len(items) == 1:
            return f"붙임  {items[0]}"
        return "붙임  " + "\n      ".join(f"{i}. {item}" for i, item in enumerate(items, start=1))
    return ""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _names(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


class DraftEngine:
    def __init__(self, chat: ChatModel) -> None:
        self.chat = chat

    def prompt(self, draft: Draft, section: TemplateSection, revise: str = "") -> list[Message]:
        fields = [{"label": f.label, "value": draft.fields.get(f.name, "").strip()}
                  for f in draft.template.fields if draft.fields.get(f.name, "").strip()]
        references = [{"title": r.title, "section": r.section, "text": r.text} for r in draft.references]
        user = render(section.prompt, folder=PROMPTS, template_name=draft.template.name, section_title=section.title,
                      instruction=section.instruction, fields=fields, references=references, revise=revise,
                      previous=draft.sections.get(section.id, ""), boundary=boundary())
        return [Message("system", render("system.j2", folder=PROMPTS)), Message("user", user)]

    @staticmethod
    def section_to_generate(draft: Draft, section_id: str) -> TemplateSection:
        """The generated section ``section_id``, once every required field is filled (else a Korean InputError)."""
        missing = draft.missing_fields()
        if missing:
            raise InputError(f"필수 항목을 먼저 채워 주세요: {', '.join(missing)}", code="missing_fields")
        section = next((s for s in draft.template.sections if s.id == section_id), None)
        if section is None or section.kind != "generated":
            raise InputError(f"생성할 수 없는 부분입니다: {section_id}", code="bad_section")
        return section

    def stream_section(self, draft: Draft, section_id: str, revise: str = "", call: Call | None = None) -> Iterator[str]:
        """Stream one generated section (the caller keeps the text: ``draft.with_generated``)."""
        section = self.section_to_generate(draft, section_id)
        yield from self.chat.stream(self.prompt(draft, section, revise), call)



def parse_fields(pairs: list[str]) -> dict[str, str]:
    """CLI --field k=v pairs; "\\n" in a value is a line break."""
    values: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"--field는 이름=값 형식입니다: {pair!r}", code="bad_field")
        key, value = pair.split("=", 1)
        values[key.strip()] = value.replace("\\n", "\n")
    return values
