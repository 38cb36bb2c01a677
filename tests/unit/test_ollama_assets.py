"""The Modelfile builds the Korean assistant model, and setup.sh pulls and creates what it should."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_modelfile_has_base_parameters_and_korean_system_prompt() -> None:
    text = (ROOT / "ollama" / "Modelfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[0].startswith("FROM ")
    params = dict(line.split()[1:3] for line in lines if line.startswith("PARAMETER"))
    assert float(params["temperature"]) <= 0.3
    assert int(params["num_ctx"]) >= 8192
    system = text.split('SYSTEM """', 1)[1].split('"""', 1)[0]
    for phrase in ("서울특별시", "공문서", "[1]", "확인이 필요합니다"):
        assert phrase in system


def test_setup_script_pulls_and_creates(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    fake = tmp_path / "bin" / "ollama"
    fake.parent.mkdir()
    # A stand-in `ollama` that records its arguments, its OLLAMA_HOST and the Modelfile it was given.
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$OLLAMA_HOST $*" >> {log}\n'
        f'if [ "$1" = create ]; then cat "$4" > {tmp_path}/used_modelfile; fi\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH=f"{fake.parent}:{os.environ['PATH']}", SEOULAI_BASE_MODEL="qwen2.5:14b",
               SEOULAI_OLLAMA_URL="http://gpu01:11434")
    env.pop("SEOULAI_LLM__MODEL", None)
    env.pop("SEOULAI_EMBED__MODEL", None)
    result = subprocess.run(["bash", str(ROOT / "ollama" / "setup.sh")], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "http://gpu01:11434 pull qwen2.5:14b"
    assert calls[1] == "http://gpu01:11434 pull bge-m3"
    assert calls[2].startswith("http://gpu01:11434 create seoulai -f ")
    used = (tmp_path / "used_modelfile").read_text(encoding="utf-8")
    assert "FROM qwen2.5:14b" in used.splitlines()
    assert "FROM gemma3:12b" not in used


def test_setup_script_without_ollama_explains(tmp_path: Path) -> None:
    env = dict(os.environ, PATH="/usr/bin:/bin")
    result = subprocess.run(["bash", str(ROOT / "ollama" / "setup.sh")], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert "설치" in result.stderr
