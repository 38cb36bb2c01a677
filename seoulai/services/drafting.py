"""초안 작성: templates, references from the person's collections, streamed sections, exports.

What a person sends (fields, 고칠 점, edited sections, chosen references) is bounded here, before any prompt is
made; each section's output goes through the same output guard as every answer."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from seoulai.answer.guard import BrokenOutput, Watched
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.drafting.draft import Draft, DraftEngine, parse_fields
from seoulai.drafting.export import to_docx, to_hwpx
from seoulai.drafting.template import DraftTemplate, TemplateSection, load_templates
from seoulai.errors import InputError
from seoulai.limits import ModelQuota, TextLimits, bounded
from seoulai.llm import Call, ChatModel
from seoulai.privacy.pii import mask
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.index import SearchIndex
from seoulai.services.recording import Recorder
from seoulai.state.shares import DraftShares, ShareRow
from seoulai.state.stores import AccountStore, Record, RecordStore

FEATURE = "drafting"
SURVEY_MAX_MINUTES = 480  # a working day: the survey's largest choice is 3시간 이상
FORMATS = {"hwpx": to_hwpx, "docx": to_docx}
# What the drafting page reads: the draft (changed only through the service's methods), its template and sections.
__all__ = ["Colleague", "Draft", "DraftShare", "DraftTemplate", "DraftingService", "OpenedDraft", "SectionStream",
           "SharedDraft", "TemplateSection", "parse_fields"]
NO_ACCESS = "이 초안을 볼 권한이 없습니다. 지워졌거나 공유가 해제되었을 수 있습니다. 초안을 만든 사람에게 공유를 요청하세요."
READ_ONLY = "읽기 전용으로 공유받은 초안이라 저장할 수 없습니다. 고치려면 초안을 만든 사람에게 편집 권한을 요청하세요."


@dataclass(frozen=True)
class Colleague:
    """Someone of the same 과 a draft can be shared with (``key``: their pseudonym, never their id)."""

    key: str
    name: str


@dataclass(frozen=True)
class DraftShare:
    """One colleague a draft is shared with, as its owner sees it (who last saved it, and when)."""

    colleague: str
    name: str
    editable: bool
    edited_at: float | None
    edits: int


@dataclass(frozen=True)
class SharedDraft:
    """A draft someone of the same 과 shared with this person (the 공유받은 초안 list)."""

    id: str
    title: str
    editable: bool
    updated_at: float


@dataclass(frozen=True)
class OpenedDraft:
    """A draft as opened by its owner (``mine``) or by a colleague it was shared with."""

    id: str
    draft: Draft
    mine: bool
    editable: bool


class SectionStream:
    """One section being written: iterating gives its text as it comes; ``draft`` is the draft given until the
    stream ends, then the draft with the new section (also when the output guard stopped it: what was left)."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.deltas: Iterator[str] = iter(())

    def __iter__(self) -> Iterator[str]:
        return self.deltas


