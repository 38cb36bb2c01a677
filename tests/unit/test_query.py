"""Query analysis for petition-style questions: what is dropped, added and how words are weighted."""

from __future__ import annotations

import math

import pytest

from seoulai.retrieval.query import THESAURUS_WEIGHT, analyze_query


def test_greetings_and_request_formulas_are_removed() -> None:
    query = analyze_query("안녕하세요. 소방안전관리자 선임 기준이 궁금합니다. 빠른 답변 부탁드립니다.")
    assert "안녕하" not in query.text and "답변" not in query.text
    assert "소방안전관리자 선임 기준" in query.text
    assert "답변" not in query.terms


def test_unit_letters_and_article_tokens_are_not_words_but_numbers_are() -> None:
    """Numbers stay: a year picks the paragraph in prose ("2009년 … 데뷔작"), and BM25's idf already makes a
    number common in statutes weigh little (dropping them cost KorQuAD 0.013 Hit@1, BENCHMARKS.md)."""
    query = analyze_query("연면적 5,211㎡인 건물은 제24조 적용 대상인가요?")
    assert "연면적" in query.terms
    assert "m" not in query.terms
    assert "제24조" not in query.terms
    assert "2009" in analyze_query("2009년 승리의 영화 데뷔작은?").terms


def test_repeated_words_grow_with_the_log_of_their_count() -> None:
    once = analyze_query("방염 대상인가요?", ask=False)
    thrice = analyze_query("방염 방염 방염 대상인가요?", ask=False)
    assert once.terms["방염"] == pytest.approx(1.0)
    assert thrice.terms["방염"] == pytest.approx(1.0 + math.log(3))
    raw = analyze_query("방염 방염 방염 대상인가요?", saturate=False, ask=False)
    assert raw.terms["방염"] == pytest.approx(3.0)


def test_the_asking_sentence_weighs_more_than_the_scenario() -> None:
    question = ("갑은 자동차 보험에 가입하고 매월 보험료를 내기로 계약했다. 갑은 석 달 동안 보험료를 내지 않았다.\n"
                "이 경우 보험사가 취할 수 있는 조치는 무엇인가?")
    query = analyze_query(question)
    assert query.terms["조치"] == pytest.approx(2.0)  # asked: counted twice
    assert query.terms["계약"] == pytest.approx(1.0)  # background: once
    assert analyze_query(question, ask=False).terms["조치"] == pytest.approx(1.0)


def test_everyday_words_add_statute_terms_at_a_lower_weight() -> None:
    query = analyze_query("아파트 관리 문의")
    assert query.terms["아파트"] == pytest.approx(1.0)
    assert query.terms["공동"] == pytest.approx(THESAURUS_WEIGHT)
    assert "공동" not in analyze_query("아파트 관리 문의", expand=False).terms


def test_abbreviations_and_quoted_titles_name_the_law() -> None:
    query = analyze_query("소방시설법 제12조와 「건축법」 제49조의 관계")
    assert "소방시설 설치 및 관리에 관한 법률" in query.named_titles
    assert "건축법" in query.named_titles


def test_no_token_holds_a_space_so_question_and_index_agree() -> None:
    """Kiwi returns some proper nouns as one multi-word form ("쿠알라룸푸르 국제공항"); the index stores tokens
    joined by spaces, so such a form must reach both sides as its parts, or the question's most specific
    word matches nothing."""
    from seoulai.text.korean import morphs, morphs_batch

    text = "김정남은 말레이시아 세팡에 위치한 쿠알라룸푸르 국제공항에서 사망했다."
    for tokens in (morphs(text), next(morphs_batch([text])), list(analyze_query("쿠알라룸푸르국제공항은 어디인가?").terms)):
        assert not any(" " in token for token in tokens), tokens
    assert {"쿠알라룸푸르", "국제공항"} <= set(analyze_query("쿠알라룸푸르국제공항은 어느 나라 공항인가?").terms)


def test_light_words_rank_but_are_not_content_words() -> None:
    """The stop list did not earn its place as a ranking factor (without it: fire-safety, NTS and KorQuAD up,
    KoBLEX down by less than one question, MRR up on all four; BENCHMARKS.md), so ranking words keep "수",
    "있다", "경우". What a person sees and what checks the passage against the question (highlighting, coverage,
    follow-up detection) still uses content words only."""
    query = analyze_query("영업정지 처분을 받은 경우 이의신청을 할 수 있나요?")
    assert {"수", "있다", "경우"} <= set(query.terms)
    content = query.content_terms()
    assert {"영업", "정지", "처분", "이의", "신청"} <= set(content)
    assert not {"수", "있다", "경우", "하다"} & set(content)
    assert all(content[t] == query.terms[t] for t in content)


@pytest.mark.timeout(60)  # the old pattern took 3.6 s at 16,000 characters, minutes at 100,000
def test_the_asking_sentence_is_found_in_linear_time() -> None:
    assert analyze_query("가" * 100_000).terms  # one run of text with no sentence end and no asking word
    assert analyze_query("가나다 " * 20_000 + "까요").terms


def test_the_asking_sentence_counts_twice() -> None:
    from seoulai.retrieval.query import asking_sentences

    text = "건물에 불이 났습니다. 관리인은 누구인가요? 그리고 점검은 언제 하나요"
    assert asking_sentences(text) == [" 관리인은 누구인가요?", " 그리고 점검은 언제 하나요"]
    assert asking_sentences("연가는 며칠인가요 그리고 병가는 며칠인가요.") == ["연가는 며칠인가요 그리고 병가는 며칠인가요."]
    query = analyze_query(text)
    assert query.terms["관리인"] > query.terms["건물"]
