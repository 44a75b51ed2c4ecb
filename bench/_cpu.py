"""CPU accounting and CPU quotas for the benches that run several processes on one small machine.

``Quota`` puts a process in a cgroup of its own with a CPU limit (``cpu.max`` on cgroup v2, or
``cpu.cfs_quota_us`` on the v1 ``cpu`` controller): a worker limited to 0.45 of a core is CPU-bound while
PostgreSQL, the fake Bot API and the load generator keep the rest of the machine, which is how a worker
with a core of its own behaves on a bigger machine. It needs root (CI runs as root); ``Quota.available()``
says why not otherwise. ``Machine`` reads how busy the whole machine was (``/proc/stat``).
"""

from __future__ import annotations

import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


def _root() -> tuple[Path, int] | None:
    """The cgroup folder under which bench groups go, and its version, when the cpu controller is writable."""
    controllers = CGROUP / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        subtree = CGROUP / "cgroup.subtree_control"
        if "cpu" not in subtree.read_text().split():
            subtree.write_text("+cpu")  # the children of the root group get the cpu controller
        return CGROUP, 2
    if (CGROUP / "cpu" / "cpu.cfs_quota_us").exists():
        return CGROUP / "cpu", 1
    return None


class Quota:
    """A cgroup limiting its processes to ``cores`` of CPU (e.g. 0.45)."""

    def __init__(self, name: str, cores: float) -> None:
        found = _root()
        if found is None:
            raise RuntimeError("no cgroup cpu controller at /sys/fs/cgroup")
        root, self.version = found
        self.path = root / f"smce-bench-{name}-{os.getpid()}"
        self.path.mkdir(exist_ok=True)
        quota = max(1000, int(cores * PERIOD_US))
        if self.version == 2:
            (self.path / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (self.path / "cpu.cfs_quota_us").write_text(str(quota))

    @staticmethod
    def available() -> str | None:
        """``None`` when quotas can be set here, else why not."""
        try:
            probe = Quota("probe", 1.0)
        except (OSError, RuntimeError) as e:
            return f"CPU quotas need a writable cgroup cpu controller (root): {e}"
        probe.remove()
        return None

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def throttled_seconds(self) -> float:
        """How long the group's processes waited for their quota (0 when the file says nothing)."""
        for line in (self.path / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "throttled_usec":
                return int(value) / 1e6
            if key == "throttled_time":  # v1: nanoseconds
                return int(value) / 1e9
        return 0.0

    def remove(self) -> None:
        """Move what is left to the parent group, then delete the group."""
        try:
            for pid in (self.path / "cgroup.procs").read_text().split():
                (self.path.parent / "cgroup.procs").write_text(pid)
            self.path.rmdir()
        except OSError:
            pass


class Machine:
    """How busy every core of the machine was between ``start()`` and ``busy()``: 1.0 means all of them."""

    def __init__(self) -> None:
        self.first = self._read()

    @staticmethod
    def _read() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    def start(self) -> None:
        self.first = self._read()

    def busy(self) -> float:
        total, idle = self._read()
        spent = total - self.first[0]
        return 1.0 - (idle - self.first[1]) / spent if spent else 0.0
