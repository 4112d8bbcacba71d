"""The settings of one training run, validated in one place.

A `Settings` value is what the training panel's controls show and what an `Experiment` runs.
Every rule about a single setting (its type, its range, its choices) lives here, so the panel's
constructor, `panel.set()` and a headless script all refuse the same values with the same
message. Rules that depend on the data or on several settings at once (a pipeline that refuses
class weights, say) are `Experiment.problems`, which asks `kt.check_fit_arguments`.

>>> s = Settings(batch_size=128, epochs=2)
>>> s.replace(learning_rate=0.01).learning_rate
0.01
>>> s.replace(epochs=2.7)
Traceback (most recent call last):
...
ValueError: epochs must be a whole number from 1 to 30, not 2.7.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerastutor.i18n import N_

__all__ = ["Settings", "BATCH_SIZES", "SAMPLE_WEIGHT_RULES", "RANGES"]

#: Batch sizes offered, on a log scale.
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024)

#: The optimizer a Settings' name builds, beyond its learning rate: the panel's "sgd" is SGD
#: with momentum (plain SGD trains this MLP too slowly to compare in a few epochs).
OPTIMIZER_OPTIONS = {"sgd": {"momentum": 0.9}}


def optimizer_label(name: str) -> str:
    """How the panel and the run table name an optimizer setting: `"sgd (momentum 0.9)"`."""
    options = OPTIMIZER_OPTIONS.get(name, {})
    return f"{name} ({', '.join(f'{k} {v}' for k, v in options.items())})" if options else name


#: (low, high) of every numeric setting; the panel's sliders use the same bounds.
RANGES = {
    "epochs": (1, 30),
    "learning_rate": (1e-5, 1.0),
    "validation_split": (0.0, 0.5),
    "class_weight": (0.0, 10.0),
    "loss_weights": (0.0, 5.0),
    "seed": (0, 2**31 - 1),
}


def _rule_none(y: np.ndarray) -> None:
    return None


def _rule_balanced(y: np.ndarray) -> np.ndarray:
    from kerastutor import pipelines

    return pipelines.class_weight_to_sample_weight(y, pipelines.balanced_class_weight(y))


def _rule_mask_half(y: np.ndarray) -> np.ndarray:
    # Every other sample gets weight 0: a loss mask that hides half the data from training.
    weights = np.ones(len(y), dtype="float32")
    weights[1::2] = 0.0
    return weights


#: Sample-weight rules: name -> function of the training labels (None: no weights).
SAMPLE_WEIGHT_RULES: dict[str, Callable[[np.ndarray], np.ndarray | None]] = {
    # Marked for translation (the panel shows them in the learner's language); the keys stay.
    N_("none"): _rule_none,
    N_("balanced (rare classes count more)"): _rule_balanced,
    N_("0/1 mask (every other sample ignored)"): _rule_mask_half,
}


def _scalar(value: Any) -> Any:
    """A NumPy scalar or 0-d array as the Python number it holds; anything else unchanged."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def whole(name: str, value: Any, low: int, high: int) -> int:
    """`value` as an int in [low, high]; 3, 3.0 and np.int64(3) pass, 2.7 and True do not."""
    value = _scalar(value)
    if _is_number(value) and float(value).is_integer() and low <= value <= high:
        return int(value)
    raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}.")


def number(name: str, value: Any, low: float, high: float) -> float:
    """`value` as a float in [low, high] (NumPy scalars accepted, booleans refused)."""
    value = _scalar(value)
    if _is_number(value) and low <= value <= high:
        return float(value)
    raise ValueError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}.")


def choice(name: str, value: Any, options: tuple | list) -> Any:
    value = _scalar(value)
    if isinstance(value, bool) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, not {value!r}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything one training run depends on.

    Args:
        batch_size: samples per step, one of `BATCH_SIZES`.
        epochs: passes over the training data (1 to 30).
        optimizer: `"sgd"` (with momentum 0.9), `"rmsprop"` or `"adam"`.
        learning_rate: from 1e-5 to 1.
        pipeline: how the data reaches `fit`, one of `kt.PIPELINES`.
        validation_split: fraction of the training arrays held out by Keras (0 to 0.5); 0
            validates on the experiment's validation data instead.
        class_weight: None, `"balanced"` or `{class: weight}` with weights from 0 to 10.
        sample_weight: a rule name from `SAMPLE_WEIGHT_RULES`.
        loss_weights: `{output name: weight}` with weights from 0 to 5 (multi-output models).
        seed: seeds weights, shuffling and dropout.
    """

    batch_size: int = 64
    epochs: int = 3
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    pipeline: str = "numpy"
    validation_split: float = 0.0
    class_weight: None | str | Mapping[int, float] = None
    sample_weight: str = "none"
    loss_weights: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        from kerastutor.models import OPTIMIZERS
        from kerastutor.pipelines import PIPELINES

        fix = {
            "batch_size": int(choice("batch_size", self.batch_size, BATCH_SIZES)),
            "epochs": whole("epochs", self.epochs, *RANGES["epochs"]),
            "optimizer": choice("optimizer", self.optimizer, tuple(OPTIMIZERS)),
            "learning_rate": number("learning_rate", self.learning_rate, *RANGES["learning_rate"]),
            "pipeline": choice("pipeline", self.pipeline, tuple(PIPELINES)),
            "validation_split": round(
                number("validation_split", self.validation_split, *RANGES["validation_split"]), 4
            ),
            "class_weight": _class_weight(self.class_weight),
            "sample_weight": choice(
                "sample_weight", self.sample_weight, tuple(SAMPLE_WEIGHT_RULES)
            ),
            "loss_weights": _loss_weights(self.loss_weights),
            "seed": whole("seed", self.seed, *RANGES["seed"]),
        }
        for name, value in fix.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Settings:
        """A new, validated Settings with `changes`; this one is left as it was."""
        known = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            hint = " (the learning rate is learning_rate)" if "lr" in unknown else ""
            raise TypeError(f"Unknown setting {unknown[0]!r}{hint}. Known: {known}.")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """The settings as a plain dict (class_weight: None, 'balanced' or a dict)."""
        out = dataclasses.asdict(self)
        out["loss_weights"] = dict(self.loss_weights)
        if isinstance(self.class_weight, Mapping):
            out["class_weight"] = dict(self.class_weight)
        return out


def _class_weight(value: Any) -> None | str | dict[int, float]:
    value = _scalar(value)
    if value is None or value == "none" or (isinstance(value, Mapping) and not value):
        return None
    if value == "balanced":
        return "balanced"
    if isinstance(value, Mapping):
        out = {}
        for label, weight in value.items():
            label = whole("a class_weight key", label, 0, 2**31 - 1)
            out[label] = number(f"class_weight[{label}]", weight, *RANGES["class_weight"])
        return dict(sorted(out.items()))
    raise ValueError(
        f"class_weight must be None, 'balanced' or a dict {{class: weight}}, not {value!r}."
    )


def _loss_weights(value: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"loss_weights must be a dict {{output name: weight}}, not {value!r}.")
    out = {}
    for output, weight in value.items():
        if not isinstance(output, str):
            raise ValueError(f"loss_weights keys are output names (strings), not {output!r}.")
        out[output] = number(f"loss_weights[{output!r}]", weight, *RANGES["loss_weights"])
    return out
