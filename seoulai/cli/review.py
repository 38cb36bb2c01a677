"""`seoulai usage review`: the pilot review (시범 운영 결과) of a period and part of the city, as the XLSX and the
one-page HWPX/DOCX report the 이용 현황 page offers, written to a folder. The command line acts as the operator
(the whole city)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from seoulai.cli.commands import _print_json, _services
from seoulai.errors import InputError
from seoulai.services.rollout import parse_date, seoul_date


def cmd_usage_review(args: argparse.Namespace) -> int:
    services = _services(args)
    operator = services.accounts.operator()
    department = services.accounts.known_department(args.department) if args.department else None
    filters = services.usage.default_filters(department)
    if args.start:
        filters = replace(filters, start=parse_date(args.start, "시작일"))
    if args.end:
        filters = replace(filters, end=parse_date(args.end, "종료일"))
    if filters.start > filters.end:
        raise InputError("시작일이 종료일보다 늦습니다. --from과 --to를 확인하세요.", code="bad_date")
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"폴더를 만들 수 없습니다: {folder}. 쓸 수 있는 경로를 --out으로 지정하세요.",
                         code="bad_output") from exc
    review = services.review.review(operator, filters)
    files = services.review.export(operator, filters)
    stem = f"시범운영결과_{filters.start:%Y%m%d}_{filters.end:%Y%m%d}"
    written = []
    for suffix, data in (("xlsx", files.xlsx), ("hwpx", files.hwpx), ("docx", files.docx)):
        path = folder / f"{stem}.{suffix}"
        path.write_bytes(data)
        written.append(str(path))
    h = review.headline
    if args.json:
        _print_json({"department": filters.department, "from": str(filters.start), "to": str(filters.end),
                     "active": h.active, "imported": h.imported, "repeat_rate": h.repeat_rate,
                     "satisfaction": h.satisfaction, "hours_saved": h.hours_saved, "surveys": h.surveys,
                     "gaps": [{"rule": label, "questions": n} for label, n in review.gaps], "files": written})
        return 0
    sys.stdout.write(f"시범 운영 결과 ({filters.department}, {seoul_date(filters.start)} ~ {seoul_date(filters.end)})\n"
                     f"이용자 {h.active:,}명 / 대상자 {h.imported:,}명\n")
    for path in written:
        sys.stdout.write(f"{path}\n")
    return 0


def add_parsers(usage_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse keeps _SubParsersAction generic and private
    review = usage_sub.add_parser("review", help="시범 운영 결과 (XLSX와 한 쪽 보고서 HWPX·DOCX)")
    review.add_argument("--department", help="조직 경로 (기본: 서울특별시 전체)")
    review.add_argument("--from", dest="start", help="시작일 (기본: 최근 30일)")
    review.add_argument("--to", dest="end", help="종료일 (기본: 오늘)")
    review.add_argument("--out", default=".", help="파일을 쓸 폴더 (기본: 현재 폴더)")
    review.add_argument("--json", action="store_true", help="JSON으로 출력 (주요 수치와 파일 경로)")
    review.set_defaults(handler=cmd_usage_review)
