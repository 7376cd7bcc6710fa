"""Cold start: a new gunicorn worker's time to its first answer and its memory
once idle, beside a bare Flask app under the same gunicorn.

Each round starts ``gunicorn --workers 1`` and times, from the command's start,
the first successful ``GET /login`` (ours: the sign-in page, a template) or
``GET /`` (the bare app: one template); then reads the worker's resident memory
(``VmRSS``) once it is idle after that answer, and stops it; it also reads the
CPU time the master and its worker used until that answer, a figure other
processes on a shared machine disturb less than the clock. Ours and the bare
app alternate (A B, B A, …); medians and spreads are printed with the ratio.
Aims (issue 14): first answer ≤ 1 s, idle worker ≤ 80 MB. Then it kills the
worker and times the first answer of the one gunicorn starts in its place: both
sides run with the project's ``gunicorn.conf.py`` (``preload_app``), so that
worker is forked from a master that has imported the app already.

Both sides find their modules' bytecode compiled, as a deployed worker does (a
gunicorn worker restarting, a new one forked): the run compiles it into a
temporary folder (``PYTHONPYCACHEPREFIX``; ours also its templates, in
``TEMPLATE_CACHE_DIR``) with one untimed start of each side,
whatever ``PYTHONDONTWRITEBYTECODE`` says — with it set and no bytecode, each of
our workers compiles every module of the project from source (0.1–0.15 s of CPU
here) while the bare app compiles one.

Run: ``python -m benchmarks.cold_start`` (about 30 s; a temporary SQLite
database and bytecode folder made for the run and removed after it).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask, render_template_string

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5


def bare_app() -> Flask:
    """The floor: Flask and one template, nothing else."""
    app = Flask("bare")

    @app.get("/")
    def index() -> str:
        return render_template_string("<!doctype html><title>{{ t }}</title>", t="ok")

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker_rss_mb(master: int) -> float:
    """Resident memory of the master's one worker (``/proc``, Linux)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _first_answer(port: int, path: str, process: subprocess.Popen[bytes]) -> None:
    """Wait for the first 200 on ``path``."""
    deadline = time.perf_counter() + 60
    while True:
        if time.perf_counter() > deadline or process.poll() is not None:
            raise SystemExit(f"no answer on {path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.005)


def start(
    app: str, path: str, env: dict[str, str]
) -> tuple[float, float, float, float]:
    """(seconds to the first 200 on ``path``, idle worker RSS in MB, CPU seconds
    the master and its worker used until that answer, seconds from killing the
    worker to the first 200 of the one gunicorn starts in its place)."""
    port = _free_port()
    began = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _first_answer(port, path, process)
        first = time.perf_counter() - began
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        cpu = _cpu_seconds(process.pid) + sum(
            _cpu_seconds(int(child)) for child in children.read_text().split()
        )
        time.sleep(1.0)  # idle: what the worker keeps between requests
        rss = _worker_rss_mb(process.pid)
        # A worker stops (a --max-requests recycle, a crash): the master starts
        # another; from the kill to that worker's first answer.
        worker = int(children.read_text().split()[0])
        killed = time.perf_counter()
        os.kill(worker, signal.SIGTERM)
        while children.read_text().split() in ([], [str(worker)]):
            time.sleep(0.001)
        _first_answer(port, path, process)
        return first, rss, cpu, time.perf_counter() - killed
    finally:
        process.terminate()
        process.wait(30)


def _summary(values: list[float], unit: str, digits: int = 2) -> str:
    return (
        f"median {statistics.median(values):.{digits}f} {unit} "
        f"(spread {min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qc-cold-") as folder:
        url = f"sqlite:///{Path(folder) / 'cold.db'}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "FLASK_APP": "wsgi.py",
            "QUALICHARTE_ENV": "development",
            "PYTHONPYCACHEPREFIX": str(Path(folder) / "bytecode"),
            "TEMPLATE_CACHE_DIR": str(Path(folder) / "templates"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [sys.executable, "-m", "flask", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        # Untimed: writes both sides' bytecode.
        start("wsgi:app", "/login", env)
        start("benchmarks.cold_start:bare_app()", "/", env)
        ours: list[tuple[float, float, float, float]] = []
        bare: list[tuple[float, float, float, float]] = []
        for number in range(args.rounds):
            sides = ("bare", "ours") if number % 2 == 0 else ("ours", "bare")
            for side in sides:
                if side == "ours":
                    ours.append(start("wsgi:app", "/login", env))
                else:
                    bare.append(start("benchmarks.cold_start:bare_app()", "/", env))
    ratios = [o[0] / b[0] for o, b in zip(ours, bare, strict=True)]
    print(
        f"gunicorn, 1 worker, {args.rounds} rounds each, alternating, bytecode "
        f"compiled; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"first answer: ours {_summary([o[0] for o in ours], 's')}, "
        f"bare Flask {_summary([b[0] for b in bare], 's')}; "
        f"ratio {_summary(ratios, '×', 1)} — aim ≤ 1 s"
    )
    print(
        f"idle worker: ours {_summary([o[1] for o in ours], 'MB', 0)}, "
        f"bare Flask {_summary([b[1] for b in bare], 'MB', 0)} — aim ≤ 80 MB"
    )
    cpu_ratios = [o[2] / b[2] for o, b in zip(ours, bare, strict=True)]
    print(
        f"CPU to the first answer (master + worker; less sensitive to other "
        f"processes than the clock): ours {_summary([o[2] for o in ours], 's')}, "
        f"bare Flask {_summary([b[2] for b in bare], 's')}; "
        f"ratio {_summary(cpu_ratios, '×', 1)}"
    )
    print(
        f"a worker killed, to the first answer of the one gunicorn starts in its "
        f"place (preload_app, gunicorn.conf.py): ours {_summary([o[3] for o in ours], 's', 3)}, "
        f"bare Flask {_summary([b[3] for b in bare], 's', 3)}"
    )


if __name__ == "__main__":
    main()
