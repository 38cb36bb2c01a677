"""`make run`'s last step: start the server on a safe address and say where it listens.

With sign-in mode ``none`` everyone who reaches the app is the demo person with system-admin rights, so the
server listens on 127.0.0.1 unless the operator names another address (ADDRESS=… make run).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from seoulai.config import Settings, load_settings
from seoulai.errors import SeoulAIError

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def choose_address(settings: Settings, requested: str | None) -> tuple[str, str]:
    """(address, Korean note for the operator)."""
    if settings.auth.mode == "none":
        if requested and requested not in LOOPBACK:
            return requested, (f"경고: 로그인 없이(SEOULAI_AUTH__MODE=none, 모두가 시스템 관리자) {requested}에서 "
                               "접속을 받습니다. 여러 사람이 쓰면 local 또는 oidc 로그인을 설정하세요.")
        return requested or "127.0.0.1", ("로그인 없이 실행하므로 이 컴퓨터(127.0.0.1)에서만 접속할 수 있습니다. "
                                          "다른 컴퓨터에서 쓰려면 SEOULAI_AUTH__MODE=local로 계정을 만드세요.")
    address = requested or "0.0.0.0"
    return address, f"로그인({settings.auth.mode})을 거쳐 {address}에서 접속을 받습니다."


def settings_or_exit() -> Settings:
    """The settings, or exit code 2 with the Korean reason on stderr (a misspelled name, a bad value): no traceback
    from `make run`, serve.py or Docker."""
    try:
        return load_settings()
    except SeoulAIError as error:
        sys.stderr.write(f"오류: {error.message}\n")
        raise SystemExit(2) from None


def refuse_unsafe_start(settings: Settings) -> None:
    """Stop the process (exit code 2, the Korean reason on stderr) before it serves with unsafe settings: called by
    ``make run`` here and by serve.py, which every way of starting the server goes through."""
    if (reason := settings.unsafe_to_serve()) is not None:
        sys.stderr.write(f"오류: {reason}\n")
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="seoulai-run")
    parser.add_argument("--port", default="8501")
    parser.add_argument("--address", default=os.environ.get("ADDRESS") or None)
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    refuse_unsafe_start(settings)
    address, note = choose_address(settings, args.address)
    sys.stderr.write(f"서울시 행정 AI 도우미: http://{'localhost' if address in LOOPBACK else address}:{args.port}\n"
                     f"{note}\n")
    os.chdir(ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(args.port),
                              "--server.address", address,
                              "--server.maxUploadSize", str(int(settings.ingest.max_file_mb))])


if __name__ == "__main__":
    main()
