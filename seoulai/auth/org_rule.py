"""The organisation chart read from the city's own 행정기구 설치 조례 시행규칙, and which chart is in force.

Which chart (decided here, in :meth:`OrgSource.current`, and nowhere else):

1. ``settings.auth.org_chart`` (SEOULAI_AUTH__ORG_CHART) names a YAML file: that file, always. It is the
   override for another city or a hand-kept chart.
2. Otherwise, when the shared library (``settings.retrieval.shared_collection``) holds a document whose title
   ends with "행정기구 설치 조례 시행규칙": the chart built from that rule's 사무분장. It follows the library
   while the app runs: a re-ingested rule is a new generation of the collection, and the next request reads
   the chart rebuilt from it (once per generation, cached).
3. Otherwise the bundled illustrative YAML chart.

Units of 제2장 본청 are "서울특별시/<실·본부·국·관 (the article's title)>/<과·담당관>"; units of the 직속기관,
사업소 and 합의제행정기관 chapters are "서울특별시/<기관 (the 절's name)>/<부·과>". The rule gives no
headcounts (0). When a new version of the rule renames or merges units, :mod:`seoulai.auth.reorg` maps the
old paths onto the new ones and the listeners registered with :meth:`OrgSource.listen` follow.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seoulai.auth.orgchart import OrgChart, Unit
from seoulai.auth.reorg import RenameBook, SeenChart, find_renames
from seoulai.ingest.duties import article_name, split_duties
from seoulai.ingest.types import Block, Chunk, Document

if TYPE_CHECKING:
    from seoulai.auth.policy import Policy
    from seoulai.config import Settings
    from seoulai.retrieval.index import SearchIndex

log = logging.getLogger(__name__)

RULE_SUFFIX = "행정기구 설치 조례 시행규칙"
DEFAULT_ROOT = "서울특별시"
_ARTICLE = re.compile(r"제\d+조(?:의\d+)?")
_CHAPTER = re.compile(r"제\d+장\s")
_DIVISION = re.compile(r"제\d+절\s")
_TRAILING_NOTE = re.compile(r"(?<!\s)\s*<[^<>]*>\s*$")  # from the start of a blank run only: linear
# A chunker that packs sentences joins them with a space; the line breaks before ① and "3." come back here.
_RELINE = re.compile(r"(?:(?<=[!?。다요음함됨>])|(?<=\D\.)) (?=[\u2460-\u2473\u3251-\u325f]|\d{1,3}\.(?!\d))")
Listener = Callable[[dict[str, str]], object]  # what a listener returns is not read


@dataclass(frozen=True)
class Article:
    chapter: str  # "제2장 본청"
    division: str  # "제1절 서울시립대학교", "" outside a 절
    heading: str  # "제17조의5 (행정국)"
    body: str

    @property
    def section(self) -> str:
        return " > ".join(p for p in (self.chapter, self.division, self.heading) if p)


def is_org_rule(title: str) -> bool:
    """"서울특별시 행정기구 설치 조례 시행규칙" and any other city's rule of that name."""
    return _compact(title).endswith(_compact(RULE_SUFFIX))


def root_of(title: str) -> str:
    """The organisation a rule is about: its title before "행정기구 설치 조례 시행규칙"."""
    compact = _compact(title)
    return compact[: -len(_compact(RULE_SUFFIX))] if is_org_rule(title) and compact != _compact(RULE_SUFFIX) \
        else DEFAULT_ROOT


def articles_from_blocks(blocks: Iterable[Block]) -> list[Article]:
    """Articles of a read document: Markdown headings (장 at level 2, 절 at 3, 조 at 5) or 제N조 lines."""
    articles: list[Article] = []
    chapter = division = heading = ""
    body: list[str] = []

    def flush() -> None:
        if heading:
            articles.append(Article(chapter, division, heading, "\n".join(body)))

    for block in blocks:
        text = block.text.strip()
        first = text.split("\n", 1)[0]
        if block.kind == "heading" or _CHAPTER.match(first + " ") or _DIVISION.match(first + " "):
            if _CHAPTER.match(first + " "):
                flush()
                chapter, division, heading, body = first, "", "", []
                continue
            if _DIVISION.match(first + " "):
                flush()
                division, heading, body = first, "", []
                continue
            if _ARTICLE.match(first):
                flush()
                heading, body = first, []
                continue
            if block.kind == "heading":
                flush()
                heading, body = "", []  # 부칙, the title: nothing of the chart
                continue
        if heading:
            body.append(text)
    flush()
    return articles


