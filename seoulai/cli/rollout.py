"""`seoulai rollout open|close|list` (units opened on a date) and `seoulai announce set|list|remove` (the banner).

The command line acts as the operator (a system administrator). An app server sees a change within a few seconds
(its short cache of waves and announcements, see :mod:`seoulai.services.rollout`).
"""

from __future__ import annotations

import argparse
import sys

from seoulai.cli.commands import _print_json, _services
from seoulai.services.rollout import seoul_date


def cmd_rollout(args: argparse.Namespace) -> int:
    rollout = _services(args).rollout
    if args.rollout_command == "open":
        wave = rollout.open_unit(args.path, args.on)
        state = "오늘부터 쓸 수 있습니다" if wave.open else "그날까지는 준비 중 안내가 보입니다"
        sys.stdout.write(f"개통일을 정했습니다: {wave.unit} → {seoul_date(wave.opens_on)} ({state})\n")
    elif args.rollout_command == "close":
        path = rollout.unit_path(args.path)
        if rollout.close_unit(path):
            sys.stdout.write(f"개통 일정을 삭제했습니다: {path} (위 실·국의 일정이 적용되고, 없으면 준비 중입니다)\n")
        else:
            sys.stdout.write(f"개통 일정이 없는 부서입니다: {path} (바뀐 것 없음)\n")
    else:
        waves = rollout.waves()
        if args.json:
            _print_json({"waves": [w.to_json() for w in waves]})
        elif not waves:
            sys.stdout.write("개통 일정이 없습니다: 모든 부서가 쓸 수 있습니다.\n")
        for wave in [] if args.json else waves:
            sys.stdout.write(f"{wave.unit}\t{seoul_date(wave.opens_on)}\t{'개통됨' if wave.open else '준비 중'}\n")
    return 0


def cmd_announce(args: argparse.Namespace) -> int:
    rollout = _services(args).rollout
    if args.announce_command == "set":
        notice = rollout.announce(args.kind, args.text, args.starts, args.until)
        if args.json:
            _print_json(notice.to_json())
        else:
            sys.stdout.write(f"공지를 등록했습니다: {notice.id} ({notice.kind_label}, "
                             f"{'오늘 표시됩니다' if notice.active else '오늘은 표시되지 않습니다'})\n")
    elif args.announce_command == "remove":
        rollout.remove(args.id)
        sys.stdout.write(f"공지를 삭제했습니다: {args.id}\n")
    else:
        notices = rollout.announcements(active_only=False)
        if args.json:
            _print_json({"announcements": [a.to_json() for a in notices]})
            return 0
        if not notices:
            sys.stdout.write("등록된 공지가 없습니다.\n")
        for a in notices:
            span = f"{seoul_date(a.starts_on) if a.starts_on else ''}~{seoul_date(a.ends_on) if a.ends_on else ''}"
            sys.stdout.write(f"{a.id}\t{a.kind_label}\t{'표시 중' if a.active else '표시 안 함'}\t{span}\t{a.body}\n")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse keeps _SubParsersAction generic and private
    rollout = sub.add_parser("rollout", help="단계별 개통 (실·국·과별 개통일)")
    rollout_sub = rollout.add_subparsers(dest="rollout_command", required=True)
    opened = rollout_sub.add_parser("open", help="부서의 개통일 지정 (오늘이나 지난 날짜면 바로 열림)")
    opened.add_argument("path", help="조직도의 부서 경로, 부서 코드 또는 과 이름 (seoulai org list)")
    opened.add_argument("--on", required=True, help="개통일 (예: 2026-12-14)")
    closed = rollout_sub.add_parser("close", help="부서의 개통 일정 삭제 (위 실·국의 일정이 적용됨)")
    closed.add_argument("path", help="조직도의 부서 경로")
    listing = rollout_sub.add_parser("list", help="개통 일정 목록 (오늘 개통 여부 포함)")
    listing.add_argument("--json", action="store_true", help='{"waves": [{"unit","label","opens_on","open"}]}')
    for parser in (opened, closed):
        parser.add_argument("--json", action="store_true", help="오류를 JSON으로 출력")
    rollout.set_defaults(handler=cmd_rollout)

    announce = sub.add_parser("announce", help="공지 배너 (점검 안내, 새 기능, 안내)")
    announce_sub = announce.add_subparsers(dest="announce_command", required=True)
    added = announce_sub.add_parser("set", help="공지 등록 (로그인한 모든 사람의 화면 맨 위에 표시)")
    added.add_argument("text", help="공지 내용 (500자 이하, 그대로 표시됨)")
    added.add_argument("--kind", required=True, help="점검 | 새기능 | 안내")
    added.add_argument("--from", dest="starts", help="시작일 (예: 2026-12-14, 비우면 바로)")
    added.add_argument("--until", help="종료일 (이날까지 표시, 비우면 삭제할 때까지)")
    added.add_argument("--json", action="store_true", help="JSON으로 출력")
    listing = announce_sub.add_parser("list", help="공지 목록")
    listing.add_argument("--json", action="store_true", help='{"announcements": [{"id","kind","body",...}]}')
    removed = announce_sub.add_parser("remove", help="공지 삭제")
    removed.add_argument("id", help="공지 번호 (seoulai announce list)")
    removed.add_argument("--json", action="store_true", help="오류를 JSON으로 출력")
    announce.set_defaults(handler=cmd_announce)
