"""Starting the Neo4j test harness (harness/Launcher.java) as a child process.

Used by ``conftest.py`` and ``benchmarks/bench_neo4j.py``. The classpath comes from
``harness/setup.sh`` (run here on first use when Maven is available).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HARNESS = Path(__file__).resolve().parent / "harness"
CLASSPATH_FILE = HARNESS / "target" / "classpath.txt"
READY = "FINFLOW-NEO4J-READY"


class HarnessError(RuntimeError):
    """The harness could not be started; the message says why."""


@dataclass
class HarnessServer:
    """A running harness: its Bolt URI, version and process."""

    uri: str
    version: str
    process: subprocess.Popen[str]
    log: list[str]

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the JVM (closing stdin, then SIGTERM, then SIGKILL) and wait for it."""
        if self.process.poll() is not None:
            return
        try:
            if self.process.stdin:
                self.process.stdin.close()
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def classpath() -> str:
    """The harness classpath, resolving it with Maven first if needed."""
    if not CLASSPATH_FILE.is_file() or CLASSPATH_FILE.stat().st_size == 0:
        if shutil.which("mvn") is None:
            raise HarnessError(f"{CLASSPATH_FILE} missing and Maven not installed")
        done = subprocess.run(
            ["bash", str(HARNESS / "setup.sh")], capture_output=True, text=True, encoding="utf-8", timeout=1800
        )
        if done.returncode != 0:
            raise HarnessError(f"harness/setup.sh failed: {(done.stderr or done.stdout)[-2000:]}")
    return CLASSPATH_FILE.read_text(encoding="utf-8").strip()


def start_harness(
    password: str,
    *,
    import_dir: Path | None = None,
    heap: str = "1g",
    page_cache: str = "256m",
    extra_jvm: tuple[str, ...] = (),
    timeout: float = 300.0,
) -> HarnessServer:
    """Start Neo4j on a free loopback port with user ``neo4j``/``password``; wait until ready.

    ``import_dir`` lets ``LOAD CSV`` read ``file:///`` URLs from that folder (the benchmark's
    reference); ``heap`` and ``page_cache`` keep the JVM small on shared machines.
    """
    java = shutil.which("java")
    if java is None:
        raise HarnessError("java not found on PATH")
    env = dict(os.environ, NEO4J_PASSWORD=password)
    env.pop("FINFLOW_IMPORT_DIR", None)
    env["FINFLOW_PAGECACHE"] = page_cache
    if import_dir is not None:
        env["FINFLOW_IMPORT_DIR"] = str(import_dir)
    command = [
        java,
        f"-Xmx{heap}",
        "-XX:+UseParallelGC",
        *extra_jvm,
        "-cp",
        classpath(),
        str(HARNESS / "Launcher.java"),
        "0",
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=str(HARNESS),
    )
    lines: queue.Queue[str | None] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
            lines.put(line.rstrip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            HarnessServer("", "", process, log).stop(5)
            raise HarnessError(f"Neo4j harness not ready after {timeout:.0f}s: {log[-20:]}")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            process.wait()
            raise HarnessError(f"Neo4j harness exited ({process.returncode}): {log[-20:]}")
        if line.startswith(READY):
            _, uri, version = line.split()
            return HarnessServer(uri.rstrip("/"), version, process, log)
