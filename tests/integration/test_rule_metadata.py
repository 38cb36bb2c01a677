"""A 자치법규's metadata from its front matter to `seoulai search --json`, conversation history and the evidence card;
시행 예정 decided against today in Seoul. Real files from ../shared/corpus/seoul, copied to tmp_path."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from seoulai.answer.engine import Answer
from seoulai.config import Settings
from seoulai.retrieval.hits import Hit, is_pending
from seoulai.retrieval.index import SearchIndex
from seoulai.ui.answer_view import card_label

SERVICE = "corpus/seoul/조례/서울특별시 공무원 복무 조례.md"
NAME = "서울특별시 공무원 복무 조례.md"
SOURCE_URL = "https://www.law.go.kr/자치법규/서울특별시공무원복무조례"
ANNUAL_LEAVE = "공무원의 재직기간별 연가일수는 며칠인가요?"
NEWEST_ADDENDA = "부칙 <제9862호, 2025.9.29>\n이 조례는 공포한 날부터 시행한다."


def _library(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / NAME).write_text(text, encoding="utf-8")
    return root


def _index(tmp_path: Path) -> SearchIndex:
    return SearchIndex(Settings(index_dir=tmp_path / "idx", embed={"backend": "none"}, llm={"backend": "none"}))


def _label(hit: Hit) -> str:
    """The card's collapsed label as a person reads it (Markdown escapes taken off)."""
    return re.sub(r"\\(.)", r"\1", card_label(1, hit))


def _hit(index: SearchIndex, collection: str, question: str, article: str) -> Hit:
    return next(h for h in index.search(question, [collection], 10) if article in h.section)


def test_search_json_hits_carry_the_rules_metadata(tmp_path: Path, shared_dir: Path) -> None:
    real = (shared_dir / SERVICE).read_text(encoding="utf-8")
    _index(tmp_path).ingest([_library(tmp_path / "rules", real)], "공통")
    env = dict(os.environ, SEOULAI_INDEX_DIR=str(tmp_path / "idx"), SEOULAI_DATA_DIR=str(tmp_path / "data"),
               SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none")
    result = subprocess.run([sys.executable, "-m", "seoulai.cli", "search", ANNUAL_LEAVE, "--collection", "공통",
                             "-k", "3", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    hit = next(h for h in json.loads(result.stdout)["hits"] if "제18조 (연가일수)" in h["section"])
    assert {"source", "title", "section", "page", "text", "score", "collection", "effective_date"} <= set(hit)
    assert (hit["source"], hit["title"]) == (NAME, "서울특별시 공무원 복무 조례")
    assert {k: hit.get(k) for k in ("종류", "시행일자", "시행 예정", "공포번호", "제개정구분", "담당부서", "출처")} == {
        "종류": "조례", "시행일자": "2025-09-29", "시행 예정": False, "공포번호": "9862", "제개정구분": "일부개정",
        "담당부서": "인사과", "출처": SOURCE_URL}


def test_a_rule_not_yet_in_force_is_marked_pending(tmp_path: Path, shared_dir: Path) -> None:
    real = (shared_dir / SERVICE).read_text(encoding="utf-8")
    future = real.replace("시행일자: '2025-09-29'", "시행일자: '2099-01-01'")
    deferred = real.replace(NEWEST_ADDENDA, NEWEST_ADDENDA + " 다만, 제18조의 개정규정은 2099년 1월 1일부터 시행한다.")
    assert real != future and real != deferred
    index = _index(tmp_path)
    for name, text in (("현행", real), ("예정", future), ("일부예정", deferred)):
        index.ingest([_library(tmp_path / name, text)], name)
    now, later = (_hit(index, name, ANNUAL_LEAVE, "제18조").to_json() for name in ("현행", "예정"))
    assert (now["시행일자"], now["시행 예정"]) == ("2025-09-29", False)
    assert (later["시행일자"], later["시행 예정"]) == ("2099-01-01", True)
    # The newest 부칙 defers one article: that article alone is pending, the others are in force.
    article = _hit(index, "일부예정", ANNUAL_LEAVE, "제18조")
    other = _hit(index, "일부예정", "공무원의 1주간의 근무시간", "제13조")
    assert (article.effective_date, article.to_json()["시행 예정"]) == ("2099-01-01", True)
    assert (other.effective_date, other.to_json()["시행 예정"]) == ("2025-09-29", False)
    assert "시행 예정 2099-01-01" in _label(article) and "시행일 2025-09-29" in _label(other)


def test_pending_is_decided_against_the_day_it_is_asked() -> None:
    assert is_pending("2027-01-01", today=date(2026, 12, 31))
    assert not is_pending("2027-01-01", today=date(2027, 1, 1))  # in force from that day on
    assert not is_pending(None) and not is_pending("![t](//evil.example/d.png)")


def test_conversation_history_keeps_the_metadata(tmp_path: Path, shared_dir: Path) -> None:
    future = (shared_dir / SERVICE).read_text(encoding="utf-8").replace("시행일자: '2025-09-29'", "시행일자: '2099-01-01'")
    index = _index(tmp_path)
    index.ingest([_library(tmp_path / "rules", future)], "공통")
    hit = _hit(index, "공통", ANNUAL_LEAVE, "제18조")
    answer = Answer(question=ANNUAL_LEAVE, status="answered", text="연가일수는 재직기간별로 다릅니다 [1].",
                    passages=[hit], cited=[1])
    restored = Answer.from_json(json.loads(json.dumps(answer.to_json(), ensure_ascii=False))).passages[0]
    keys = ("종류", "시행일자", "시행 예정", "공포번호", "제개정구분", "담당부서", "출처", "effective_date")
    assert {k: restored.to_json().get(k) for k in keys} == {k: hit.to_json().get(k) for k in keys}
    assert restored.to_json()["시행 예정"] is True and restored.metadata["담당부서"] == "인사과"
    assert card_label(1, restored) == card_label(1, hit)
    assert " · 조례 · 시행 예정 2099-01-01" in _label(restored)


@pytest.mark.parametrize("question", ["이 조례 언제부터 시행돼요?", "이 조례 시행일은?"])
def test_when_does_it_apply_reaches_the_newest_addenda(tmp_path: Path, shared_dir: Path, question: str) -> None:
    """Among the 32 부칙 that read alike ("이 조례는 공포한 날부터 시행한다."), the current amendment's comes first."""
    index = _index(tmp_path)
    index.ingest([_library(tmp_path / "rules", (shared_dir / SERVICE).read_text(encoding="utf-8"))], "공통")
    addenda = [h for h in index.search(question, ["공통"], 50) if h.section.startswith("부칙")]
    assert addenda and addenda[0].section == "부칙 <제9862호, 2025.9.29>"
