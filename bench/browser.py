"""Start the app on a free loopback port and drive it with Debian's Chromium (Playwright).

Shared by the live-latency benchmark and the end-to-end tests. Nothing is
downloaded: Playwright is pointed at ``/usr/bin/chromium``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    for name in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if name and Path(name).is_file():
            return name
    return None


def missing_chromium() -> bool:
    """True, after saying how to install it, when Debian's Chromium is not there (a benchmark then exits 2)."""
    if chromium_path() is None:
        print("Chromium not found: apt-get install -y chromium")
        return True
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(timeout: float = 60.0, log_path: str | os.PathLike | None = None):
    """Run ``streamlit run app.py`` on 127.0.0.1; yield its base URL; stop it afterwards."""
    with serve_app_process(timeout, log_path) as (url, _):
        yield url


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of process ``pid`` in MB (``VmHWM`` gives its peak), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no {field} for process {pid}")


@contextlib.contextmanager
def serve_app_process(timeout: float = 60.0, log_path: str | os.PathLike | None = None):
    """As ``serve_app``, yielding ``(url, process)``."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = open(log_path or os.devnull, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode} before it was healthy")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit was not healthy within {timeout:.0f} s")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def launch(playwright):
    """A headless Chromium from Debian's package."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)


def wait_idle(page, timeout_ms: int = 15000) -> None:
    """Wait until Streamlit's 'running' indicator is gone."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    page.wait_for_timeout(200)
