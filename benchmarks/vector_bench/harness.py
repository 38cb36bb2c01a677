"""The parent's side of the harness: a child process handle, the kill -9 rounds, machine and package facts."""

from __future__ import annotations

import json
import os
import platform
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .data import PACKAGES, load

SCRIPT = Path(__file__).resolve().parents[1] / "vector_engines.py"  # the entry point, run again with --child


# ---------------------------------------------------------------------------------------------------------------
# Parent


class Child:
    def __init__(self, work: Path, phase: str, engine: str, size: int, **extra: object) -> None:
        cmd = [sys.executable, str(SCRIPT), "--child", phase, "--engine", engine, "--size", str(size),
               "--work", str(work)] + [a for k, v in extra.items() for a in (f"--{k.replace('_', '-')}", str(v))]
        self.log = open(work / "logs" / f"{engine}-{size}-{phase}.log", "a")  # the child's stderr
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.q: queue.Queue = queue.Queue()
        self.dead: str | None = None
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            self.q.put(json.loads(line))
        self.q.put(None)

    def recv(self, timeout: float) -> dict:
        if self.dead:
            return {"error": self.dead}
        try:
            msg = self.q.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            return {"error": f"timeout after {timeout:.0f} s"}
        if msg is None:
            rc = self.p.wait()
            self.dead = f"process died (exit {rc}{' = signal ' + str(-rc) if rc < 0 else ''})"
            return {"error": self.dead}
        return msg

    def send(self, obj: dict) -> None:
        assert self.p.stdin is not None
        try:
            self.p.stdin.write(json.dumps(obj) + "\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def wait(self, timeout: float = 120) -> None:
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.log.close()


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {load()}] {msg}", file=sys.stderr, flush=True)


def recall(ids: list[int], truth: list[int]) -> float:
    return len(set(ids) & set(truth)) / len(truth) if truth else 1.0


def kill_test(work: Path, engine: str, size: int, rounds: int, rng: random.Random) -> dict:
    out = []
    for r in range(rounds):
        w = Child(work, "killwriter", engine, size, round=r)
        ready = w.recv(timeout=900)
        if "ready" not in ready:
            w.kill()
            out.append({"round": r, "writer": ready})
            break
        time.sleep(rng.uniform(1.5, 4.0))
        acked = durable = ready["count"]
        w.kill()
        while True:
            m = w.q.get()
            if m is None:
                break
            acked = m.get("acked", acked)
            durable = m["durable"] if m.get("durable") is not None else durable
        w.wait()
        rec = Child(work, "recover", engine, size)
        res = rec.recv(timeout=900)
        rec.wait()
        out.append({"round": r, "before": ready["count"], "acked": acked, "durable_expected": durable, **res})
    return {"rounds": out}

def package_info(offline: bool) -> dict[str, dict]:
    import urllib.request
    from importlib import metadata

    info = {}
    for pkg in sorted(set(PACKAGES.values())):
        try:
            md = metadata.metadata(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = {"installed": None}
            continue
        field = (md.get("License") or "").strip()
        classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or [] if c.startswith("License")]
        lic = md.get("License-Expression") or (field if field and len(field) < 60 else "") or ", ".join(classifiers)
        if not lic:  # some wheels only ship the licence text
            text = next((f.read_text() for f in metadata.files(pkg) or [] if "LICENSE" in f.name.upper()), "")
            lic = next((ln.strip() for ln in text.splitlines() if "license" in ln.lower()), "?")[:40]
        row = {"installed": md["Version"], "licence": lic}
        if not offline:
            try:
                with urllib.request.urlopen(f"https://pypi.org/pypi/{pkg}/json", timeout=10) as resp:
                    j = json.load(resp)
                latest = j["info"]["version"]
                files = j["releases"].get(latest) or []
                row.update(latest=latest, released=min(f["upload_time"] for f in files)[:10] if files else None,
                           releases=len(j["releases"]))
            except Exception as exc:  # noqa: BLE001 - offline or any PyPI failure: the report says unavailable
                row["pypi"] = f"unavailable: {exc!r}"[:80]
        info[pkg] = row
    return info


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), None)
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "uptime": subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()}
