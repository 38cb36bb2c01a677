"""The ``seoulai`` command. Each subcommand is a thin shell over a service, like the pages.

Exit codes: 0 success, 1 the check found a problem (doctor), 2 bad input (with ``--json``:
``{"error": {"code", "message"}}``, the message in Korean).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from seoulai.cli.review import add_parsers as add_review_parsers
from seoulai.cli.rollout import add_parsers as add_rollout_parsers
from seoulai.cli.users import add_parsers as add_user_parsers
from seoulai.cli.commands import (Handler, _fail, _KoreanParser, cmd_ask, cmd_demo_library, cmd_doctor, cmd_draft,
                                  cmd_department, cmd_extract, cmd_ingest, cmd_org, cmd_pii_mask, cmd_search,
                                  cmd_usage_demo, cmd_usage_summary, cmd_users)
from seoulai.config import Settings, load_settings
from seoulai.errors import SeoulAIError


def build_parser() -> argparse.ArgumentParser:
    parser = _KoreanParser(prog="seoulai", description="서울시 행정 AI 도우미 명령줄 도구")
    parser.add_argument("-v", "--verbose", action="store_true", help="자세한 로그 출력")
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="모델 서버와 설정 점검")
    doctor.add_argument("--json", action="store_true", help="JSON으로 출력")
    doctor.set_defaults(handler=cmd_doctor)

    extract = sub.add_parser("extract", help="문서에서 본문 추출 (HWP, HWPX, PDF, DOCX, XLSX, CSV, PPTX, TXT, MD)")
    extract.add_argument("file", help="문서 파일 경로")
    extract.add_argument("--json", action="store_true", help="JSON으로 출력")
    extract.add_argument("--chunks", action="store_true", help="블록 대신 검색 단위(청크)로 출력")
    extract.set_defaults(handler=cmd_extract)

    ingest = sub.add_parser("ingest", help="문서(파일·폴더)를 컬렉션에 색인")
    ingest.add_argument("paths", nargs="+", help="파일 또는 폴더 (폴더는 하위 문서 전체)")
    ingest.add_argument("--collection", required=True, help="컬렉션 이름 (예: 공통, dept:디지털정책과)")
    ingest.add_argument("--department", help="문서를 관리하는 부서")
    ingest.add_argument("--json", action="store_true", help="JSON으로 출력")
    ingest.set_defaults(handler=cmd_ingest)

    search = sub.add_parser("search", help="컬렉션에서 근거 문단 검색")
    search.add_argument("query", nargs="?", help="검색어 또는 질문")
    search.add_argument("--collection", required=True, action="append",
                        help="검색할 컬렉션 (여러 번 또는 쉼표로 여러 개)")
    search.add_argument("-k", type=int, default=5, help="결과 수 (기본 5)")
    search.add_argument("--json", action="store_true", help="JSON으로 출력")
    search.add_argument("--all", action="store_true", help="관련성 기준 아래의 결과도 보기")
    search.add_argument("--batch", help='{"id","question"} JSONL 파일 (- 는 표준 입력); 줄마다 {"id","hits"} 출력')
    search.set_defaults(handler=cmd_search)

    ask = sub.add_parser("ask", help="근거를 인용한 답변 생성")
    ask.add_argument("question", help="질문")
    ask.add_argument("--collection", required=True, action="append", help="검색할 컬렉션")
    ask.add_argument("--json", action="store_true", help="JSON으로 출력 (답변과 인용)")
    ask.set_defaults(handler=cmd_ask)

    department = sub.add_parser("department", help="담당 부서 찾기 (이 일은 어느 과에서 하나요?)")
    department.add_argument("question", help='질문 (예: "서울광장 사용은 어느 과에 문의하나요?")')
    department.add_argument("-k", type=int, default=5, help="결과 수 (기본 5)")
    department.add_argument("--json", action="store_true", help='{"departments": [{"name","parent","duty",...}]}')
    department.set_defaults(handler=cmd_department)

    demo = sub.add_parser("demo-library", help="기본 문서함(서울시 자치법규 71건과 주요 법령)을 공통 문서함에 색인")
    demo.add_argument("--folder", default=None, help="매뉴얼 폴더 (기본: 설치된 제품의 demo/manuals)")
    demo.set_defaults(handler=cmd_demo_library)

    usage = sub.add_parser("usage", help="이용 현황 (데모 데이터, 요약, 시범 운영 결과)")
    usage_sub = usage.add_subparsers(dest="usage_command", required=True)
    usage_demo = usage_sub.add_parser("demo-data", help="시범 운영처럼 보이는 데모 이용 기록 생성")
    usage_demo.add_argument("--events", type=int, default=20000, help="이벤트 수 (기본 20,000)")
    usage_demo.add_argument("--days", type=int, default=60, help="기간(일), 기본 60")
    usage_demo.set_defaults(handler=cmd_usage_demo)
    usage_summary = usage_sub.add_parser("summary", help="핵심 지표(KPI)")
    usage_summary.add_argument("--department", help="조직 경로 (기본: 전체)")
    usage_summary.add_argument("--json", action="store_true", help="JSON으로 출력")
    usage_summary.set_defaults(handler=cmd_usage_summary)
    add_review_parsers(usage_sub)

    pii = sub.add_parser("pii", help="개인정보 찾기·가리기")
    pii_sub = pii.add_subparsers(dest="pii_command", required=True)
    pii_mask = pii_sub.add_parser("mask", help="문장 속 개인정보를 가림 (- 는 표준 입력)")
    pii_mask.add_argument("text", help="검사할 글 또는 - (표준 입력)")
    pii_mask.add_argument("--json", action="store_true", help='{"masked", "findings": [{"type","start","end"}]}')
    pii_mask.set_defaults(handler=cmd_pii_mask)

    draft = sub.add_parser("draft", help="보도자료·보고서·공문 초안 생성과 내보내기")
    draft.add_argument("template", help="서식 (press_release, report, official_letter 또는 보도자료, 보고서, 공문)")
    draft.add_argument("--field", action="append", default=[], help="이름=값 (여러 번)")
    draft.add_argument("--collection", action="append", help="근거로 쓸 컬렉션 (선택)")
    draft.add_argument("--export", required=True, help="저장할 파일 (.docx 또는 .hwpx)")
    draft.add_argument("--json", action="store_true", help="JSON으로 출력")
    draft.set_defaults(handler=cmd_draft)

    org = sub.add_parser("org", help="조직도 (행정기구 설치 조례 시행규칙의 실·국·과와 분장 사무)")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    org_list = org_sub.add_parser("list", help="부서 목록 (경로, 이름, 상위 부서, 분장 사무)")
    org_list.add_argument("--json", action="store_true", help='{"units": [{"path","name","parent",...}]}')
    org_list.set_defaults(handler=cmd_org)

    users = sub.add_parser("users", help="로컬 계정 관리 (SSO가 없는 시범 운영용)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="계정 추가 (비밀번호는 입력받음, 기본 비밀번호 없음)")
    add.add_argument("id", help="아이디")
    add.add_argument("--name", required=True, help="이름")
    add.add_argument("--department", required=True,
                     help="조직도의 부서 경로 (예: 서울특별시/행정국/총무과, 목록은 seoulai org list)")
    add.add_argument("--role", default="staff", help="staff | dept_admin | manager | admin")
    add.add_argument("--password-stdin", action="store_true", help="비밀번호를 표준 입력 첫 줄에서 읽음")
    add.set_defaults(handler=cmd_users)
    reset = users_sub.add_parser("reset-password", help="비밀번호 재설정")
    reset.add_argument("id", help="아이디")
    reset.add_argument("--password-stdin", action="store_true", help="비밀번호를 표준 입력 첫 줄에서 읽음")
    reset.set_defaults(handler=cmd_users)
    for name, help_text in (("disable", "계정 사용 중지 (열려 있는 로그인을 모든 서버에서 바로 끝냄)"),
                            ("enable", "사용 중지한 계정을 다시 사용")):
        toggle = users_sub.add_parser(name, help=help_text)
        toggle.add_argument("id", help="아이디")
        toggle.set_defaults(handler=cmd_users)
    listing = users_sub.add_parser("list", help="계정 목록 (사용 중지 여부 포함)")
    listing.add_argument("--json", action="store_true", help="JSON으로 출력")
    listing.set_defaults(handler=cmd_users)
    add_user_parsers(users_sub)
    add_rollout_parsers(sub)
    return parser


def _configure_logging(verbose: bool, settings: Settings) -> None:
    """Details go to <data dir>/logs/seoulai-cli.log; the terminal gets the Korean summary (all with -v)."""
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    if verbose:
        logging.basicConfig(level=logging.INFO, format=fmt)
        return
    try:
        folder = Path(settings.data_dir) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(level=logging.WARNING, format=fmt, filename=folder / "seoulai-cli.log")
    except (OSError, ValueError):
        logging.basicConfig(level=logging.CRITICAL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        args.settings = load_settings()  # a misspelled name or a bad value is bad input too (exit 2)
        _configure_logging(args.verbose, args.settings)
        return handler(args)
    except SeoulAIError as error:
        return _fail(error, getattr(args, "json", False))


if __name__ == "__main__":
    sys.exit(main())
