"""The parser subprocess: reads requests as JSON lines on stdin, answers one JSON line each on stdout.

It limits its own address space and CPU time at start, so a hostile file can exhaust only this process;
the parent (see pool.py) kills it on a wall-clock timeout and starts a fresh one.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

from seoulai.config import IngestSettings


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # some containers forbid it; the wall-clock timeout still applies
        pass


def handle(request: dict[str, object]) -> dict[str, object]:
    from seoulai.ingest.failures import IngestError
    from seoulai.ingest.readers import read_document

    limits = IngestSettings.model_validate(request["limits"])
    try:
        document = read_document(Path(str(request["path"])), limits)
    except IngestError as error:
        return error.to_json()
    except MemoryError:
        return IngestError("too_large", "메모리 한도 초과").to_json()
    except RecursionError:
        return IngestError("corrupt", "구조가 너무 깊습니다").to_json()
    except Exception as exc:  # noqa: BLE001 - any parser bug on a hostile file is a corrupt file to the person
        return IngestError("corrupt", type(exc).__name__).to_json()
    return {"document": document.to_json()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m seoulai.ingest.worker")
    parser.add_argument("--memory-mb", type=int, default=IngestSettings().parse_memory_mb)
    _limit_memory(parser.parse_args(argv).memory_mb)
    # Keep stdout for the protocol; anything a library prints goes to stderr.
    protocol = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        response = handle(json.loads(line))
        protocol.write(json.dumps(response, ensure_ascii=False) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
