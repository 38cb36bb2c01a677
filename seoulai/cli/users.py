"""`seoulai users import|transfer|role`: accounts in bulk from an 인사 export, a move to another unit, a new role.

The initial passwords of new accounts go to the operator's terminal (or the ``--json`` field) only, never to a
log: hand each person theirs, and they sign in the same afternoon.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seoulai.cli.commands import _print_json, _services
from seoulai.errors import InputError
from seoulai.services.account_import import MAX_BYTES

_KINDS = {"added": "추가", "changed": "변경", "unchanged": "그대로"}


def cmd_users_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"파일이 너무 큽니다: {MAX_BYTES // 1024 // 1024}MB 이하로 나눠 가져오세요.",
                             code="import_too_large")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"파일을 읽을 수 없습니다: {path}. 경로를 확인하세요.", code="not_found") from exc
    result = _services(args).accounts.import_users(data, path.name, dry_run=args.dry_run)
    if args.json:
        _print_json(result.to_json())
        return 0
    plan = result.plan
    for change in plan.changes:
        if change.kind != "unchanged":
            fields = f"({'/'.join(change.fields)})" if change.fields else ""
            sys.stdout.write(f"{change.line}번째 줄\t{_KINDS[change.kind]}{fields}\t{change.id}\t{change.name}\t"
                             f"{change.department}\t{change.role}\n")
    head = "미리 보기(적용하지 않음): " if args.dry_run else ""
    sys.stdout.write(f"{head}{plan.summary()}\n")
    if result.passwords:
        sys.stdout.write("새 계정의 처음 비밀번호입니다(다시 보여 주지 않습니다; 본인에게만 전하세요):\n")
        for account_id, password in result.passwords:
            sys.stdout.write(f"{account_id}\t{password}\n")
    return 0


def cmd_users_transfer(args: argparse.Namespace) -> int:
    accounts = _services(args).accounts
    change = accounts.transfer_user(args.id, args.department, successor=args.successor,
                                    without_successor=args.no_successor)
    target = accounts.known_department(args.department)
    sys.stdout.write(f"부서를 옮겼습니다: {args.id} → {target} (열려 있던 로그인 {change.sessions_ended}개를 끝냈습니다)\n"
                     if change.changed else f"이미 그 부서입니다: {args.id} ({target})\n")
    if change.note:
        sys.stdout.write(f"{change.note}\n")
    return 0


def cmd_users_role(args: argparse.Namespace) -> int:
    change = _services(args).accounts.change_role(args.id, args.role)
    sys.stdout.write(f"권한을 바꿨습니다: {args.id} → {args.role} (열려 있던 로그인 {change.sessions_ended}개를 끝냈습니다)\n"
                     if change.changed else f"이미 그 권한입니다: {args.id} ({args.role})\n")
    return 0


def add_parsers(users_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse keeps _SubParsersAction generic and private
    imported = users_sub.add_parser("import", help="인사 자료(CSV·XLSX)에서 계정 일괄 추가·변경")
    imported.add_argument("file", help="머리글이 사번, 이름, 부서, 직급, 이메일, 권한인 CSV(UTF-8·CP949) 또는 XLSX")
    imported.add_argument("--dry-run", action="store_true", help="무엇이 바뀔지 보여 주기만 하고 적용하지 않음")
    imported.add_argument("--json", action="store_true", help="JSON으로 출력 (새 계정의 처음 비밀번호 포함)")
    imported.set_defaults(handler=cmd_users_import)
    transfer = users_sub.add_parser("transfer", help="부서 이동 (열려 있는 로그인을 끝내 새 부서 권한이 바로 적용)")
    transfer.add_argument("id", help="아이디(사번)")
    transfer.add_argument("--department", required=True, help="조직도의 부서 경로 (seoulai org list)")
    transfer.add_argument("--successor", metavar="ID",
                          help="부서 관리자가 옮길 때 그 과의 문서함을 이어받을 같은 과의 사람 (부서 관리자가 됨)")
    transfer.add_argument("--no-successor", action="store_true",
                          help="이어받을 사람 없이 옮김 (그 과의 문서함은 시스템 관리자가 맡음)")
    transfer.add_argument("--json", action="store_true", help="오류를 JSON으로 출력")
    transfer.set_defaults(handler=cmd_users_transfer)
    role = users_sub.add_parser("role", help="권한 변경 (staff | dept_admin | manager | admin)")
    role.add_argument("id", help="아이디(사번)")
    role.add_argument("role", help="staff | dept_admin | manager | admin")
    role.add_argument("--json", action="store_true", help="오류를 JSON으로 출력")
    role.set_defaults(handler=cmd_users_role)
