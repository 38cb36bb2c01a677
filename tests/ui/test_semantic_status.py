"""The sidebar's 의미 검색 lines, drawn from a person's figures (Services.semantic_status): the model being
prepared, the library's figure, and a line for the person's own uploads only while they wait for vectors."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from seoulai.retrieval.backfill import SemanticProgress
    from seoulai.ui.widgets import semantic_progress

    semantic_progress(SemanticProgress(**st.session_state["figures"]))


def _drawn(**figures: Any) -> tuple[list[str], list[str]]:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["figures"] = figures
    at.run()
    assert not at.exception
    return [str(p.proto.text) for p in at.get("progress")], [str(c.value) for c in at.caption]


def test_the_model_being_prepared_is_said() -> None:
    bars, captions = _drawn(done=0, total=4756, preparing=True)
    assert bars == [] and any("의미 검색 모델 준비 중" in c and "키워드 검색은 바로" in c for c in captions)


def test_the_persons_own_line_appears_while_their_passages_wait_and_then_goes() -> None:
    bars, _ = _drawn(done=1224, total=4796, own_done=12, own_total=40)
    assert bars == ["의미 검색 색인 준비 중 1,224/4,796 (키워드 검색은 바로 됩니다)",
                    "내 문서: 의미 검색 색인 만드는 중 12/40"]
    bars, _ = _drawn(done=1264, total=4796, own_done=40, own_total=40)
    assert bars == ["의미 검색 색인 준비 중 1,264/4,796 (키워드 검색은 바로 됩니다)"]
    assert _drawn(done=4796, total=4796, own_done=40, own_total=40) == ([], [])


def test_a_paused_fill_says_keyword_search_goes_on() -> None:
    bars, captions = _drawn(done=10, total=40, preparing=True, error="embedder down")
    assert len(bars) == 1 and any("키워드 검색은 계속" in c for c in captions)
    assert not any("embedder down" in c for c in captions)  # no English detail reaches a person
