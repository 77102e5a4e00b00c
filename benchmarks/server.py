"""One uvicorn worker in its own process group, its health, its memory, and stopping it."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Final

from benchmarks.processes import process_tree, status_kib

HOST: Final = "127.0.0.1"
_STARTUP_TIMEOUT_SECONDS: Final = 60.0
_STOP_TIMEOUT_SECONDS: Final = 10.0
_SAMPLE_INTERVAL_SECONDS: Final = 0.5
_KIB: Final = 1024


class ServerError(RuntimeError):
    """The server did not start or died while being measured."""


class Server:
    """``uvicorn --factory schema.cli:app_from_environ`` with one worker, as production runs it.

    Use as a context manager: leaving the block (normally, on an error or on Ctrl-C)
    terminates the whole process group, then kills it if it does not stop in time.
    """

    def __init__(
        self,
        *,
        database_url: str,
        channel: str,
        port: int,
        log_path: Path,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.port = port
        self._log_path = log_path
        self._environment = {
            **os.environ,
            **(environment or {}),
            "OMNICART_DATABASE_URL": database_url,
            "OMNICART_DEFAULT_CHANNEL": channel,
            "OMNICART_LOG_LEVEL": "WARNING",
        }
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._memory: _PeakMemory | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Server:
        self._refuse_busy_port()
        self._log = self._log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "schema.cli:app_from_environ",
            f"--host={HOST}",
            f"--port={self.port}",
            "--workers=1",
            "--no-access-log",
            "--log-level=warning",
        ]
        self._process = subprocess.Popen(
            command,
            env=self._environment,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Its own process group, so that stopping it reaches any child it starts.
            start_new_session=True,
        )
        self._memory = _PeakMemory(self._process.pid)
        self._memory.start()
        try:
            self._wait_healthy()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=_STOP_TIMEOUT_SECONDS)
        if self._memory is not None:
            self._memory.stop()
        if self._log is not None:
            self._log.close()

    def check_alive(self) -> None:
        if self._process is None or self._process.poll() is not None:
            raise ServerError(f"the server exited; its log:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        if self._process is None:
            raise ServerError("the server is not running")
        return self._process.pid

    def peak_rss_bytes(self) -> int:
        """Peak resident memory of the server and its children since it started."""
        return self._memory.peak_bytes() if self._memory is not None else 0

    def log_tail(self, characters: int = 4000) -> str:
        try:
            return self._log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    def _refuse_busy_port(self) -> None:
        try:
            with _open_loopback(f"{self.base_url}/healthz", timeout=1):
                pass
        except (urllib.error.URLError, OSError):
            return
        raise ServerError(f"something already answers on port {self.port}; pass another --port")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with _open_loopback(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise ServerError(
            f"no answer on {self.base_url}/healthz after {_STARTUP_TIMEOUT_SECONDS:.0f}s; "
            f"its log:\n{self.log_tail()}"
        )


def _open_loopback(url: str, timeout: float) -> http.client.HTTPResponse:
    # No proxy from the environment: the benchmark only ever talks to 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    response: http.client.HTTPResponse = opener.open(url, timeout=timeout)
    return response


def _signal_group(pid: int, signal_number: signal.Signals) -> None:
    # The group id is the server's pid (start_new_session); only our own process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal_number)


class _PeakMemory:
    """Samples the kernel's high-water mark (VmHWM) of the server and its descendants.

    VmHWM is the exact peak RSS of one process however seldom it is read; children
    (none with one uvicorn worker, but a reloader or multiprocess would add some) are
    found by parent pid at each sample and their peaks are added.
    """

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._peaks: dict[int, int] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def peak_bytes(self) -> int:
        self._sample()
        with self._lock:
            return sum(self._peaks.values())

    def _loop(self) -> None:
        while not self._stopped.wait(_SAMPLE_INTERVAL_SECONDS):
            self._sample()

    def _sample(self) -> None:
        for pid in process_tree(self._pid):
            peak = status_kib(pid, "VmHWM")
            if peak is not None:
                with self._lock:
                    self._peaks[pid] = max(self._peaks.get(pid, 0), peak * _KIB)
