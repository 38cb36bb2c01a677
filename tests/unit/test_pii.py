"""Korean PII detection: a table of positive and negative examples, precision and recall printed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from seoulai.privacy.pii import detect, mask

# (text, type, the exact identifier as written)
POSITIVES: list[tuple[str, str, str]] = [
    # 주민등록번호: checksum valid (pre-2020), checksum failing (post-2020), every separator, full width, particles
    ("민원인 주민등록번호는 900101-1234568입니다.", "rrn", "900101-1234568"),
    ("주민번호 900101 1234568 확인", "rrn", "900101 1234568"),
    ("9001011234568로 조회해 주세요", "rrn", "9001011234568"),
    ("851231-2102340을 입력", "rrn", "851231-2102340"),
    ("020315-3456782 학생", "rrn", "020315-3456782"),
    ("２０１２０１－４１２３４５６ 신고", "rrn", "２０１２０１－４１２３４５６"),
    ("신청인 960229-1555555는 윤년생", "rrn", "960229-1555555"),  # checksum fails: still detected
    ("번호(010203-3987654) 기재", "rrn", "010203-3987654"),
    ("200101-4123456의 보호자", "rrn", "200101-4123456"),
    ("생년월일 포함 880808-1888888에게", "rrn", "880808-1888888"),
    # 외국인등록번호
    ("외국인등록번호 780707-5123456 체류", "foreigner_rn", "780707-5123456"),
    ("등록번호 9505156234567로 변경", "foreigner_rn", "9505156234567"),
    ("０１０１０１－７１２３４５６ 외국인", "foreigner_rn", "０１０１０１－７１２３４５６"),
    ("외국인 850505 6123456 확인", "foreigner_rn", "850505 6123456"),
    ("030303-8123456에게 통지", "foreigner_rn", "030303-8123456"),
    # 여권번호 (old 1 letter + 8 digits, new 2021 layout)
    ("여권번호 M12345678 확인", "passport", "M12345678"),
    ("여권 S87654321로 발급", "passport", "S87654321"),
    ("신규 여권 M123A4567 사본", "passport", "M123A4567"),
    ("관용여권 D98765432", "passport", "D98765432"),
    ("여권(R12345678)", "passport", "R12345678"),
    ("여권 m12345678 분실", "passport", "m12345678"),  # lower case
    ("여권번호 s123a4567", "passport", "s123a4567"),
    # 운전면허번호
    ("운전면허 11-12-345678-90 소지", "driver_license", "11-12-345678-90"),
    ("면허번호 서울 12-345678-90", "driver_license", "서울 12-345678-90"),
    ("면허 111234567890으로 조회", "driver_license", "111234567890"),
    ("경기-19-123456-78 면허", "driver_license", "경기-19-123456-78"),
    ("면허번호 28 05 654321 12", "driver_license", "28 05 654321 12"),
    # 휴대전화
    ("연락처 010-1234-5678로 연락", "mobile", "010-1234-5678"),
    ("010 9876 5432 문자", "mobile", "010 9876 5432"),
    ("01012345678에게", "mobile", "01012345678"),
    ("011-234-5678 구형 번호", "mobile", "011-234-5678"),
    ("＋82 10-1234-5678 해외", "mobile", "＋82 10-1234-5678"),
    ("０１０－２２２２－３３３３ 전화", "mobile", "０１０－２２２２－３３３３"),
    ("016.123.4567 번호", "mobile", "016.123.4567"),
    ("담당 010-5555-6666입니다", "mobile", "010-5555-6666"),
    # 유선전화
    ("대표 02-2133-1234", "phone", "02-2133-1234"),
    ("031-123-4567로 문의", "phone", "031-123-4567"),
    ("팩스 02)2133-5678", "phone", "02)2133-5678"),
    ("051 888 1234 부산", "phone", "051 888 1234"),
    ("070-1234-5678 인터넷전화", "phone", "070-1234-5678"),
    ("064.710.1234 제주", "phone", "064.710.1234"),
    ("대표 0221331234로 문의", "phone", "0221331234"),  # no separator at all
    ("팩스 021234567", "phone", "021234567"),
    ("연락처 0311234567입니다", "phone", "0311234567"),
    ("지역 07012345678 인터넷", "phone", "07012345678"),
    # 이메일
    ("메일 hong.gildong@seoul.go.kr 로", "email", "hong.gildong@seoul.go.kr"),
    ("kim_1234@naver.com으로 회신", "email", "kim_1234@naver.com"),
    ("문의: test+tag@example.co.kr", "email", "test+tag@example.co.kr"),
    ("ＡＢＣ abc@korea.kr입니다", "email", "abc@korea.kr"),
    ("홍길동@서울시.kr 로 회신", "email", "홍길동@서울시.kr"),  # Hangul local part and domain
    ("접수 minwon@서울시청.한국 주소", "email", "minwon@서울시청.한국"),
    ("김주무관@seoul.go.kr에게", "email", "김주무관@seoul.go.kr"),
    # 사업자등록번호 (checksum valid)
    ("사업자 220-81-62517 업체", "business_rn", "220-81-62517"),
    ("사업자등록번호 104-81-12340입니다", "business_rn", "104-81-12340"),
    ("1234506782로 등록", "business_rn", "1234506782"),
    ("사업자 220 81 62517", "business_rn", "220 81 62517"),
    ("사업자 123-45-67890 확인", "business_rn", "123-45-67890"),  # checksum fails, the context says 사업자
    ("사업자등록번호: 111-22-33333", "business_rn", "111-22-33333"),
    # 카드번호 (Luhn valid test numbers)
    ("카드 4111-1111-1111-1111 결제", "card", "4111-1111-1111-1111"),
    ("5555 5555 5555 4444 카드", "card", "5555 5555 5555 4444"),
    ("법인카드 4111111111111111로", "card", "4111111111111111"),
    ("아멕스 3782-822463-10005", "card", "3782-822463-10005"),
    ("JCB 3530-1113-3330-0000 결제", "card", "3530-1113-3330-0000"),
    ("６０１１－１１１１－１１１１－１１１７", "card", "６０１１－１１１１－１１１１－１１１７"),
    # 계좌번호 (with a context word)
    ("환급 계좌 110-123-456789로 입금", "account", "110-123-456789"),
    ("국민은행 123456-78-901234 예금주 홍길동", "account", "123456-78-901234"),
    ("통장 1002-123-456789", "account", "1002-123-456789"),
    ("농협 301-1234-5678-91로 이체", "account", "301-1234-5678-91"),
    ("입금 계좌 12345678901234", "account", "12345678901234"),
    ("카카오뱅크 3333-01-1234567로 송금", "account", "3333-01-1234567"),
    ("우체국 012345-02-123456 통장", "account", "012345-02-123456"),
]

NEGATIVES: list[str] = [
    "디지털정책과-1234호로 시행합니다.",
    "법률 제18748호 일부개정",
    "대통령령 제33004호",
    "예산 1,234,567,000원을 편성",
    "시행일 2025. 7. 16.부터",
    "2024-01-15 보고",
    "제10조의2 제3항",
    "사건번호 2023구합12345",
    "우편번호 04524",
    "다산콜센터 120",
    "대표번호 1588-1234",
    "대표번호 1577-7777로 문의",
    "참고 123-45-67890 (검증 실패, 사업자라는 말 없음)",
    "901301-1234567 (13월은 없음)",
    "900230-1234567 (2월 30일은 없음)",
    "991232-2123456 (32일은 없음)",
    "카드 4111-1111-1111-1112 (Luhn 실패)",
    "주문번호 1234-5678-9012-3456",
    "맥락 없는 일반 숫자 110-123-456789",
    "회계연도 2024 예산서 3-1-2",
    "면적 23,654㎡",
    "연면적 5,211㎡와 1,300㎡",
    "전화 02-120 (다산콜센터)",
    "문서번호 서울시-2024-000123",
    "ISBN 978-89-12345-67-8",
    "좌표 37.5665, 126.9780",
    "버전 1.2.3.4",
    "인원 1,000명",
    "2025년 1월 1일부터 12월 31일까지",
    "총 12345678901명",
    "IP 192.168.0.1",
    "오후 10:30~11:00",
    "표준코드 8801234567890",
    "품목번호 A12345678B",
    "M1234567 (자리 부족)",
    "모델명 SM-G991N",
    "고시 제2023-45호",
    "조례 제8765호",
    "훈령 제1234호",
    "지방세 감면 50%",
    "채점 기준 3.5점",
    "010 (지역 코드 아님)",
    "서울특별시 중구 세종대로 110",
    "세종대로 110번지 3층",
    "건축물대장 번호 11110-100123",
    "물품번호 2024-12-000456",
    "게시판 글번호 #12345",
    "등기번호 1101-2024-001234",
    "과제번호 RS-2024-00123456",
    "차량번호 12가 3456",
    "열차 KTX 101편",
    "지하철 2호선 시청역",
    "시각 2024.03.15 14:30",
    "사업번호 2024-001",
    "공고 제2023-745호",
    "문의처 seoul.go.kr 홈페이지",
    "이메일 주소는 @ 기호를 포함",
    "회의실@3층 예약",
    "표준코드 0200123 (짧음)",
    "점수 95-88-76",
    "주민등록표 등본 발급 절차",
    "여권 발급 수수료 53,000원",
    "운전면허 갱신 기간은 10년",
    "계좌 개설 절차 안내",
]


def _hits(text: str) -> list[tuple[str, str]]:
    return [(f.type, text[f.start : f.end]) for f in detect(text)]


@pytest.mark.parametrize(("text", "kind", "value"), POSITIVES)
def test_positive(text: str, kind: str, value: str) -> None:
    assert (kind, value) in _hits(text), _hits(text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative(text: str) -> None:
    assert _hits(text) == []


def test_table_size_and_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(POSITIVES) >= 60 and len(NEGATIVES) >= 60
    assert {k for _, k, _ in POSITIVES} == {"rrn", "foreigner_rn", "passport", "driver_license", "mobile", "phone",
                                          "email", "business_rn", "card", "account"}
    true_pos = sum((k, v) in _hits(t) for t, k, v in POSITIVES)
    false_pos = sum(len(_hits(t)) for t in NEGATIVES) + sum(
        len([h for h in _hits(t) if h != (k, v)]) for t, k, v in POSITIVES)
    precision = true_pos / max(true_pos + false_pos, 1)
    recall = true_pos / len(POSITIVES)
    with capsys.disabled():
        print(f"\nPII table: {len(POSITIVES)} positive, {len(NEGATIVES)} negative; "
              f"precision {precision:.3f}, recall {recall:.3f}")
    assert recall == 1.0 and precision == 1.0


def test_mask_keeps_the_text_around() -> None:
    text = "홍길동(900101-1234568, 010-1234-5678)에게 kim@seoul.go.kr로 회신"
    assert mask(text) == "홍길동([주민등록번호], [휴대전화번호])에게 [이메일]로 회신"


def test_checksum_is_reported_not_required() -> None:
    valid, post_2020 = detect("900101-1234568"), detect("960229-1555555")
    assert valid[0].checksum_valid is True and post_2020[0].checksum_valid is False


def test_cli_contract() -> None:
    result = subprocess.run([sys.executable, "-m", "seoulai.cli", "pii", "mask", "--json", "연락처 010-1234-5678"],
                            capture_output=True, text=True, timeout=60)
    payload = json.loads(result.stdout)
    assert payload == {"masked": "연락처 [휴대전화번호]", "findings": [{"type": "mobile", "start": 4, "end": 17}]}
    piped = subprocess.run([sys.executable, "-m", "seoulai.cli", "pii", "mask", "-"], input="메일 a@b.kr",
                           capture_output=True, text=True, timeout=60)
    assert piped.stdout.strip() == "메일 [이메일]"
