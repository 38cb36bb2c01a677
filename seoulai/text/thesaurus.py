"""Everyday words people use in questions, mapped to the terms statutes use (민원 용어 → 법령 용어).

Petitions say "아파트", "건물주", "벌금"; the fire-safety and building acts say 공동주택, 관계인, 벌칙.
Each entry adds the legal terms to the query (at a lower weight than the person's own words). The
entries come from the definitions in the acts (e.g. 소방시설법 시행령 별표 2, 특정소방대상물 categories),
not from any evaluation set.
"""

from __future__ import annotations

from seoulai.text.colloquial import COLLOQUIAL
from seoulai.text.korean import PhraseTable

THESAURUS: dict[str, str] = {
    "아파트": "공동주택",
    "빌라": "공동주택 다세대주택",
    "다세대": "공동주택 다세대주택",
    "원룸": "다가구주택",
    "오피스텔": "업무시설",
    "건물주": "소유자 관계인",
    "집주인": "소유자 관계인",
    "건물주인": "소유자 관계인",
    "소유주": "소유자 관계인",
    "세입자": "점유자 관계인 임차인",
    "임차인": "점유자 관계인",
    "관리소장": "관리사무소장 관계인",
    "벌금": "벌칙 과태료",
    "처벌": "벌칙 과태료",
    "과태료": "과태료 부과",
    "자탐": "자동화재탐지설비",
    "감지기": "자동화재탐지설비 감지기",
    "스프링쿨러": "스프링클러설비",
    "스프링클러": "스프링클러설비",
    "소화전": "옥내소화전설비 옥외소화전설비",
    "비상벨": "비상경보설비",
    "비상방송": "비상방송설비",
    "유도등": "유도등 피난구유도등",
    "비상구": "피난시설 비상구",
    "방화문": "방화문 방화구획",
    "대피공간": "피난시설 대피공간",
    "완강기": "피난기구",
    "모텔": "숙박시설",
    "여관": "숙박시설",
    "호텔": "숙박시설",
    "고시원": "다중생활시설 고시원업",
    "노래방": "노래연습장업",
    "pc방": "인터넷컴퓨터게임시설제공업",
    "피시방": "인터넷컴퓨터게임시설제공업",
    "찜질방": "목욕장업",
    "헬스장": "체력단련장",
    "학원": "학원 다중이용업",
    "어린이집": "노유자시설",
    "요양원": "노유자시설",
    "요양병원": "의료시설",
    "주유소": "주유취급소",
    "창고": "창고시설",
    "공장": "공장",
    "상가": "근린생활시설 판매시설",
    "식당": "일반음식점 근린생활시설",
    "카페": "휴게음식점",
    "안전관리자": "소방안전관리자",
    "소방관리자": "소방안전관리자",
    "보조자": "소방안전관리보조자",
    "자체점검": "자체점검 작동점검 종합점검",
    "점검": "자체점검",
    "소방공사": "소방시설공사",
    "인테리어": "실내장식물 방염",
    "커튼": "방염대상물품",
    "카펫": "방염대상물품",
    "층수": "층수 지하층",
    "겸직": "겸직 선임",
    "신고": "신고",
    "민원처리기간": "처리기간",
    "처리기한": "처리기간",
    "정보공개청구": "정보공개 청구",
    "개인정보유출": "개인정보 유출",
}
_TABLE = PhraseTable({**COLLOQUIAL, **THESAURUS})


def legal_terms(text: str) -> list[str]:
    """Statute terms for the everyday words found in the text."""
    return _TABLE.lookup(text)


def legal_pairs(text: str) -> list[tuple[str, str]]:
    """(everyday word as written, its statute terms) for each everyday word found in the text."""
    return _TABLE.pairs(text)
