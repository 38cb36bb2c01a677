"""초안 작성: templates, references from the person's collections, streamed sections, exports."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.drafting.draft import Draft, DraftEngine, parse_fields  # noqa: F401 - the CLI reads fields through the service
from seoulai.drafting.export import to_docx, to_hwpx
from seoulai.drafting.template import DraftTemplate, load_templates
from seoulai.errors import InputError
from seoulai.limits import ModelQuota
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
        readable = self.policy.readable(person)
        chosen = [c for c in (collections or readable) if c in readable]
        hits = self.index.search(query, chosen or readable, k)
        self.recorder.event(person, FEATURE, "references", sources=len(hits))
        return hits

    def stream_section(self, person: Person, draft: Draft, section_id: str, revise: str = "") -> Iterator[str]:
        call = Call(charge=lambda: self.quota.take(person.pseudonym))
        yield from self.engine.stream_section(draft, section_id, revise, call)
        self.recorder.event(person, FEATURE, "generate", model=self.engine.chat.name, sources=len(draft.references),
                            tokens_in=call.tokens_in, tokens_out=call.tokens_out)

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
        draft_id = draft_id or uuid.uuid4().hex
        self.store.put(person.pseudonym, draft_id, draft.template.id, mask(draft.title)[:80], draft.to_store())
        return draft_id

    def drafts(self, person: Person) -> list[Record]:
        """The person's saved drafts, newest first (drafts untouched past the retention period are gone)."""
        self.store.expire(time.time() - self.settings.history.retention_days * 86400)
        return self.store.list(person.pseudonym)

    def load(self, person: Person, draft_id: str) -> Draft | None:
        record = self.store.get(person.pseudonym, draft_id)
        if record is None:
            return None
        templates, _ = self.templates()
        template = templates.get(record.kind)
        return Draft.from_store(record.body, template) if template else None

    def delete(self, person: Person, draft_id: str) -> None:
        self.store.delete(person.pseudonym, draft_id)

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
