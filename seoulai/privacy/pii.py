"""Korean personal-data detection and masking, written by hand because no maintained library knows the
Korean identifiers and their check rules (주민등록번호 checksum, 사업자등록번호 checksum, 면허번호 layout).

Rules validate where a rule exists: 주민등록번호/외국인등록번호 need a real birth date (the checksum is
reported but not required: numbers issued since October 2020 have none), 사업자등록번호 its checksum (or,
written with separators, the word 사업자 just before it), card numbers Luhn, bank accounts a context word
nearby. Digits may be full-width, separated by hyphens, spaces or nothing (landlines too: 0221331234), and
followed directly by a particle ("…5678로"); e-mail addresses may be Hangul on either side of the @; passport
numbers may be written in lower case.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

LABELS = {
    "rrn": "주민등록번호", "foreigner_rn": "외국인등록번호", "passport": "여권번호", "driver_license": "운전면허번호",
    "mobile": "휴대전화번호", "phone": "전화번호", "email": "이메일", "business_rn": "사업자등록번호",
    "card": "카드번호", "account": "계좌번호",
}
# Full-width digits, hyphens and spaces map one-to-one onto ASCII, so offsets stay those of the original.
_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "－": "-", "‐": "-", "‑": "-", "–": "-",
                        "—": "-", "　": " ", "．": ".", "＠": "@", "（": "(", "）": ")", "＋": "+"})
_SEP = r"[-\s.]?"
_ND = r"(?<!\d)"  # no digit before
_NA = r"(?!\d)"  # no digit after (a particle or word may follow)

_RRN = re.compile(_ND + r"(\d{2})(\d{2})(\d{2})\s?-?\s?([1-8])(\d{6})" + _NA)
_MOBILE = re.compile(_ND + r"(?:\+82[-\s]?(?:\(0\))?1[016789]|01[016789])" + _SEP + r"\d{3,4}" + _SEP + r"\d{4}" + _NA)
_PHONE = re.compile(_ND + r"(?:\+82[-\s]?(?:\(0\))?(?:2|[3-6][1-5]|70)|0(?:2|[3-6][1-5]|70))[-)\s.]\s?\d{3,4}"
                    + _SEP + r"\d{4}" + _NA)
# The same numbers written as one run of digits: area code (02, 0NN, 070) then a 7- or 8-digit number.
_PHONE_RUN = re.compile(_ND + r"0(?:2|[3-6][1-5]|70)\d{7,8}" + _NA)
# Local part and domain may be Hangul (홍길동@서울시.kr, minwon@서울시청.한국): internationalised addresses.
# The local part starts where its run of characters starts (the look-behind): tried from inside a long run, it was
# quadratic (4 s on 50,000 letters without an @).
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[A-Za-z0-9가-힣-]+\.)+(?:[A-Za-z]{2,}|[가-힣]{2,})")
_BRN = re.compile(_ND + r"(\d{3})" + _SEP + r"(\d{2})" + _SEP + r"(\d{5})" + _NA)
# 4-4-4-4 (most cards), 4-6-5 / 4-6-4 (Amex, Diners) with one separator style, or 13-19 digits run together.
_CARD = re.compile(_ND + r"(?:\d{4}(?P<c>[-\s])\d{4}(?P=c)\d{4}(?P=c)\d{4}|\d{4}(?P<d>[-\s])\d{6}(?P=d)\d{4,5}"
                   r"|\d{13,19})" + _NA)
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])[MSRODmsrod](?:\d{8}|\d{3}[A-Za-z]\d{4})(?![A-Za-z0-9])")
# One separator style throughout ("11-12-345678-90", "111234567890"), after a region code or name.
_LICENSE = re.compile(r"(?:(?<![\d-])(?:1[1-9]|2[0-8])(?P<s>[-\s]?)\d{2}(?P=s)"
                      r"|(?:서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산)[-\s]?\d{2}(?P<t>[-\s]?))"
                      r"\d{6}(?:(?P=s)|(?P=t))\d{2}" + _NA)
_ACCOUNT = re.compile(_ND + r"\d{2,7}(?:[-\s]\d{2,7}){1,3}" + _NA + r"|" + _ND + r"\d{10,14}" + _NA)
_BRN_CONTEXT = re.compile(r"사업자")
_ACCOUNT_CONTEXT = re.compile(r"계좌|통장|입금|송금|이체|예금주|농협|국민은행|신한|우리은행|하나은행|기업은행|카카오뱅크|"
                              r"토스뱅크|새마을금고|우체국|수협|은행")


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    checksum_valid: bool | None = None

    def to_json(self) -> dict[str, object]:
        return {"type": self.type, "start": self.start, "end": self.end}


def _valid_birth(yy: str, mm: str, dd: str, gender: str) -> bool:
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}[gender]
    try:
        born = date(century + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return born <= date.today()


def _rrn_checksum(digits: str) -> bool:
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = sum(int(d) * w for d, w in zip(digits[:12], weights))
    return (11 - total % 11) % 10 == int(digits[12])


def _brn_checksum(digits: str) -> bool:
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(int(d) * w for d, w in zip(digits[:9], weights)) + int(digits[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(digits[9])


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def detect(text: str) -> list[Finding]:
    """Every personal identifier in the text, non-overlapping, in order."""
    norm = text.translate(_WIDTH)
    found: list[Finding] = []

    def add(kind: str, start: int, end: int, checksum: bool | None = None) -> None:
        if not any(f.start < end and start < f.end for f in found):
            found.append(Finding(kind, start, end, checksum))

    for m in _EMAIL.finditer(norm):
        add("email", m.start(), m.end())
    for m in _RRN.finditer(norm):
        yy, mm, dd, gender, rest = m.groups()
        if _valid_birth(yy, mm, dd, gender):
            digits = yy + mm + dd + gender + rest
            add("rrn" if gender in "1234" else "foreigner_rn", m.start(), m.end(), _rrn_checksum(digits))
    for m in _MOBILE.finditer(norm):
        add("mobile", m.start(), m.end())
    for m in _PHONE.finditer(norm):
        add("phone", m.start(), m.end())
    for m in _PHONE_RUN.finditer(norm):
        add("phone", m.start(), m.end())
    for m in _LICENSE.finditer(norm):
        add("driver_license", m.start(), m.end())
    for m in _PASSPORT.finditer(norm):
        add("passport", m.start(), m.end())
    for m in _CARD.finditer(norm):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            add("card", m.start(), m.end(), True)
    for m in _BRN.finditer(norm):
        digits = "".join(m.groups())
        if _brn_checksum(digits):
            add("business_rn", m.start(), m.end(), True)
        elif len(m.group(0)) > 10 and _BRN_CONTEXT.search(norm[max(0, m.start() - 15) : m.start()]):
            add("business_rn", m.start(), m.end(), False)  # a probable number: written as one, called one
    for m in _ACCOUNT.finditer(norm):
        digits = re.sub(r"\D", "", m.group(0))
        window = norm[max(0, m.start() - 20) : m.start()]
        if 10 <= len(digits) <= 14 and _ACCOUNT_CONTEXT.search(window):
            add("account", m.start(), m.end())
    return sorted(found, key=lambda f: f.start)


def mask(text: str, findings: list[Finding] | None = None) -> str:
    findings = detect(text) if findings is None else findings
    out, last = [], 0
    for f in findings:
        out.append(text[last : f.start])
        out.append(f"[{LABELS[f.type]}]")
        last = f.end
    out.append(text[last:])
    return "".join(out)


def summary(findings: list[Finding]) -> str:
    """'휴대전화번호 1건, 주민등록번호 2건' for the notice shown to the person."""
    counts = Counter(LABELS[f.type] for f in findings)
    return ", ".join(f"{label} {n}건" for label, n in counts.items())


_FACTORY_INSTALLED = False


def mask_log_records() -> None:
    """Mask personal data in every log record of the product's own loggers (file names, questions in error
    messages), whichever handler writes them. Installed once per process by the composition root."""
    global _FACTORY_INSTALLED
    if _FACTORY_INSTALLED:
        return
    import logging

    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name.startswith("seoulai"):
            try:
                record.msg, record.args = mask(record.getMessage()), ()
            except (TypeError, ValueError):  # a malformed format string: leave it to logging's own error path
                pass
        return record

    logging.setLogRecordFactory(factory)
    _FACTORY_INSTALLED = True
