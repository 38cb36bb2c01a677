"""The ``seoulai`` command. Each subcommand is a thin shell over a service, like the pages.

Exit codes: 0 success, 1 the check found a problem (doctor), 2 bad input (with ``--json``:
``{"error": {"code", "message"}}``, the message in Korean).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from seoulai.config import Settings
from seoulai.errors import SeoulAIError

Handler = Callable[[argparse.Namespace], int]


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(error: SeoulAIError, as_json: bool) -> int:
    if as_json:
        _print_json(error.to_json())
    else:
        sys.stderr.write(f"오류: {error.message}\n")
    return 2


def cmd_doctor(args: argparse.Namespace) -> int:
    from seoulai.llm.health import check_health

    settings = Settings()
    report = check_health(settings)
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

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"오류: 명령을 잘못 입력했습니다 ({message}). `{self.prog} --help`로 사용법을 확인하세요.\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _KoreanParser(prog="seoulai", description="서울시 행정 AI 도우미 명령줄 도구")
    parser.add_argument("-v", "--verbose", action="store_true", help="자세한 로그 출력")
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="모델 서버와 설정 점검")
    doctor.add_argument("--json", action="store_true", help="JSON으로 출력")
    doctor.set_defaults(handler=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    handler: Handler = args.handler
    try:
        return handler(args)
    except SeoulAIError as error:
        return _fail(error, getattr(args, "json", False))


if __name__ == "__main__":
    sys.exit(main())
