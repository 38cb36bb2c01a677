"""Common short names of Korean laws (약칭) mapped to their full titles.

Questions say "소방시설법" or "화재예방법"; statutes carry only the full title. Matching the expansion
against the title field finds the right law. The list follows the 약칭 the National Law Information
Center (국가법령정보센터) publishes for the administrative and fire-safety laws in the demo library.
"""

from __future__ import annotations

from seoulai.text.korean import PhraseTable

ABBREVIATIONS: dict[str, str] = {
    "소방시설법": "소방시설 설치 및 관리에 관한 법률",
    "화재예방법": "화재의 예방 및 안전관리에 관한 법률",
    "다중이용업소법": "다중이용업소의 안전관리에 관한 특별법",
    "다중이용업소안전법": "다중이용업소의 안전관리에 관한 특별법",
    "공사업법": "소방시설공사업법",
    "위험물법": "위험물안전관리법",
    "민원처리법": "민원 처리에 관한 법률",
    "정보공개법": "공공기관의 정보공개에 관한 법률",
    "공공기록물법": "공공기록물 관리에 관한 법률",
    "기록물관리법": "공공기록물 관리에 관한 법률",
    "공공데이터법": "공공데이터의 제공 및 이용 활성화에 관한 법률",
    "청탁금지법": "부정청탁 및 금품등 수수의 금지에 관한 법률",
    "김영란법": "부정청탁 및 금품등 수수의 금지에 관한 법률",
    "이해충돌방지법": "공직자의 이해충돌 방지법",
    "지방계약법": "지방자치단체를 당사자로 하는 계약에 관한 법률",
    "지방보조금법": "지방자치단체 보조금 관리에 관한 법률",
    "보조금법": "보조금 관리에 관한 법률",
    "재난안전법": "재난 및 안전관리 기본법",
    "질서위반행위법": "질서위반행위규제법",
    "행정업무규정": "행정업무의 운영 및 혁신에 관한 규정",
    "행정효율규정": "행정업무의 운영 및 혁신에 관한 규정",
    "건축물피난방화규칙": "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙",
    "피난방화규칙": "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙",
    "공공기관소방안전규정": "공공기관의 소방안전관리에 관한 규정",
    "개인정보법": "개인정보 보호법",
    "공익신고자법": "공익신고자 보호법",
    # Colloquial names petitioners use for the fire-safety family.
    "소방법": "소방시설 설치 및 관리에 관한 법률 화재의 예방 및 안전관리에 관한 법률",
    "소방관계법령": "소방시설 설치 및 관리에 관한 법률 화재의 예방 및 안전관리에 관한 법률",
}
_TABLE = PhraseTable(ABBREVIATIONS)


def expand_abbreviations(text: str) -> list[str]:
    """Full titles for every abbreviation in the text."""
    return _TABLE.lookup(text)
