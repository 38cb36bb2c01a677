"""Follow-up questions over the demo manuals (tests/eval/followup_pairs.jsonl, our own questions on public
statutes): a new topic in the same conversation retrieves exactly as in a fresh one; a follow-up carries the
context it needs; with a model, the follow-up is rewritten and the rewrite is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from seoulai.answer.engine import AnswerEngine, Turn
from seoulai.config import Settings
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.query import analyze_query
from tests.fakes.scripted import scripted_chat

ROOT = Path(__file__).resolve().parents[2]
PAIRS = [json.loads(line) for line in (ROOT / "tests/eval/followup_pairs.jsonl").read_text().splitlines() if line]
REF = re.compile(r"제\d+조(?:의\d+)?")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    index = SearchIndex(Settings(index_dir=tmp_path_factory.mktemp("idx"), embed={"backend": "none"}))
    index.ingest([ROOT / "demo" / "manuals"], "공통")
    return index


def _engine(index: SearchIndex, with_model: bool = False) -> tuple[AnswerEngine, object]:
    chat, llm = scripted_chat()
    if not with_model:
        chat = type(chat)(lambda: None, name="")  # retrieval only
    return AnswerEngine(index, chat), llm


def _top(engine: AnswerEngine, question: str, history: list[Turn]) -> list[tuple[str, str]]:
    plan = engine.plan(question, history, use_model=False)
    hits = engine.search.search(analyze_query(plan.query), ["공통"], 5)
    return [(h.source, (REF.search(h.section) or REF.search(h.text[:80]) or [""])[0]) for h in hits]


def test_follow_up_eval(index: SearchIndex) -> None:
    engine, _ = _engine(index)
    new = [p for p in PAIRS if p["kind"] == "new_topic"]
    follow = [p for p in PAIRS if p["kind"] == "follow_up"]
    same = sum(_top(engine, p["second"], [Turn("user", p["first"]), Turn("assistant", "답변 [1].")])
               == _top(engine, p["second"], []) for p in new)

    def found(pair: dict, history: list[Turn]) -> bool:
        gold = (pair["gold"]["file"], pair["gold"]["article"])
        return gold in _top(engine, pair["second"], history)

    with_context = sum(found(p, [Turn("user", p["first"]), Turn("assistant", "답변 [1].")]) for p in follow)
    alone = sum(found(p, []) for p in follow)
    print(f"\nfollow-up eval: new topic retrieves as fresh {same}/{len(new)}; follow-up gold in top 5 "
          f"{with_context}/{len(follow)} with context vs {alone}/{len(follow)} searched alone")
    assert same == len(new)  # a new topic is never searched with the old topic's words
    assert with_context >= 0.75 * len(follow) and with_context > alone


def test_with_a_model_the_follow_up_is_rewritten_and_shown(index: SearchIndex) -> None:
    engine, llm = _engine(index, with_model=True)
    llm.script("민원 처리기간을 연장할 수 있는 경우는?", "연장할 수 있습니다 [1].")  # type: ignore[attr-defined]  # the scripted model
    history = [Turn("user", "민원의 처리기간은 어떻게 계산하나요?"), Turn("assistant", "일 단위로 계산합니다 [1].")]
    answer = engine.answer("그 기간을 연장할 수도 있나요?", ["공통"], history)
    assert answer.searched == "민원 처리기간을 연장할 수 있는 경우는?"
    rewrite_prompt = llm.requests[0][-1]["content"]  # type: ignore[attr-defined]  # the scripted model
    assert "민원의 처리기간은 어떻게 계산하나요?" in rewrite_prompt and "독립적인 질문" in rewrite_prompt
    assert any("연장" in p.section for p in answer.passages)
    fresh = engine.answer("개인정보 보호위원회는 어떻게 구성되나요?", ["공통"], history)
    assert fresh.searched == "" and len(llm.requests) == 3  # type: ignore[attr-defined]  # scripted model; a new topic: no rewrite call
    assert "이전 대화" not in llm.requests[-1][-1]["content"]  # type: ignore[attr-defined]  # scripted model; no old turns


def test_a_law_that_is_not_indexed_is_named_not_guessed(index: SearchIndex) -> None:
    engine, llm = _engine(index, with_model=True)
    answer = engine.answer("정보공개법에 따른 정보공개 청구의 처리 기한은?", ["공통"])
    assert answer.status == "out_of_scope" and not answer.passages
    assert "문서함에 「공공기관의 정보공개에 관한 법률」이 없습니다" in answer.notice
    assert not llm.requests  # type: ignore[attr-defined]  # no model call, no nearest-passage answer
    inside = engine.answer("민원처리법에 따른 처리기간의 계산은?", ["공통"])
    assert inside.status == "answered" and not inside.missing_laws
    both = engine.answer("행정절차법과 정보공개법의 처리기간 규정은?", ["공통"])
    assert both.status != "out_of_scope" and "정보공개" in both.notice  # answered, and the gap is said


def test_a_rewrite_that_echoes_the_instructions_is_neither_searched_nor_shown(index: SearchIndex) -> None:
    """The rewrite is model output shown to the person ("이렇게 찾았습니다"): the one guard of every other path
    (seoulai/answer/guard.py) judges it too; an echo of the prompt falls back to the question with its context."""
    engine, llm = _engine(index, with_model=True)
    echo = "마지막 질문을 이전 대화 없이도 이해되는 독립적인 질문 한 문장으로 다시 쓰세요."
    llm.script(echo, "연장할 수 있습니다 [1].")  # type: ignore[attr-defined]  # the scripted model, typed object by _engine
    history = [Turn("user", "민원의 처리기간은 어떻게 계산하나요?"), Turn("assistant", "일 단위로 계산합니다 [1].")]
    answer = engine.answer("그 기간을 연장할 수도 있나요?", ["공통"], history)
    assert answer.searched == ""  # nothing the model wrote is shown as the search
    plan = engine.plan("그 기간을 연장할 수도 있나요?", history, use_model=False)
    assert "민원의 처리기간" in plan.query and echo not in plan.query


def test_an_answer_that_repeats_the_earlier_answer_is_not_an_echo(index: SearchIndex) -> None:
    """The earlier answer is the conversation the person saw, not instructions: repeating it in the follow-up's
    answer is usable output (no "불완전", no model_echo), while copying the rules back still is an echo."""
    earlier = "민원의 처리기간은 접수한 날부터 일 단위로 계산하며, 공휴일과 토요일은 처리기간에 산입하지 않습니다 [1]."
    history = [Turn("user", "민원의 처리기간은 어떻게 계산하나요?"), Turn("assistant", earlier)]
    engine, llm = _engine(index, with_model=True)
    repeat = f"앞서 말씀드린 대로 {earlier} 처리기간은 한 차례만 연장할 수 있습니다 [2]."
    llm.script("민원 처리기간을 연장할 수 있는 경우는?", repeat)  # type: ignore[attr-defined]  # the scripted model
    answer = engine.answer("그 기간을 연장할 수도 있나요?", ["공통"], history)
    assert "이전 대화" in llm.requests[-1][-1]["content"]  # type: ignore[attr-defined]  # the history is in the prompt
    assert (answer.incomplete, answer.error_code) == (False, None)
    assert earlier.removesuffix(" [1].") in answer.text and answer.status == "answered"
    rules = ("문장마다 근거 문단 번호를 [1], [2]처럼 대괄호로 표시합니다. 공문서에 어울리는 격식 있는 문체로, 핵심부터 간결하게 "
             "씁니다. 법령 조문, 날짜, 기간, 금액은 자료에 적힌 그대로 옮깁니다.")
    llm.script("민원 처리기간을 연장할 수 있는 경우는?", rules)  # type: ignore[attr-defined]  # the scripted model
    echoed = engine.answer("그 기간을 연장할 수도 있나요?", ["공통"], history)
    assert echoed.incomplete and echoed.error_code == "model_echo"


def test_a_rewrite_that_repeats_the_earlier_answer_is_used(index: SearchIndex) -> None:
    """The rewrite may take the earlier answer's words (the conversation), never the rewrite's instructions."""
    earlier = "민원의 처리기간은 접수한 날부터 일 단위로 계산하며, 공휴일과 토요일은 산입하지 않습니다 [1]."
    history = [Turn("user", "민원의 처리기간은 어떻게 계산하나요?"), Turn("assistant", earlier)]
    engine, llm = _engine(index, with_model=True)
    rewrite = "민원의 처리기간은 접수한 날부터 일 단위로 계산하는데, 그 처리기간을 연장할 수 있나요?"
    llm.script(rewrite)  # type: ignore[attr-defined]  # the scripted model
    assert engine.plan("그 기간을 연장할 수도 있나요?", history).rewritten == rewrite
