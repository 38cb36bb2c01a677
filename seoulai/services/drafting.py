"""초안 작성: templates, references from the person's collections, streamed sections, exports.

What a person sends (fields, 고칠 점, edited sections, chosen references) is bounded here, before any prompt is
made; each section's output goes through the same output guard as every answer."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from seoulai.answer.guard import BrokenOutput, Watched
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.drafting.draft import Draft, DraftEngine, parse_fields  # noqa: F401 - the CLI reads fields through the service
from seoulai.drafting.export import to_docx, to_hwpx
from seoulai.drafting.template import DraftTemplate, load_templates
from seoulai.errors import InputError
from seoulai.limits import ModelQuota, TextLimits, bounded
from seoulai.llm import Call, ChatModel
from seoulai.privacy.pii import mask
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.index import SearchIndex
from seoulai.services.recording import Recorder
from seoulai.state.stores import Record, RecordStore

FEATURE = "drafting"
FORMATS = {"hwpx": to_hwpx, "docx": to_docx}


class DraftingService:
    def __init__(self, settings: Settings, index: SearchIndex, chat: ChatModel, policy: Policy, quota: ModelQuota,
                 recorder: Recorder, store: RecordStore) -> None:
        self.store = store
        self.settings = settings
        self.index = index
        self.engine = DraftEngine(chat)
        self.policy = policy
        self.quota = quota
        self.recorder = recorder
        self.limits = TextLimits.of(settings)  # the page gives the same numbers to its inputs

    def field_limit(self, template: DraftTemplate, name: str) -> int:
        kind = next((f.type for f in template.fields if f.name == name), "text")
        return self.limits.long_field if kind == "textarea" else self.limits.field

    def check(self, draft: Draft, revise: str = "") -> None:
        """Everything of the draft a person typed or chose, within its limit (before any prompt or PII check)."""
        labels = {f.name: f.label for f in draft.template.fields}
        for name, value in draft.fields.items():
            bounded(value, self.field_limit(draft.template, name), labels.get(name, name))
        titles = {s.id: s.title for s in draft.template.sections}
        for section_id, text in draft.sections.items():
            bounded(text, self.limits.section, titles.get(section_id, section_id))
        bounded(revise, self.limits.instruction, "고칠 점")
        if len(draft.references) > self.limits.references:
            raise InputError(f"참고 자료는 {self.limits.references}건까지 고를 수 있습니다 ({len(draft.references)}건 선택). "
                             "필요한 것만 남겨 주세요.", code="too_long")

    def templates(self, person: Person | None = None) -> tuple[dict[str, DraftTemplate], dict[str, str]]:
        """Templates by id, and the broken template files (shown to administrators only)."""
        templates, problems = load_templates(self.settings.drafting.templates_dir)
        if person is not None and not self.policy.sees_template_problems(person):
            problems = {}
        return templates, problems

    def find_template(self, name: str) -> DraftTemplate:
        templates, _ = self.templates()
        template = templates.get(name) or next((t for t in templates.values() if t.name == name), None)
        if template is None:
            raise InputError(f"서식을 찾을 수 없습니다: {name}. 사용할 수 있는 서식: "
                             + ", ".join(f"{t.id}({t.name})" for t in templates.values()), code="not_found")
        return template

    def sources(self, person: Person) -> dict[str, str]:
        """The collections a person may draw references from: id -> label."""
        return {c: ("내 문서" if c == self.policy.private_collection(person) else self.policy.collection_label(c))
                for c in self.policy.readable(person)}

    def references(self, person: Person, query: str, collections: list[str] | None = None, k: int = 8) -> list[Hit]:
        """Grounds for a draft, from the chosen collections among those this person may read."""
        bounded(query, self.limits.question, "검색어", code="query_too_long")
        readable = self.policy.readable(person)
        chosen = [c for c in (collections or readable) if c in readable]
        hits = self.index.search(query, chosen or readable, k)
        self.recorder.event(person, FEATURE, "references", sources=len(hits))
        return hits

    def stream_section(self, person: Person, draft: Draft, section_id: str, revise: str = "") -> Iterator[str]:
        """Stream one generated section; its text is stored on the draft when the stream ends. Output that echoes
        the instructions or loops is stopped, left out of the section, and raised as BrokenOutput."""
        self.check(draft, revise)
        section = self.engine.section_to_generate(draft, section_id)
        call = Call(charge=self.quota.charger(person.pseudonym))
        quotable = "\n".join([*draft.fields.values(), draft.sections.get(section_id, ""),
                              *(f"{r.title}\n{r.section}\n{r.text}" for r in draft.references)])
        watched = Watched(self.engine.chat, self.engine.prompt(draft, section, revise), call, quotable)
        yield from watched
        verdict = watched.verdict
        draft.keep_version(section_id)
        draft.sections[section_id] = verdict.text.strip()
        self.recorder.event(person, FEATURE, "generate", model=self.engine.chat.name, sources=len(draft.references),
                            tokens_in=call.tokens_in, tokens_out=call.tokens_out,
                            outcome="error" if verdict.broken else "ok", error_code=verdict.code)
        if verdict.broken:
            raise BrokenOutput(verdict, "이 부분을 다시 생성하거나 직접 고쳐 쓰세요.")

    def generate_all(self, person: Person, draft: Draft) -> Draft:
        draft.fill_fixed()
        for section in draft.template.sections:
            if section.kind == "generated":
                for _ in self.stream_section(person, draft, section.id):
                    pass
        return draft

    # -- saved drafts -----------------------------------------------------------------------------------------
    def save(self, person: Person, draft_id: str | None, draft: Draft) -> str:
        """Keep the draft in progress (every edit; the page calls this as the person types)."""
        self.check(draft)
        draft_id = draft_id or uuid.uuid4().hex
        self.store.put(person.pseudonym, draft_id, draft.template.id, mask(draft.title)[:80], draft.to_store())
        return draft_id

    def drafts(self, person: Person) -> list[Record]:
        """The person's saved drafts, newest first. Only reads: retention is the schedule's (``expire``)."""
        return self.store.list(person.pseudonym)

    def expire(self, now: float | None = None) -> int:
        """Forget drafts untouched for ``history.retention_days``, then scrub the store's files (a draft's text is
        not left in a free page or the WAL). The app server's retention schedule calls it
        (seoulai.services.retention), not a page visit; idempotent, so several servers may sweep at once."""
        removed = self.store.expire((time.time() if now is None else now) - self.settings.history.retention_days * 86400)
        if removed:
            self.store.db.scrub()
        return removed

    def load(self, person: Person, draft_id: str) -> Draft | None:
        record = self.store.get(person.pseudonym, draft_id)
        if record is None:
            return None
        templates, _ = self.templates()
        template = templates.get(record.kind)
        return Draft.from_store(record.body, template) if template else None

    def delete(self, person: Person, draft_id: str) -> None:
        """Delete one's own draft; its text leaves the store's files at once (no free page, no WAL copy)."""
        self.store.delete(person.pseudonym, draft_id)
        self.store.db.scrub()

    @staticmethod
    def render(draft: Draft, fmt: str) -> bytes:
        if fmt not in FORMATS:
            raise InputError("내보내기 파일은 .docx 또는 .hwpx로 끝나야 합니다.", code="bad_export")
        return FORMATS[fmt](draft)

    def exported(self, person: Person, template_name: str, fmt: str) -> None:
        """Log a draft download (the use that saves the time)."""
        saved = self.settings.usage.minutes_saved.get(FEATURE)
        self.recorder.event(person, FEATURE, "export", outcome="ok", minutes_saved=saved)
        self.recorder.audit(person, "draft_export", f"{template_name}.{fmt}")
