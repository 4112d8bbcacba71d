"""The course's kernel manager makes room by shutting down the least recently used idle
kernel, only under a memory limit, and never a busy one."""

import asyncio
import datetime
import types

import pytest

pytest.importorskip("jupyter_server")

from kerastutor.kernels import CourseKernelManager, memory_limit  # noqa: E402

GIB = 2**30


def _manager(limit, kernels, used):
    manager = CourseKernelManager(memory_limit=limit)
    now = datetime.datetime.now(datetime.UTC)
    for i, (kernel_id, state) in enumerate(kernels):
        manager._kernels[kernel_id] = types.SimpleNamespace(
            execution_state=state, last_activity=now + datetime.timedelta(seconds=i)
        )
    usage = {"bytes": used}
    shut = []

    async def shutdown_kernel(kernel_id, *args, **kwargs):
        shut.append(kernel_id)
        del manager._kernels[kernel_id]
        usage["bytes"] -= GIB

    manager.shutdown_kernel = shutdown_kernel
    manager.used_memory = lambda: usage["bytes"]
    return manager, shut


def test_the_least_recently_used_idle_kernel_goes_first():
    manager, shut = _manager(
        2 * GIB, [("ch00", "idle"), ("ch01", "busy"), ("ch02", "idle")], used=int(2.2 * GIB)
    )
    assert asyncio.run(manager.make_room()) == ["ch00", "ch02"]  # ch01 is busy: kept
    assert shut == ["ch00", "ch02"]


def test_nothing_is_shut_down_with_room_or_without_a_limit(monkeypatch):
    manager, shut = _manager(8 * GIB, [("ch00", "idle")], used=GIB)
    assert asyncio.run(manager.make_room()) == []
    monkeypatch.delenv("MEM_LIMIT", raising=False)
    monkeypatch.setattr("kerastutor.kernels.memory_limit", lambda: 0)
    manager, shut = _manager(0, [("ch00", "idle")], used=100 * GIB)
    assert asyncio.run(manager.make_room()) == [] and shut == []


def test_memory_limit_reads_binders_variable():
    assert memory_limit({"MEM_LIMIT": str(2 * GIB)}) == 2 * GIB
    assert memory_limit({"MEM_LIMIT": "lots"}) == memory_limit({})
