"""The subcommands of ``seoulai``: each a thin shell over a service, like the pages (see the package docstring)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seoulai.errors import InputError, SeoulAIError

if TYPE_CHECKING:
    from seoulai.config import Settings
    from seoulai.services import Services
    from seoulai.services.tools import Tools

Handler = Callable[[argparse.Namespace], int]
CHECKOUT = Path(__file__).resolve().parents[2]


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(error: SeoulAIError, as_json: bool) -> int:
    if as_json:
        _print_json(error.to_json())
    else:
        sys.stderr.write(f"오류: {error.message}\n")
    return 2


def _tools(args: argparse.Namespace) -> "Tools":
    from seoulai.services.tools import Tools

    return Tools(args.settings)


def cmd_doctor(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    report = _tools(args).health()
    if args.json:
        payload = report.to_json()
        payload["settings"] = {
            "data_dir": str(settings.data_dir), "index_dir": str(settings.index_dir),
            "ollama_url": settings.ollama_url, "llm_backend": settings.llm.backend,
            "embed_backend": settings.embed.backend,
        }
        _print_json(payload)
    else:
        lines = ["서울시 행정 AI 도우미 — 점검 결과", ""]
        for status, label in ((report.llm, "언어 모델"), (report.embed, "임베딩 모델")):
            mark = "정상" if status.ok else ("사용 안 함" if status.state == "disabled" else "문제")
            lines.append(f"[{mark}] {label} ({status.backend}): {status.message}")
            if status.fix and not status.ok:
                lines.append(f"       조치: {status.fix}")
        lines += ["", report.summary()]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0 if report.ok else 1


class _KoreanParser(argparse.ArgumentParser):
    """argparse with its usage errors explained in Korean (exit code 2, as for any bad input)."""

    def error(self, message: str) -> None:  # type: ignore[override]  # exits too
        self.print_usage(sys.stderr)
        sys.stderr.write(f"오류: 명령을 잘못 입력했습니다 ({message}). `{self.prog} --help`로 사용법을 확인하세요.\n")
        raise SystemExit(2)


def cmd_extract(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.chunks:
        document, chunks = _tools(args).chunks(path)
        if args.json:
            _print_json({"source": path.name, "title": document.title, "chunks": [c.to_json() for c in chunks]})
        else:
            for chunk in chunks:
                page = f"p.{chunk.page}" if chunk.page else "-"
                sys.stdout.write(f"## [{page}] {chunk.section}\n{chunk.text}\n\n")
        return 0
    document = _tools(args).extract(path)
    if args.json:
        _print_json(document.to_json())
        return 0
    sys.stdout.write(f"# {document.title} ({document.format}, {document.pages or '-'}쪽, "
                     f"{document.char_count:,}자)\n\n")
    for block in document.blocks:
        page = f"p.{block.page}" if block.page else "-"
        label = {"heading": "제목", "table": "표", "note": "주석"}.get(block.kind, "")
        sys.stdout.write(f"[{page}{' ' + label if label else ''}] {block.text}\n")
    return 0


def _services(args: argparse.Namespace) -> "Services":
    from seoulai.services import build_services

    return build_services(args.settings)


def _collections(values: list[str]) -> list[str]:
    return [c for value in values for c in value.split(",") if c]


def cmd_ingest(args: argparse.Namespace) -> int:

    from tqdm import tqdm

    services = _services(args)
    bar = tqdm(total=100, desc="색인", unit="%", file=sys.stderr, disable=args.json or not sys.stderr.isatty())

    def progress(label: str, fraction: float) -> None:
        bar.set_description(label)
        bar.n = int(fraction * 100)
        bar.refresh()

    report = services.library.ingest_paths([Path(p) for p in args.paths], args.collection,
                                           department=args.department, progress=progress)
    bar.close()
    if args.json:
        _print_json(report.to_json())
    else:
        c = report.changes
        sys.stdout.write(f"컬렉션 '{report.collection}': 추가 {len(c.added)}건, 교체 {len(c.replaced)}건, "
                         f"변경 없음 {len(c.unchanged)}건, 실패 {len(report.failed)}건\n")
        for source, error in report.failed.items():
            sys.stdout.write(f"  실패: {source} — {error.message}\n")
        if report.vector_error:
            sys.stdout.write(f"  의미 검색 색인 보류: {report.vector_error}\n")
        sys.stdout.write(_index_note(args.settings))
    return 0 if not report.failed else 2


def _index_note(settings: "Settings") -> str:
    """Where the index went, said when the setting is a relative path: it follows the folder the command runs in,
    so a command run elsewhere than the app fills an index the app never reads (README, 운영 배포)."""
    folder = Path(settings.index_dir)
    if folder.is_absolute():
        return ""
    return (f"  색인 폴더: {folder.resolve()} (SEOULAI_INDEX_DIR가 상대 경로라 지금 폴더 기준입니다. 앱과 같은 색인에 "
            "넣으려면 앱과 같은 절대 경로를 주세요)\n")


def cmd_search(args: argparse.Namespace) -> int:
    services = _services(args)
    collections = _collections(args.collection)
    floor = not args.all
    if args.batch:
        return _search_batch(services, collections, args.batch, args.k, floor)
    if not args.query:
        raise InputError("검색어를 입력하거나 --batch 파일을 지정하세요.", code="empty_query")
    hits = services.manuals.search_collections(collections, args.query, args.k, floor=floor)
    if args.json:
        _print_json({"query": args.query, "hits": [h.to_json() for h in hits]})
        return 0
    if not hits:
        sys.stdout.write("관련 있는 근거를 찾지 못했습니다. 다른 낱말로 검색하거나, 기준 아래의 결과까지 보려면 --all을 붙이세요.\n")
    for rank, hit in enumerate(hits, start=1):
        page = f", {hit.page}쪽" if hit.page else ""
        sys.stdout.write(f"[{rank}] {hit.title} — {hit.section}{page} ({hit.source}, 점수 {hit.score:.2f})\n")
        sys.stdout.write("    " + hit.text[:300].replace("\n", " ") + "\n")
    return 0


def _search_batch(services: "Services", collections: list[str], batch: str, k: int, floor: bool) -> int:
    """One output line per question line; a line that cannot be searched gets its error and the batch goes on."""
    try:
        handle = sys.stdin if batch == "-" else open(batch, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"질문 파일을 열 수 없습니다: {batch}", code="not_found") from exc
    failed = 0
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            qid: object = None
            try:
                row = json.loads(line)
                qid = row.get("id") if isinstance(row, dict) else None
                if not isinstance(row, dict) or "question" not in row or "id" not in row:
                    raise InputError(f"{number}번째 줄이 {{\"id\", \"question\"}} 형식의 JSON이 아닙니다.",
                                     code="bad_batch")
                hits = services.manuals.search_collections(collections, str(row["question"]), k, floor=floor)
                out: dict[str, object] = {"id": qid, "hits": [h.to_json() for h in hits]}
            except SeoulAIError as error:
                failed += 1
                out = {"id": qid, "line": number, **error.to_json()}
            except ValueError:
                failed += 1
                out = {"id": qid, "line": number, "error": {
                    "code": "bad_batch", "message": f"{number}번째 줄이 JSON이 아닙니다. 한 줄에 {{\"id\", \"question\"}} "
                                                    "하나씩 적어 주세요."}}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    if failed:
        sys.stderr.write(f"오류: 질문 {failed}줄을 처리하지 못했습니다. 해당 줄의 \"error\"를 확인하고 고쳐서 다시 실행하세요.\n")
    return 2 if failed else 0


def cmd_ask(args: argparse.Namespace) -> int:
    services = _services(args)
    answer = services.manuals.answer_collections(services.accounts.operator(), _collections(args.collection),
                                                 args.question)
    if args.json:
        _print_json(answer.to_json())
    else:
        if answer.text:
            sys.stdout.write(answer.text + "\n")
        if answer.notice:
            sys.stdout.write(f"※ {answer.notice}\n")
        shown = answer.cited_passages() or list(enumerate(answer.passages, start=1))
        for number, hit in shown:
            page = f", {hit.page}쪽" if hit.page else ""
            sys.stdout.write(f"[{number}] {hit.title} — {hit.section}{page} ({hit.source})\n")
    services.usage.flush()
    return 0


def cmd_department(args: argparse.Namespace) -> int:
    """담당 부서 찾기: the units whose 사무분장 covers the question, from the shared manuals."""
    matches = _services(args).departments.find_shared(args.question, args.k)
    if args.json:
        _print_json({"departments": [m.to_json() for m in matches]})
        return 0
    if not matches:
        sys.stdout.write("담당 부서를 찾지 못했습니다. 업무 이름을 바꿔 묻거나, 공통 문서함에 행정기구 설치 조례 "
                         "시행규칙(사무분장)이 있는지 확인하세요.\n")
    for rank, match in enumerate(matches, start=1):
        sys.stdout.write(f"{rank}. {match.label} — {match.duty} ({match.citation})\n")
    return 0


def cmd_demo_library(args: argparse.Namespace) -> int:

    # The product's own folder unless one is named (relative to where the command runs): the command works from
    # any working directory. The demo manuals ship with the repository, not inside an installed package.
    folder = Path(args.folder).expanduser().resolve() if args.folder else CHECKOUT / "demo" / "manuals"
    if not folder.is_dir():
        raise InputError(f"데모 매뉴얼 폴더가 없습니다: {folder}. 저장소의 demo/manuals 폴더를 --folder로 지정하세요.",
                         code="not_found")
    services = _services(args)
    report = services.library.install_demo(folder)
    c = report.changes
    sys.stdout.write(f"기본 문서함: 추가 {len(c.added)}건, 교체 {len(c.replaced)}건, 변경 없음 {len(c.unchanged)}건\n")
    sys.stdout.write(_index_note(args.settings))
    if report.vector_error:
        sys.stdout.write(f"  {report.vector_error} (진행 상황은 앱 왼쪽 아래 '시스템 상태')\n")
    return 0


def cmd_usage_demo(args: argparse.Namespace) -> int:
    services = _services(args)
    written = services.usage.demo_data(args.events, args.days)
    where = "" if services.usage.flush() else " 실행 중인 앱이 곧 이용 현황에 합칩니다."
    sys.stdout.write(f"데모 이용 기록 {written:,}건을 넣었습니다 (최근 {args.days}일).{where}\n")
    return 0


def cmd_usage_summary(args: argparse.Namespace) -> int:
    payload = _services(args).usage.summary(args.department)
    if args.json:
        _print_json(payload)
    else:
        for key, value in payload.items():
            sys.stdout.write(f"{key}: {value}\n")
    return 0


def cmd_pii_mask(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    masked, findings = _tools(args).mask(text)
    if args.json:
        _print_json({"masked": masked, "findings": [f.to_json() for f in findings]})
    else:
        sys.stdout.write(masked + ("" if masked.endswith("\n") else "\n"))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("새 비밀번호: ")
    if first != getpass.getpass("비밀번호 확인: "):
        from seoulai.errors import InputError

        raise InputError("두 비밀번호가 다릅니다. 다시 실행하세요.", code="password_mismatch")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    accounts = _services(args).accounts
    if args.users_command == "add":
        account = accounts.add_user(args.id, args.name, args.department, args.role, _read_password(args))
        sys.stdout.write(f"계정을 만들었습니다: {account.id} ({account.name}, {account.department}, {account.role})\n")
    elif args.users_command == "reset-password":
        ended = accounts.reset_password(args.id, _read_password(args))
        sys.stdout.write(f"비밀번호를 바꿨습니다: {args.id} (열려 있던 로그인 {ended}개를 모든 서버에서 끝냈습니다)\n")
    elif args.users_command == "disable":
        change = accounts.disable_user(args.id)
        sys.stdout.write(f"계정을 사용 중지했습니다: {args.id} (열려 있던 로그인 {change.sessions_ended}개를 모든 서버에서 "
                         "끝냈습니다)\n" if change.changed else f"이미 사용 중지된 계정입니다: {args.id}\n")
    elif args.users_command == "enable":
        change = accounts.enable_user(args.id)
        sys.stdout.write(f"계정을 다시 사용할 수 있게 했습니다: {args.id}\n" if change.changed
                         else f"이미 사용 중인 계정입니다: {args.id}\n")
    else:
        rows = [{"id": a.id, "name": a.name, "department": a.department, "role": a.role, "grade": a.grade,
                 "email": a.email, "disabled": a.disabled} for a in accounts.users()]
        if args.json:
            _print_json(rows)
        else:
            for row in rows:
                state = "사용 중지" if row["disabled"] else "사용 중"
                sys.stdout.write(f"{row['id']}\t{row['name']}\t{row['department']}\t{row['role']}\t{state}\n")
    return 0


def cmd_org(args: argparse.Namespace) -> int:
    """`seoulai org list`: the chart in force (the organisation rule in the shared library, else the YAML)."""
    units = _services(args).accounts.org_units()
    if not units:
        raise InputError("조직도가 비어 있습니다. `seoulai demo-library`로 행정기구 설치 조례 시행규칙을 공통 문서함에 "
                         "넣거나 SEOULAI_AUTH__ORG_CHART에 조직도 YAML을 지정하세요.", code="empty_org_chart")
    if args.json:
        _print_json({"units": [u.to_json() for u in units]})
        return 0
    for unit in units:
        duties = f"  (분장 사무 {len(unit.duties)}건)" if unit.duties else ""
        sys.stdout.write(f"{'  ' * unit.depth}{unit.name}{duties}\t{unit.path}\n")
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from seoulai.services import Draft
    from seoulai.services.drafting import parse_fields

    services = _services(args)
    operator = services.accounts.operator()
    draft = Draft(services.drafting.find_template(args.template), parse_fields(args.field))
    if args.collection:
        query = draft.fields.get("title", "") + " " + draft.fields.get("facts", "")
        draft = services.drafting.choose_references(draft, services.manuals.search_collections(
            _collections(args.collection), query, 5))
    draft = services.drafting.add_end_mark(services.drafting.generate_all(operator, draft))
    path = Path(args.export)
    path.write_bytes(services.drafting.render(draft, path.suffix.lower().lstrip(".")))
    template = draft.template
    issues = draft.check()
    if args.json:
        _print_json({"export": str(path), "sections": draft.sections,
                     "issues": [{"level": i.level, "section": i.section, "message": i.message} for i in issues]})
    else:
        sys.stdout.write(f"{template.name} 초안을 {path}에 저장했습니다.\n")
        for issue in issues:
            sys.stdout.write(f"  [{'오류' if issue.level == 'error' else '확인'}] {issue.section}: {issue.message}\n")
    return 0