def articles_from_chunks(chunks: Iterable[Chunk]) -> list[Article]:
    """Articles put back together from stored chunks (pieces of one article in position order).

    Works for chunks of a whole article and for the pieces of one (a paragraph, or one unit's 사무분장 with
    the unit's name after the article in the section): each piece repeats the article heading on its first
    line, which is dropped.
    """
    pieces: dict[str, list[str]] = {}
    for chunk in sorted(chunks, key=lambda c: c.position):
        parts = [p.strip() for p in chunk.section.split(" > ")]
        at = next((i for i, p in enumerate(parts) if _ARTICLE.match(p)), None)
        if at is None:
            continue
        key = " > ".join(parts[: at + 1])
        first, _, rest = chunk.text.partition("\n")
        text = rest if first.strip().startswith(parts[at]) else chunk.text
        pieces.setdefault(key, []).append(text.strip("\n"))
    articles = []
    for key, texts in pieces.items():
        parts = key.split(" > ")
        chapter = next((p for p in parts if _CHAPTER.match(p + " ")), "")
        division = next((p for p in parts if _DIVISION.match(p + " ")), "")
        articles.append(Article(chapter, division, parts[-1], _RELINE.sub("\n", "\n".join(texts))))
    return articles


def chart_from_articles(articles: Iterable[Article], title: str = DEFAULT_ROOT + " " + RULE_SUFFIX) -> OrgChart:
    """The chart of the rule's 사무분장: every unit that "다음 사항을 분장한다", under its 실/국 or 기관."""
    root = root_of(title)
    units: dict[str, Unit] = {root: Unit(root, 0, source=title)}

    def add(path: str, duties: tuple[str, ...], section: str) -> None:
        known = units.get(path)
        if known is not None:  # the same unit in two paragraphs (rare): one unit with both lists
            duties = known.duties + tuple(d for d in duties if d not in known.duties)
            section = known.section or section
        units[path] = Unit(path, 0, duties=duties, source=title, section=section)

    for article in articles:
        container = _container(article)
        if not container:
            continue
        _, sections = split_duties(article.heading, article.body)
        if not sections:
            continue
        base = f"{root}/{container}"
        if base not in units:
            add(base, (), article.section)
        for duty in sections:
            name = _clean(duty.unit)
            if not name or name in (container, root):
                add(base, duty.duties, article.section)  # the 기관 itself (출판부장은 …)
            else:
                add(f"{base}/{name}", duty.duties, f"{article.section} > {name}")
    return OrgChart(list(units.values()))  # the rule's order: 본청 first, each unit before the units under it


def chart_from_document(document: Document) -> OrgChart:
    return chart_from_articles(articles_from_blocks(document.blocks), document.title or RULE_SUFFIX)


def chart_from_chunks(chunks: Iterable[Chunk], title: str) -> OrgChart:
    return chart_from_articles(articles_from_chunks(chunks), title)


def _container(article: Article) -> str:
    """The 실/국 (본청) or 기관 (other chapters) an article's units belong to; "" for none."""
    if "본청" in article.chapter:
        return _clean(article_name(article.heading)) if "(" in article.heading else ""
    if not article.chapter or "총칙" in article.chapter:
        return ""
    institution = _clean(_DIVISION.sub("", _TRAILING_NOTE.sub("", article.division), count=1))
    if institution and not institution.startswith(("삭제", "그 밖의")):
        return institution
    return _clean(article_name(article.heading)) if "(" in article.heading else ""


def _clean(name: str) -> str:
    """A path part: no "/" (the separator), no leading "서울특별시" (every unit is the city's), no notes."""
    name = _TRAILING_NOTE.sub("", name).strip().replace("/", "·")
    if name.startswith(DEFAULT_ROOT) and len(name) > len(DEFAULT_ROOT):
        rest = name[len(DEFAULT_ROOT):].strip()
        name = "시" + rest if rest.startswith("립") else rest  # 서울특별시립미술관 -> 시립미술관
    return name


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


