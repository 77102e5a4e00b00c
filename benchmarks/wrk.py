"""Driving wrk: install it when missing, script the POST, read its numbers as JSON."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

# Printed by the Lua done() hook: percentiles straight from wrk's histogram, no text parsing.
_RESULT_MARKER: Final = "OMNICART_WRK_RESULT "
_DONE: Final = """
function done(summary, latency, requests)
  local errors = summary.errors
  local answered_ok, wrong_answers, exhausted = answers()
  io.write(string.format(
    '{marker}{{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %.1f, "max_us": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"answered_ok": %d, "wrong_answers": %d, "exhausted": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, answered_ok, wrong_answers, exhausted))
end
"""
# One fixed body; answers are not looked at during the run (-1: not counted), so the
# read queries cost wrk no more than before M1.
_STATIC_TEMPLATE: Final = (
    """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]

function answers()
  return -1, 0, 0
end
"""
    + _DONE
)
# M1: a body per request with the next cart of the rotation and a fresh idempotency key,
# and every answer looked at: 200 with an empty payload `errors` list and no top-level
# errors counts as answered_ok (the body is compact JSON from orjson).
_CART_ADD_TEMPLATE: Final = (
    """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local tokens = {{ {tokens} }}
local body_head = [==[{body_head}]==]
local body_middle = [==[{body_middle}]==]
local body_tail = [==[{body_tail}]==]
local threads = {{}}
local counter = 0
local prefix = "run"
thread_number = 0
answered_ok = 0
wrong_answers = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  -- args[1]: a prefix unique to this wrk run, so keys never repeat across runs.
  prefix = args[1] or prefix
end

function request()
  counter = counter + 1
  -- Threads start half a rotation apart; one thread's connections take consecutive carts.
  local token = tokens[(counter + thread_number * {thread_offset}) % #tokens + 1]
  local key = string.format("%s-%d-%012d", prefix, thread_number, counter)
  return wrk.format(nil, nil, nil, body_head .. token .. body_middle .. key .. body_tail)
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"errors":[]', 1, true)
      and not string.find(body, '"errors":[{{', 1, true) then
    answered_ok = answered_ok + 1
  elseif status < 400 then
    -- wrk counts statuses from 400 up itself (status_errors).
    wrong_answers = wrong_answers + 1
  end
end

function answers()
  local ok, wrong = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("answered_ok")
    wrong = wrong + thread:get("wrong_answers")
  end
  return ok, wrong, 0
end
"""
    + _DONE
)
# C1: each request checks out a cart of its own. A run's tokens come in a file (the
# script's second argument, one a line); thread t of n takes lines t, t+n, ... and sends
# each once. A thread that has used them all sends GET /healthz instead, counted as
# exhausted (and as a wrong answer): the run outpaced the carts made for it.
_CHECKOUT_TEMPLATE: Final = (
    """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local body_head = [==[{body_head}]==]
local body_middle = [==[{body_middle}]==]
local body_tail = [==[{body_tail}]==]
local threads = {{}}
local tokens = {{}}
local counter = 0
local prefix = "run"
thread_number = 0
answered_ok = 0
wrong_answers = 0
exhausted = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  prefix = args[1] or prefix
  local index = 0
  for line in io.lines(args[2]) do
    if index % {threads} == thread_number - 1 then
      table.insert(tokens, line)
    end
    index = index + 1
  end
end

function request()
  counter = counter + 1
  local token = tokens[counter]
  if token == nil then
    exhausted = exhausted + 1
    return wrk.format("GET", "/healthz")
  end
  local key = string.format("%s-%d-%012d", prefix, thread_number, counter)
  return wrk.format(nil, nil, nil, body_head .. token .. body_middle .. key .. body_tail)
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"errors":[]', 1, true)
      and not string.find(body, '"errors":[{{', 1, true) then
    answered_ok = answered_ok + 1
  elseif status < 400 then
    wrong_answers = wrong_answers + 1
  end
end

function answers()
  local ok, wrong, out = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("answered_ok")
    wrong = wrong + thread:get("wrong_answers")
    out = out + thread:get("exhausted")
  end
  return ok, wrong, out
end
"""
    + _DONE
)
_TOKEN_PLACEHOLDER: Final = "@@token@@"
_KEY_PLACEHOLDER: Final = "@@key@@"
_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
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
    errors: int  # socket errors, timeouts, statuses from 400 up, and wrong answers
    # Scripts that look at every answer (M1): 200 and no errors; None when not counted.
    answered_ok: int | None = None
    wrong_answers: int = 0  # other answers below 400 (M1, C1)
    exhausted: int = 0  # C1: requests sent after the run's carts ran out (wrong answers)

    @property
    def failed_requests(self) -> int:
        """Requests that got no answer or an error status: the server may have applied them."""
        return self.errors - self.wrong_answers

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
    _check_long_string(body)
    path = directory / f"{name}.lua"
    path.write_text(_STATIC_TEMPLATE.format(body=body, marker=_RESULT_MARKER), encoding="utf-8")
    return path


def write_cart_add_script(
    directory: Path,
    name: str,
    *,
    document: str,
    variables: Mapping[str, Any],
    tokens: Sequence[str],
) -> Path:
    """A Lua script that POSTs ``document`` with ``variables`` plus ``token`` and ``key``.

    Request n of wrk thread t goes to ``tokens[(n + t * len/2) % len]`` with the key
    ``<prefix>-<t>-<n, 12 digits>``, the prefix being the first argument after the URL
    (``run_wrk(arguments=...)``); each answer is checked (``answered_ok``).
    """
    unsafe = [token for token in tokens if not _SAFE_TOKEN.match(token)]
    if unsafe or not tokens:
        raise ValueError("cart tokens must be non-empty and URL-safe base64")
    head, middle, tail = body_parts(document, variables)
    for part in (head, middle, tail):
        _check_long_string(part)
    path = directory / f"{name}.lua"
    path.write_text(
        _CART_ADD_TEMPLATE.format(
            tokens=", ".join(f'"{token}"' for token in tokens),
            body_head=head,
            body_middle=middle,
            body_tail=tail,
            thread_offset=max(1, len(tokens) // 2),
            marker=_RESULT_MARKER,
        ),
        encoding="utf-8",
    )
    return path


def write_checkout_script(directory: Path, name: str, *, document: str, threads: int) -> Path:
    """A Lua script that POSTs ``document`` with ``token`` and ``key``, each token once.

    Its arguments after the URL (``run_wrk(arguments=...)``): the key prefix, then the
    file of this run's tokens (``write_tokens``).
    """
    head, middle, tail = body_parts(document, {})
    for part in (head, middle, tail):
        _check_long_string(part)
    path = directory / f"{name}.lua"
    path.write_text(
        _CHECKOUT_TEMPLATE.format(
            body_head=head,
            body_middle=middle,
            body_tail=tail,
            threads=threads,
            marker=_RESULT_MARKER,
        ),
        encoding="utf-8",
    )
    return path


def write_tokens(path: Path, tokens: Sequence[str]) -> Path:
    """The tokens of one C1 run, one a line, for ``write_checkout_script``'s script."""
    unsafe = [token for token in tokens if not _SAFE_TOKEN.match(token)]
    if unsafe or not tokens:
        raise ValueError("cart tokens must be non-empty and URL-safe base64")
    path.write_text("".join(f"{token}\n" for token in tokens), encoding="utf-8")
    return path


def body_parts(document: str, variables: Mapping[str, Any]) -> tuple[str, str, str]:
    """JSON text around the token and the key: ``head + token + middle + key + tail``.

    Only for values that need no JSON escaping (URL-safe tokens and keys).
    """
    body = json.dumps(
        {
            "query": document,
            "variables": {**variables, "token": _TOKEN_PLACEHOLDER, "key": _KEY_PLACEHOLDER},
        }
    )
    head, _, rest = body.partition(_TOKEN_PLACEHOLDER)
    middle, _, tail = rest.partition(_KEY_PLACEHOLDER)
    return head, middle, tail


def _check_long_string(text: str) -> None:
    if "]==]" in text:
        raise ValueError("the request body would end the Lua long string early")


def run_wrk(
    wrk: str,
    *,
    url: str,
    script: Path,
    duration_seconds: int,
    connections: int,
    threads: int,
    arguments: Sequence[str] = (),
) -> WrkRun:
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration_seconds}s",
        "--timeout=5s",
        f"--script={script}",
        url,
        # After the URL: the script's init(args), args[1] onwards.
        *arguments,
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
            answered_ok = int(values["answered_ok"])
            wrong_answers = int(values["wrong_answers"])
            errors = wrong_answers + sum(
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
                answered_ok=None if answered_ok < 0 else answered_ok,
                wrong_answers=wrong_answers,
                exhausted=int(values.get("exhausted", 0)),
            )
    raise WrkError(f"wrk printed no result line:\n{output}")
