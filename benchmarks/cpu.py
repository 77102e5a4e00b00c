"""Where the machine's CPU went during a run: the server, the load generator, and others.

The targets hold on a 2-core machine shared by server, database and wrk only. Other
work (a test suite, a build) makes req/s lower than the code deserves, so each run
records how many cores went to processes outside the benchmark, and the server's CPU
time per request, which depends much less on what else runs.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass

from benchmarks.processes import cpu_seconds, machine_cpu, pids_named, process_tree


@dataclass(frozen=True, slots=True)
class CpuSample:
    at_seconds: float
    machine_busy_seconds: float
    server_seconds: float
    postgres_seconds: float
    children_seconds: float  # reaped children of this process: each finished wrk run
    own_seconds: float


@dataclass(frozen=True, slots=True)
class CpuUsage:
    wall_seconds: float
    server_seconds: float
    others_seconds: float  # machine busy time not spent by server, PostgreSQL, wrk or us

    @property
    def server_cores(self) -> float:
        return self.server_seconds / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def others_cores(self) -> float:
        return self.others_seconds / self.wall_seconds if self.wall_seconds else 0.0


def sample(server_pid: int) -> CpuSample:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = os.times()
    return CpuSample(
        at_seconds=time.monotonic(),
        machine_busy_seconds=machine_cpu().busy_seconds,
        server_seconds=sum(cpu_seconds(pid) for pid in process_tree(server_pid)),
        postgres_seconds=sum(
            cpu_seconds(pid, reaped_children=True) for pid in pids_named("postgres")
        ),
        children_seconds=children.ru_utime + children.ru_stime,
        own_seconds=own.user + own.system,
    )


def usage(before: CpuSample, after: CpuSample) -> CpuUsage:
    server = after.server_seconds - before.server_seconds
    accounted = (
        server
        # A backend that exits between two samples is only partly counted; never below 0.
        + max(after.postgres_seconds - before.postgres_seconds, 0.0)
        + (after.children_seconds - before.children_seconds)
        + (after.own_seconds - before.own_seconds)
    )
    busy = after.machine_busy_seconds - before.machine_busy_seconds
    return CpuUsage(
        wall_seconds=after.at_seconds - before.at_seconds,
        server_seconds=server,
        others_seconds=max(busy - accounted, 0.0),
    )