class OrgSource:
    """The chart in force (see the module docstring for the precedence), re-read when the library changes.

    ``current()`` costs one small file read per call (the shared collection's live generation); the chart is
    rebuilt only when that generation changes. Thread-safe: every session of the app asks it.
    """

    def __init__(self, settings: "Settings", index: "SearchIndex | None" = None) -> None:
        self.settings = settings
        self.index = index
        self.shared = settings.retrieval.shared_collection
        self.override = settings.auth.org_chart
        self.book = RenameBook(Path(settings.data_dir) / "org_renames.json")
        self._seen = SeenChart(Path(settings.data_dir) / "org_chart_seen.json")
        self._fallback = OrgChart.load(self.override)
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._chart = self._fallback
        self._from_rule = False
        self._listeners: list[Listener] = []

    @property
    def kind(self) -> str:
        """Where the chart in force comes from: "yaml" (the override), "rule" or "bundled"."""
        self.current()
        return "yaml" if self.override else ("rule" if self._from_rule else "bundled")

    def listen(self, listener: Listener) -> None:
        """Call ``listener(renames)`` (old path -> new path) whenever a new chart renamed or merged units."""
        self._listeners.append(listener)

    def current(self) -> OrgChart:
        if self.override is not None or self.index is None:
            return self._fallback
        generation = self._generation_now()
        if generation == self._generation:
            return self._chart
        renames: dict[str, str] = {}
        with self._lock:
            if generation != self._generation:
                try:
                    chart = self._build(generation)
                except Exception:  # an unreadable rule means the fallback chart, not an outage
                    log.exception("org chart not rebuilt from the shared library; using the fallback chart")
                    chart, self._from_rule = self._fallback, False
                if self._from_rule:
                    try:
                        renames = self._record_changes(chart)
                    except OSError:
                        log.exception("reorganisation map not saved under %s", self.settings.data_dir)
                self._chart, self._generation = chart, generation
            chart = self._chart
        if renames:
            for listener in self._listeners:
                try:
                    listener(renames)
                except Exception:  # one follower failing must not keep the new chart away
                    log.exception("following the reorganisation failed in %r", listener)
        return chart

    def _generation_now(self) -> str | None:
        assert self.index is not None  # current() checked it
        try:
            return self.index.collection(self.shared).current()
        except Exception:  # a broken or missing library means the fallback chart, not an outage
            log.exception("shared collection %s unreadable; using the fallback org chart", self.shared)
            return None

    def _build(self, generation: str | None) -> OrgChart:
        self._from_rule = False
        if generation is None or self.index is None:
            return self._fallback
        collection = self.index.collection(self.shared)
        rules = [d for d in collection.documents() if is_org_rule(d.title)]
        if not rules:
            return self._fallback
        # Seoul's own rule first when several cities' rules share the library, then the newest.
        rules.sort(key=lambda d: (root_of(d.title) != DEFAULT_ROOT, -_date_key(d.effective_date), d.doc))
        rule = rules[0]
        chart = chart_from_chunks(collection.chunks_of([rule.doc]), rule.title)
        if len(chart.units) <= 1:
            log.error("org rule %s gave no units; using the fallback org chart", rule.doc)
            return self._fallback
        self._from_rule = True
        log.info("org chart built from %s: %d units", rule.title, len(chart.units))
        return chart

    def _record_changes(self, chart: OrgChart) -> dict[str, str]:
        """Compare with the chart last seen (by any process; else the YAML chart it replaces) and keep the map."""
        previous = self._seen.load() or self._fallback
        renames = find_renames(previous, chart)
        if renames:
            self.book.add(renames)
            log.warning("reorganisation: %s", ", ".join(f"{o} -> {n}" for o, n in renames.items()))
        self._seen.save(chart)
        return renames


def collection_follower(index: "SearchIndex", policy: "Policy", folder_of: Callable[[str], Path]) -> Listener:
    """A listener that renames the department collections of renamed units (and moves their stored files,
    ``folder_of(collection)``). A unit merged into one that already has a collection keeps its own, which the
    policy lets the merged unit's people read alongside theirs."""

    book = policy.source.book if isinstance(policy.source, OrgSource) else None

    def follow(renames: dict[str, str]) -> None:
        existing = set(index.collections())
        for old, new in renames.items():
            source = policy.raw_department_collection(old)
            target = policy.department_collection(new)
            if source == target or source not in existing:
                continue
            if target in existing:
                log.warning("department collection %s kept beside %s (merged units)", source, target)
                if book is not None:
                    book.keep(source, old)  # the policy lets the successor's people read it
                continue
            index.rename_collection(source, target)
            existing.discard(source)
            existing.add(target)
            old_files, new_files = folder_of(source), folder_of(target)
            if old_files.is_dir() and not new_files.exists():
                old_files.rename(new_files)
            log.warning("department collection %s moved to %s (조직 개편)", source, target)

    return follow


def _date_key(value: str | None) -> int:
    digits = re.sub(r"\D", "", value or "")[:8]
    return int(digits) if len(digits) == 8 else 0
