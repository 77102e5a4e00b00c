"""What /proc says about processes and the machine: trees, peak memory, CPU time.

Linux only, like the rest of the benchmark (wrk, VmHWM). Every read tolerates a process
that exits between listing and reading it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_PROC: Final = Path("/proc")
_TICKS_PER_SECOND: Final = os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, found by parent pid."""
    parents = {pid: parent for pid, parent in _parents().items() if parent is not None}
    tree = [root]
    frontier = {root}
    # Bounded by the number of processes: each pid joins the tree at most once.
    while frontier:
        children = {pid for pid, parent in parents.items() if parent in frontier} - set(tree)
        tree += sorted(children)
        frontier = children
    return tree


def pids_named(command: str) -> list[int]:
    """Processes whose command name (``/proc/<pid>/comm``) is ``command``."""
    found = []
    for pid in _pids():
        try:
            if (_PROC / str(pid) / "comm").read_text().strip() == command:
                found.append(pid)
        except OSError:
            continue
    return found


def status_kib(pid: int, key: str) -> int | None:
    """A kB field of ``/proc/<pid>/status`` such as VmHWM (peak RSS) or VmRSS."""
    try:
        lines = (_PROC / str(pid) / "status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """User plus system CPU time of one process so far (0 once it is gone).

    With ``reaped_children``, add what its exited children used: PostgreSQL's
    postmaster reaps every backend, so a connection that closes during a run still counts.
    """
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the command name (proc(5) numbering): utime 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICKS_PER_SECOND


@dataclass(frozen=True, slots=True)
class MachineCpu:
    busy_seconds: float  # CPU-seconds spent on anything but idle and iowait, all cores
    total_seconds: float


def machine_cpu() -> MachineCpu:
    first = (_PROC / "stat").read_text().splitlines()[0].split()
    # cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is in user).
    values = [int(value) for value in first[1:9]]
    idle = values[3] + values[4]
    return MachineCpu(
        busy_seconds=(sum(values) - idle) / _TICKS_PER_SECOND,
        total_seconds=sum(values) / _TICKS_PER_SECOND,
    )


def load_average() -> float:
    """The one-minute load average: above ~0.5 before a run, something else is busy."""
    return os.getloadavg()[0]


def _pids() -> list[int]:
    return [int(entry.name) for entry in _PROC.iterdir() if entry.name.isdigit()]


def _parents() -> dict[int, int | None]:
    parents: dict[int, int | None] = {}
    for pid in _pids():
        fields = _stat_fields(pid)
        parents[pid] = int(fields[1]) if fields is not None else None
    return parents


def _stat_fields(pid: int) -> list[str] | None:
    """``/proc/<pid>/stat`` after the command name: [state, ppid, pgrp, ...]."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces and parentheses.
    fields = stat.rpartition(")")[2].split()
    return fields if len(fields) > 14 else None