class DraftingService:
    def __init__(self, settings: Settings, index: SearchIndex, chat: ChatModel, policy: Policy, quota: ModelQuota,
                 recorder: Recorder, store: RecordStore, shares: DraftShares | None = None,
                 accounts: AccountStore | None = None) -> None:
        self.store = store
        self.shares = shares or DraftShares(store.db)  # the same state store as the drafts
        self.accounts = accounts or AccountStore(store.db)
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

    def stream_section(self, person: Person, draft: Draft, section_id: str, revise: str = "") -> SectionStream:
        """Stream one generated section; when the stream ends, ``.draft`` of what this returns is the draft with
        the new text (``draft`` itself is left as it was). Output that echoes the instructions or loops is stopped,
        left out of the section, and raised as BrokenOutput."""
        stream = SectionStream(draft)
        stream.deltas = self._write(person, stream, section_id, revise)
        return stream

    def _write(self, person: Person, stream: SectionStream, section_id: str, revise: str) -> Iterator[str]:
        draft = stream.draft
        self.check(draft, revise)
        section = self.engine.section_to_generate(draft, section_id)
        call = Call(charge=self.quota.charger(person.pseudonym))
        quotable = "\n".join([*draft.fields.values(), draft.sections.get(section_id, ""),
                              *(f"{r.title}\n{r.section}\n{r.text}" for r in draft.references)])
        watched = Watched(self.engine.chat, self.engine.prompt(draft, section, revise), call, quotable)
        yield from watched
        verdict = watched.verdict
        stream.draft = draft.with_generated(section_id, verdict.text)
        self.recorder.event(person, FEATURE, "generate", model=self.engine.chat.name, sources=len(draft.references),
                            tokens_in=call.tokens_in, tokens_out=call.tokens_out,
                            outcome="error" if verdict.broken else "ok", error_code=verdict.code)
        if verdict.broken:
            raise BrokenOutput(verdict, "이 부분을 다시 생성하거나 직접 고쳐 쓰세요.")

    # -- the page's edits: a screen changes a draft only through these ---------------------------------------------
    @staticmethod
    def new_draft(template: DraftTemplate) -> Draft:
        """An empty draft of this template (nothing typed, no references)."""
        return Draft(template, {})

    # Each returns a new draft and leaves the one given as it was: the page keeps what is returned.
    @staticmethod
    def set_field(draft: Draft, name: str, value: str) -> Draft:
        """A field as typed (bounded when saved or generated: ``check``)."""
        return draft.with_field(name, value)

    @staticmethod
    def choose_references(draft: Draft, hits: list[Hit]) -> Draft:
        """The references the person ticked, in the order shown (their [n] in the prompt)."""
        return draft.changed(references=list(hits))

    @staticmethod
    def edit_section(draft: Draft, section_id: str, text: str) -> Draft:
        """A section as the person edited it."""
        return draft.with_section(section_id, text)

    @staticmethod
    def restore_version(draft: Draft, section_id: str, index: int) -> Draft:
        """Bring back an earlier version of a section (the current text becomes a version)."""
        return draft.restored(section_id, index)

    @staticmethod
    def fill_fixed(draft: Draft) -> Draft:
        """The template's fixed sections, filled from the fields (before generating the others)."""
        return draft.with_fixed()

    @staticmethod
    def add_end_mark(draft: Draft) -> Draft:
        """'끝.' where the 공문서 format puts it."""
        return draft.with_end_mark()

    def generate_all(self, person: Person, draft: Draft) -> Draft:
        draft = draft.with_fixed()
        for section in draft.template.sections:
            if section.kind == "generated":
                stream = self.stream_section(person, draft, section.id)
                for _ in stream:
                    pass
                draft = stream.draft
        return draft

    # -- saved drafts -----------------------------------------------------------------------------------------
    def save(self, person: Person, draft_id: str | None, draft: Draft) -> str:
        """Keep the draft in progress (every edit; the page calls this as the person types). A colleague's draft
        is saved only through an editable share (the same record, one history); anyone else is refused."""
        self.check(draft)
        if draft_id is not None and (share := self.shares.get(draft_id, person.pseudonym)) is not None:
            return self._save_shared(person, share, draft)
        draft_id = draft_id or uuid.uuid4().hex
        if any(s.editable for s in self.shares.of_draft(draft_id, person.pseudonym)):  # a colleague may have saved
            draft, _ = _keep_overwritten(self._load(person.pseudonym, draft_id), draft)
        try:
            self.store.put(person.pseudonym, draft_id, draft.template.id, mask(draft.title)[:80], draft.to_store())
        except PermissionError:
            raise InputError(NO_ACCESS, code="forbidden") from None
        return draft_id

    def save_shared(self, person: Person, draft_id: str, draft: Draft) -> str:
        """A colleague's save of a draft shared with them: never creates one (a deleted or unshared draft stays so)."""
        self.check(draft)
        share = self.shares.get(draft_id, person.pseudonym)
        if share is None:
            raise InputError(NO_ACCESS, code="forbidden")
        return self._save_shared(person, share, draft)

    def _save_shared(self, person: Person, share: ShareRow, draft: Draft) -> str:
        if not self.policy.may_share_draft(person, share.department):
            raise InputError(NO_ACCESS, code="forbidden")
        if not share.editable:
            raise InputError(READ_ONLY, code="read_only")
        draft, changed = _keep_overwritten(self._load(share.owner, share.draft), draft)
        if not self.shares.write(share.draft, person.pseudonym, mask(draft.title)[:80], draft.to_store(),
                                 draft.template.id):
            raise InputError(NO_ACCESS, code="forbidden")
        self.recorder.audit(person, "draft_edit", f"{share.draft} ({len(changed)}개 부분)")
        return share.draft

    def drafts(self, person: Person) -> list[Record]:
        """The person's saved drafts, newest first. Only reads: retention is the schedule's (``expire``)."""
        return self.store.list(person.pseudonym)

    def expire(self, now: float | None = None) -> int:
        """Forget drafts untouched for ``history.retention_days`` (and their shares), then scrub the store's
        files (a draft's text is not left in a free page or the WAL). The app server's retention schedule calls it
        (seoulai.services.retention), not a page visit; idempotent, so several servers may sweep at once."""
        removed = self.store.expire((time.time() if now is None else now) - self.settings.history.retention_days * 86400)
        if removed:
            self.shares.prune()
            self.store.db.scrub()
        return removed

    def _load(self, owner: str, draft_id: str) -> Draft | None:
        record = self.store.get(owner, draft_id)
        if record is None:
            return None
        templates, _ = self.templates()
        template = templates.get(record.kind)
        return Draft.from_store(record.body, template) if template else None

    def load(self, person: Person, draft_id: str) -> Draft | None:
        """One's own draft (a draft shared with one: ``open``)."""
        return self._load(person.pseudonym, draft_id)

    def open(self, person: Person, draft_id: str) -> OpenedDraft:
        """The draft an address names (``?d=…``): one's own, or one shared with one by someone of the same 과;
        anyone else gets a Korean refusal and nothing of the draft."""
        own = self._load(person.pseudonym, draft_id)
        if own is not None:
            return OpenedDraft(draft_id, own, mine=True, editable=True)
        share = self.shares.get(draft_id, person.pseudonym)
        if share is None or not self.policy.may_share_draft(person, share.department):
            raise InputError(NO_ACCESS, code="forbidden")
        draft = self._load(share.owner, draft_id)
        if draft is None:
            raise InputError(NO_ACCESS, code="forbidden")
        return OpenedDraft(draft_id, draft, mine=False, editable=share.editable)

    def delete(self, person: Person, draft_id: str) -> None:
        """Delete one's own draft and its shares; its text leaves the store's files at once (no free page, no WAL
        copy)."""
        if self.store.delete(person.pseudonym, draft_id):
            self.shares.remove_draft(draft_id, person.pseudonym)
        self.store.db.scrub()

    # -- sharing with colleagues of the same 과 ----------------------------------------------------------------
    def colleagues(self, person: Person) -> list[Colleague]:
        """The people (local accounts in use) of the person's 과, the person left out, by name."""
        found = [Colleague(Person(a.id, a.name, a.department).pseudonym, a.name) for a in self.accounts.all()
                 if not a.disabled and a.id != person.id and self.policy.may_share_draft(person, a.department)]
        return sorted(found, key=lambda c: c.name)

    def share(self, person: Person, draft_id: str, colleague: str, editable: bool) -> DraftShare:
        """Share one's own draft with a colleague of the same 과 (``colleague``: a ``Colleague.key``), read-only or
        editable; sharing again changes how. An audit event."""
        chosen = next((c for c in self.colleagues(person) if c.key == colleague), None)
        if chosen is None:
            raise InputError("같은 과 직원에게만 초안을 공유할 수 있습니다. 목록에서 동료를 고르세요.", code="forbidden")
        if not self.shares.put(draft_id, person.pseudonym, chosen.key, chosen.name, person.department, editable):
            raise InputError("자기 초안만 공유할 수 있습니다. 초안을 먼저 저장하세요.", code="forbidden")
        self.recorder.audit(person, "draft_share", f"{draft_id} → {chosen.key} ({'편집' if editable else '읽기'})")
        return next(s for s in self.shared_with(person, draft_id) if s.colleague == chosen.key)

    def unshare(self, person: Person, draft_id: str, colleague: str) -> bool:
        """End a colleague's access to one's draft, at once. An audit event when there was a share."""
        removed = self.shares.remove(draft_id, person.pseudonym, colleague)
        if removed:
            self.recorder.audit(person, "draft_unshare", f"{draft_id} → {colleague}")
        return removed

    def shared_with(self, person: Person, draft_id: str) -> list[DraftShare]:
        """Whom one's draft is shared with, and when each last saved it."""
        return [DraftShare(r.colleague, r.name, r.editable, r.edited_at, r.edits)
                for r in self.shares.of_draft(draft_id, person.pseudonym)]

    def shared_with_me(self, person: Person) -> list[SharedDraft]:
        """Drafts colleagues of this person's 과 shared with them, newest first."""
        return [SharedDraft(share.draft, title, share.editable, updated)
                for share, title, updated in self.shares.with_colleague(person.pseudonym)
                if self.policy.may_share_draft(person, share.department)]

    @staticmethod
    def render(draft: Draft, fmt: str) -> bytes:
        if fmt not in FORMATS:
            raise InputError("내보내기 파일은 .docx 또는 .hwpx로 끝나야 합니다.", code="bad_export")
        return FORMATS[fmt](draft)

    def exported(self, person: Person, template_name: str, fmt: str) -> str:
        """Log a draft download (the use that saves the time); returns its usage event's id ('' without a log),
        which the time survey points at."""
        saved = self.settings.usage.minutes_saved.get(FEATURE)
        event_id = self.recorder.event(person, FEATURE, "export", outcome="ok", minutes_saved=saved)
        self.recorder.audit(person, "draft_export", f"{template_name}.{fmt}")
        return event_id

    def record_time_saved(self, person: Person, minutes: float, ref: str) -> str:
        """The person's own answer to "how much time did this draft save?" after the export ``ref``: the pilot
        review counts it in place of the configured estimate for that export."""
        if not ref or not 0 <= minutes <= SURVEY_MAX_MINUTES:
            raise InputError(f"줄어든 시간은 0분부터 {SURVEY_MAX_MINUTES}분 사이에서 골라 주세요.", code="bad_survey")
        return self.recorder.event(person, FEATURE, "survey", outcome="ok", minutes_saved=float(minutes), ref_id=ref)


def _keep_overwritten(stored: Draft | None, draft: Draft) -> tuple[Draft, list[str]]:
    """``draft`` about to replace ``stored`` (a shared draft: the other person may have saved since this page read
    it): each stored section text that would be lost becomes a version of ``draft``, so either side can go back.
    Returns the draft and the sections this save changes."""
    if stored is None:
        return draft, list(draft.sections)
    changed = [k for k, v in draft.sections.items() if stored.sections.get(k, "") != v]
    versions = {k: list(v) for k, v in draft.versions.items()}
    for section_id in changed:
        before = stored.sections.get(section_id, "").strip()
        known = versions.setdefault(section_id, [])
        if before and before not in known:
            known.append(before)
    return draft.changed(versions=versions), changed
