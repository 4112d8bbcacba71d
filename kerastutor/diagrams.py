"""Diagrams of the course: pictures of how training works, drawn by code at run time.

Each function returns a `matplotlib.figure.Figure` (shown when it is a cell's last value) and
names the chapter that uses it. No binary image is committed: every figure is drawn here.
"""

from __future__ import annotations

__all__ = [
    "draw_training_loop",
    "draw_prefetch",
    "draw_callback_hooks",
]


def draw_training_loop(*args, **kwargs):
    """Chapter 2: epochs, batches and steps of `fit`, drawn as a timeline."""
    raise NotImplementedError("being written for chapter 2")


def draw_prefetch(*args, **kwargs):
    """Chapter 5: input preparation and training steps, without and with `prefetch`."""
    raise NotImplementedError("being written for chapter 5")


def draw_callback_hooks(*args, **kwargs):
    """Chapter 8: the order in which `fit` calls a callback's hooks."""
    raise NotImplementedError("being written for chapter 8")
