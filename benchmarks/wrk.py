"""Driving wrk: install it when missing, script the POST, read its numbers as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# Printed by the Lua done() hook: percentiles straight from wrk's histogram, no text parsing.
_RESULT_MARKER: Final = "OMNICART_WRK_RESULT "
_LUA_TEMPLATE: Final = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{marker}{{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %.1f, "max_us": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout))
end
"""
# A run longer than its duration by this much is stuck (wrk's own --timeout is per request).
_GRACE_SECONDS: Final = 30


class WrkError(RuntimeError):
    """wrk is missing and cannot be installed, or a run failed."""


@dataclass(frozen=True, slots=True)
class WrkRun:
    requests: int
    duration_seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: int  # socket errors, timeouts and non-2xx/3xx answers

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration_seconds if self.duration_seconds else 0.0


def ensure_wrk() -> str:
    """The path of wrk; installs the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise WrkError(
            "wrk is not installed; install it first (Debian/Ubuntu: sudo apt-get install -y wrk)"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("wrk is missing: running apt-get install -y wrk", flush=True)
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    if subprocess.run(install, env=environment, stdin=subprocess.DEVNULL).returncode != 0:
        # A fresh machine has no package lists yet.
        subprocess.run(["apt-get", "update"], env=environment, stdin=subprocess.DEVNULL)
        subprocess.run(install, env=environment, stdin=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise WrkError("apt-get could not install wrk; install it by hand and run again")
    return found


def write_script(directory: Path, name: str, body: str) -> Path:
    """A Lua script that POSTs ``body`` (JSON) and prints the results as JSON."""
    if "]==]" in body:
        raise ValueError("the request body would end the Lua long string early")
    path = directory / f"{name}.lua"
    path.write_text(_LUA_TEMPLATE.format(body=body, marker=_RESULT_MARKER), encoding="utf-8")
    return path


def run_wrk(
    wrk: str,
    *,
    url: str,
    script: Path,
    duration_seconds: int,
    connections: int,
    threads: int,
) -> WrkRun:
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration_seconds}s",
        "--timeout=5s",
        f"--script={script}",
        url,
    ]
    with tempfile.TemporaryFile(mode="w+") as errors:
        try:
            finished = subprocess.run(
                command,
                stdout=subprocess.PIPE,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=duration_seconds + _GRACE_SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise WrkError(
                f"wrk did not finish within {duration_seconds + _GRACE_SECONDS}s"
            ) from None
        errors.seek(0)
        error_text = errors.read().strip()
    if finished.returncode != 0:
        raise WrkError(f"wrk exited with {finished.returncode}: {error_text or finished.stdout}")
    return _parse(finished.stdout)


def _parse(output: str) -> WrkRun:
    for line in output.splitlines():
        if line.startswith(_RESULT_MARKER):
            values = json.loads(line.removeprefix(_RESULT_MARKER))
            errors = sum(
                int(values[key])
                for key in (
                    "connect_errors",
                    "read_errors",
                    "write_errors",
                    "status_errors",
                    "timeouts",
                )
            )
            return WrkRun(
                requests=int(values["requests"]),
                duration_seconds=int(values["duration_us"]) / 1_000_000,
                p50_ms=int(values["p50_us"]) / 1000,
                p99_ms=int(values["p99_us"]) / 1000,
                mean_ms=float(values["mean_us"]) / 1000,
                max_ms=int(values["max_us"]) / 1000,
                errors=errors,
            )
    raise WrkError(f"wrk printed no result line:\n{output}")
