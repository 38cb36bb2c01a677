"""Accounts in bulk from an 인사 export (CSV or XLSX with the headers 사번, 이름, 부서, 직급, 이메일, 권한).

Every line is checked against the org chart and the roles before anything is applied; a file with any bad line
applies nothing. The plan compares each line with the account as stored, so re-running a file changes nothing.
New accounts get a random initial password shown once to the operator (never logged): the pilot can sign in the
same afternoon, and each person changes it through a reset when they want.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, replace

from seoulai.auth.roles import Role
from seoulai.errors import InputError

HEADERS = ("사번", "이름", "부서", "직급", "이메일", "권한")
REQUIRED = ("사번", "이름", "부서", "권한")
MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class BadLine:
    line: int  # the line of the file (the header is line 1)
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class ImportChange:
    line: int
    id: str
    name: str
    department: str
    role: str
    kind: str  # "added" | "changed" | "unchanged"
    fields: tuple[str, ...] = ()  # what a change changes: 이름, 부서, 권한, 직급, 이메일
    grade: str = ""
    email: str = ""

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "id": self.id, "name": self.name, "department": self.department,
                "role": self.role, "grade": self.grade, "email": self.email, "kind": self.kind,
                "fields": list(self.fields)}

    def stored(self) -> tuple[str, str, str, str, str]:
        """(name, department, role, grade, email): the account as this line leaves it."""
        return self.name, self.department, self.role, self.grade, self.email


@dataclass(frozen=True)
class ImportPlan:
    changes: tuple[ImportChange, ...]
    errors: tuple[BadLine, ...]

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)

    def summary(self) -> str:
        added, changed = self.count("added"), self.count("changed")
        if not added and not changed:
            return f"변경 없음 (그대로 {self.count('unchanged')}명)"
        return f"추가 {added}명, 변경 {changed}명, 그대로 {self.count('unchanged')}명"


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    applied: bool
    passwords: tuple[tuple[str, str], ...]  # (사번, initial password) of the accounts added: show once, never log
    sessions_ended: int = 0

    def to_json(self) -> dict[str, object]:
        plan = self.plan
        return {"applied": self.applied, "added": plan.count("added"), "changed": plan.count("changed"),
                "unchanged": plan.count("unchanged"), "summary": plan.summary(),
                "changes": [c.to_json() for c in plan.changes if c.kind != "unchanged"],
                "passwords": dict(self.passwords), "sessions_ended": self.sessions_ended}


def initial_password() -> str:
    """16 letters and digits (about 95 bits), with at least one of each so the password rules accept it."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        if not password.isalpha() and not password.isdigit():
            return password


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {header: value}) for every non-empty line after the header; refuses what is too large or has
    none of the headers, in Korean."""
    if len(data) > MAX_BYTES:
        raise InputError(f"파일이 너무 큽니다({len(data) // 1024:,}KB): {MAX_BYTES // 1024 // 1024}MB 이하로 나눠 "
                         "올리세요.", code="import_too_large")
    table = _xlsx(data) if filename.lower().endswith((".xlsx", ".xlsm")) else _csv(data)
    if len(table) > MAX_LINES + 1:
        raise InputError(f"줄이 너무 많습니다({len(table) - 1:,}줄): 한 번에 {MAX_LINES:,}줄까지 가져올 수 있으니 파일을 "
                         "나눠 올리세요.", code="import_too_large")
    header = [h.strip().lstrip("\ufeff") for h in (table[0] if table else [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise InputError(f"첫 줄(머리글)에 {', '.join(missing)} 열이 없습니다. 머리글은 {', '.join(HEADERS)}입니다.",
                         code="bad_import")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h in HEADERS}
        if any(values.values()):
            rows.append((number, values))
    return rows


def _csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp949"):  # Excel's "CSV UTF-8" (with a BOM) or Korean Excel's plain CSV
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    raise InputError("CSV 파일의 글자 인코딩을 읽을 수 없습니다. UTF-8 또는 CP949(엑셀의 CSV)로 저장하세요.",
                     code="bad_import")


def _xlsx(data: bytes) -> list[list[str]]:
    import openpyxl  # type: ignore[import-untyped]  # no stubs installed (see pyproject's mypy overrides)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError("XLSX 파일을 열 수 없습니다. 엑셀에서 다시 저장하거나 CSV로 저장해 올리세요.",
                         code="bad_import") from exc
    try:
        sheet = book.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v)
                          for v in row])
            if len(table) > MAX_LINES + 1:
                break
        return table
    finally:
        book.close()


_FIELDS = ("이름", "부서", "권한", "직급", "이메일")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}")
_MAX_GRADE = 40


def plan_import(rows: list[tuple[int, dict[str, str]]], department_of: Callable[[str], str | None],
                stored: dict[str, tuple[str, str, str, str, str]],
                outside: Callable[[str, str], str | None] = lambda department, role: None) -> ImportPlan:
    """What the lines would do to the accounts ``stored`` ({id: (name, department, role, grade, email)}): every bad
    line with its Korean reason. ``department_of`` gives a 부서 cell's chart path (None: not in the chart);
    ``outside`` says why the importing person may not give a (department, role) — a 부서 관리자 stays in their unit."""
    roles = {r.value for r in Role}
    # An 인사 export may say the role in Korean, as the screens do (직원, 부서 관리자, 관리자(이용 현황), 시스템 관리자).
    spoken = {**{r.label.replace(" ", ""): r.value for r in Role}, "관리자": Role.MANAGER.value}
    seen: dict[str, int] = {}
    changes: list[ImportChange] = []
    errors: list[BadLine] = []
    for number, values in rows:
        account_id, name = values.get("사번", ""), values.get("이름", "")
        written, cell = values.get("권한", ""), values.get("부서", "")
        role = spoken.get(written.replace(" ", ""), written.lower())
        reasons = []
        if not account_id:
            reasons.append("사번이 비어 있습니다")
        elif account_id in seen:
            reasons.append(f"사번 {account_id}이(가) {seen[account_id]}번째 줄과 겹칩니다")
        if not name:
            reasons.append("이름이 비어 있습니다")
        department = department_of(cell) if cell else None
        if department is None:
            reasons.append(f"조직도에 없는 부서입니다({cell or '빈 칸'}): `seoulai org list`의 경로나 부서 코드를 쓰세요")
        if role not in roles:
            reasons.append(f"권한은 {', '.join(r.label for r in Role)} 중 하나입니다(영문 {', '.join(sorted(roles))}도 됨; "
                           f"입력: {written or '빈 칸'})")
        grade, email = values.get("직급", ""), values.get("이메일", "")
        if len(grade) > _MAX_GRADE:
            reasons.append(f"직급이 너무 깁니다({len(grade)}자): {_MAX_GRADE}자 이하로 쓰세요")
        if email and not _EMAIL.fullmatch(email):
            reasons.append(f"이메일 형식이 아닙니다({email[:80]}): 이름@seoul.go.kr 처럼 쓰거나 비워 두세요")
        before = stored.get(account_id)
        if department is not None and role in roles:
            if why := outside(department, role):
                reasons.append(why)
            elif before is not None and (why := outside(before[1], before[2])):
                reasons.append(f"{why} (이 계정의 지금 부서·권한)")
        if reasons:
            errors.append(BadLine(number, "; ".join(reasons)))
        seen.setdefault(account_id, number)
        if reasons or department is None:
            continue
        line = ImportChange(number, account_id, name, department, role, "added", grade=grade, email=email)
        if before is None:
            changes.append(line)
            continue
        fields = tuple(label for label, old, new in zip(_FIELDS, before, line.stored(), strict=True) if old != new)
        changes.append(replace(line, kind="changed" if fields else "unchanged", fields=fields))
    return ImportPlan(tuple(changes), tuple(errors))


def errors_message(plan: ImportPlan) -> str:
    shown = "\n".join(f"  {e.line}번째 줄: {e.reason}" for e in plan.errors[:50])
    more = f"\n  … 외 {len(plan.errors) - 50}줄" if len(plan.errors) > 50 else ""
    return (f"잘못된 줄이 {len(plan.errors)}개 있어 아무것도 적용하지 않았습니다. 고친 뒤 다시 가져오세요.\n"
            f"{shown}{more}")
