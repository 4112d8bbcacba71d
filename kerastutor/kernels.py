"""The course's kernel manager: JupyterLab's kernels kept within the machine's memory limit.

A course kernel peaks at 0.5-1.2 GiB (0.7-0.9 on TensorFlow, which alone is about 0.6; more on
JAX in the chapters that also load TensorFlow: benchmarks/results/backends.md), and JupyterLab
keeps a notebook's kernel alive after a learner moves on, so on Binder's 2 GB the third chapter
would be killed. Before it starts a kernel, `CourseKernelManager` makes room for it: while the
server and its kernels plus one more chapter (`kernel_reserve`, 1.5 GiB: a notebook's 1 GiB
budget and the worker processes chapter 11 starts) would exceed the memory limit, it shuts down
the idle kernel used least recently, and logs why. The notebook stays open with its outputs;
running a cell again starts a fresh kernel.

The limit is `memory_limit`, or else Binder's `MEM_LIMIT`, or else the cgroup's limit (none on
a laptop: nothing is ever shut down there). `kerastutor lab` and Binder use it through the
configuration in `kerastutor/jupyter_config/` (see `kerastutor.cli.server_env`).

>>> round(_rss(os.getpid()) / 2**20) > 0   # this process's memory, in MiB
True
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer

__all__ = ["CourseKernelManager", "memory_limit"]


def _rss(pid: int) -> int:
    """Memory of a process in bytes, as a cgroup charges it: its proportional set size (a page
    shared by n processes, such as TensorFlow's library mapped by every kernel or a forked
    worker's copy-on-write pages, counts 1/n in each), else its resident size; 0 if it is gone.
    """
    for path, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return 0


def _tree(pid: int) -> list[int]:
    """`pid` and every process it started, directly or not (Linux)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += parents.get(current, [])
    return found


def tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants, in bytes (shared pages counted once)."""
    return sum(_rss(p) for p in _tree(pid))


def memory_limit(environ: dict | None = None) -> int:
    """The memory limit this server lives under, in bytes; 0 when there is none.

    >>> memory_limit({"MEM_LIMIT": "2147483648"})
    2147483648
    """
    environ = os.environ if environ is None else environ
    if environ.get("MEM_LIMIT", "").strip().isdigit():  # set by Binder (BinderHub)
        return int(environ["MEM_LIMIT"])
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # "max" or a huge number: no limit
            return int(text)
    return 0


class CourseKernelManager(AsyncMappingKernelManager):
    """A kernel manager that shuts down the least recently used idle kernel to make room.

    Configure it as the server's `kernel_manager_class`; its traits are set like any other
    (`--CourseKernelManager.memory_limit=...`).
    """

    memory_limit = Integer(
        0,
        config=True,
        help="Bytes the server and its kernels may use together; 0: Binder's MEM_LIMIT, else "
        "the cgroup's limit, else none.",
    )
    kernel_reserve = Integer(
        3 * 2**29,
        config=True,
        help="Room to make for a starting kernel: 1.5 GiB, a course notebook's 1 GiB budget "
        "and the child processes a chapter may start (chapter 11's kernel and two workers "
        "peak near 1.4 GiB).",
    )

    def _limit(self) -> int:
        return self.memory_limit or memory_limit()

    def _kernel_pid(self, kernel_id: str) -> int | None:
        kernel = self._kernels.get(kernel_id)
        provisioner = getattr(kernel, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def used_memory(self) -> int:
        """Resident memory of this server (and what it started), in bytes."""
        return tree_rss(os.getpid())

    async def make_room(self, reserve: int | None = None) -> list[str]:
        """Shut down idle kernels, least recently used first, until `reserve` bytes more fit
        under the limit. Returns the ids of the kernels shut down."""
        limit = self._limit()
        reserve = self.kernel_reserve if reserve is None else reserve
        shut: list[str] = []
        while limit:
            used = self.used_memory()
            if used + reserve <= limit:
                break
            idle = [
                kernel_id
                for kernel_id in self.list_kernel_ids()
                if getattr(self._kernels[kernel_id], "execution_state", "") == "idle"
            ]
            if not idle:
                self.log.warning(
                    "Memory is short (%d MiB used of %d MiB) and no kernel is idle.",
                    used >> 20,
                    limit >> 20,
                )
                break
            oldest = min(idle, key=lambda k: self._kernels[k].last_activity)
            pid = self._kernel_pid(oldest)
            self.log.info(
                "Shutting down kernel %s (least recently used, %d MiB) to make room for a new "
                "one: %d MiB used of a %d MiB limit. Its notebook stays open; run a cell to "
                "start it again.",
                oldest,
                (tree_rss(pid) if pid else 0) >> 20,
                used >> 20,
                limit >> 20,
            )
            await self.shutdown_kernel(oldest)
            shut.append(oldest)
        return shut

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs) -> str:
        if kernel_id is None or kernel_id not in self:
            try:
                await self.make_room()
            except Exception as exc:  # never let housekeeping stop a kernel from starting
                self.log.warning("Could not make room for a new kernel: %s", exc)
        return await super().start_kernel(kernel_id=kernel_id, **kwargs)
