"""Chapter 2's exercises: where over-fitting sets in as the training set grows (the guided
experiment's prediction), steps per epoch (recall), the epoch to stop at, read off a curve
(diagnose), a colleague's too-good run (diagnose), and 94 % validation accuracy in three epochs
(experiment), which the checker measures itself on the validation split it rebuilds."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kerastutor.backends import set_random_seed
from kerastutor.exercises.engine import Exercise, Malformed, experiment_run, the_experiment
from kerastutor.exercises.factories import Property, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 02.more_data (predict)

#: The two training-set sizes the prediction compares (images of the training split).
SMALL, LARGE = 250, 4000
#: Within this many epochs, two lowest points count as "about the same".
SAME_WITHIN = 2

EARLIER, SAME, LATER = "earlier", "about the same", "later"


def _size_run(context: Mapping[str, Any], size: int) -> dict:
    """The guided experiment's run at one training-set size (run now if not run yet)."""
    experiment = the_experiment(context, "02.more_data", needs=("results",))
    run = experiment_run(
        experiment,
        size,
        no_such_run=_(
            "this experiment has no training-set size {size}: pass the experiment of section 8"
        ).format(size=size),
        not_run_yet=_("this experiment has no run with {size} images yet").format(size=size),
    )
    if not isinstance(run, Mapping) or "val_loss" not in run:
        raise Malformed(_("this experiment's runs hold no val_loss: pass the one of section 8"))
    return run


def _lowest(run: Mapping[str, Any]) -> tuple[int, float, float]:
    """(epoch of the lowest val_loss counted from 1, that val_loss, the last val_loss)."""
    values = [float(v) for v in run["val_loss"]]
    best = int(np.argmin(values))
    return best + 1, values[best], values[-1]


def _more_data_outcome(context: Mapping[str, Any]) -> str:
    """What the runs showed: where the lowest val_loss of the large set sits against the small."""
    small = _lowest(_size_run(context, SMALL))[0]
    large = _lowest(_size_run(context, LARGE))[0]
    if abs(large - small) <= SAME_WITHIN:
        return SAME
    return LATER if large > small else EARLIER


def _more_data_evidence(pick: str, context: Mapping[str, Any]) -> str:
    runs = {size: _size_run(context, size) for size in (SMALL, LARGE)}
    (b_small, v_small, last_small), (b_large, v_large, last_large) = (
        _lowest(runs[SMALL]),
        _lowest(runs[LARGE]),
    )
    epochs = len(runs[LARGE]["val_loss"])
    values = dict(
        small=SMALL,
        b_small=b_small,
        v_small=v_small,
        last_small=last_small,
        epochs=epochs,
        large=LARGE,
        b_large=b_large,
        v_large=v_large,
        last_large=last_large,
    )
    if b_large == epochs:
        told = _(
            "Your runs: with {small} images val_loss was lowest after epoch {b_small} "
            "({v_small:.3f}) and stood at {last_small:.3f} after epoch {epochs}; with {large:,} "
            "images it was lowest after epoch {b_large} ({v_large:.3f})."
        ).format(**values)
    else:
        told = _(
            "Your runs: with {small} images val_loss was lowest after epoch {b_small} "
            "({v_small:.3f}) and stood at {last_small:.3f} after epoch {epochs}; with {large:,} "
            "images it was lowest after epoch {b_large} ({v_large:.3f}) and ended at "
            "{last_large:.3f}."
        ).format(**values)
    if pick == _more_data_outcome(context) == LATER:
        if v_large < v_small:
            why = _(
                "Both runs made the same number of weight updates in every epoch. A few hundred "
                "updates store {small} images; after that, each update fits the particulars of "
                "those images, which new images do not share. {large:,} images take many more "
                "updates to store, so the turn comes after more epochs, and the lowest val_loss "
                "is lower."
            )
        else:
            why = _(
                "Both runs made the same number of weight updates in every epoch. A few hundred "
                "updates store {small} images; after that, each update fits the particulars of "
                "those images, which new images do not share. {large:,} images take many more "
                "updates to store, so the turn comes after more epochs."
            )
        told += " " + why.format(small=SMALL, large=LARGE)
    return told


_MORE_DATA_OPTIONS = {
    EARLIER: N_(
        "you predicted that a bigger training set is memorised sooner, so that its validation "
        "loss turns up after fewer epochs of the same updates."
    ),
    SAME: N_(
        "you predicted that the turn depends on the number of updates alone, not on how many "
        "different images those updates see."
    ),
    LATER: N_("you predicted that more images delay the turn of the validation loss."),
}

# ---------------------------------------------------------------- 02.best_epoch (diagnose)


def _val_loss(context: Mapping[str, Any]) -> list[float]:
    history = context.get("history")
    if history is None:
        raise Malformed(_("pass your History too: check('02.best_epoch', answer, history=history)"))
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, Mapping) or "val_loss" not in logs:
        raise Malformed(
            _(
                "this History has no val_loss; a fit with validation_data=(x_val, y_val) logs it "
                "(validation data, never the test set)"
            )
        )
    return [float(v) for v in logs["val_loss"]]


def _logged(context: Mapping[str, Any], key: str) -> list[float] | None:
    history = context.get("history")
    logs = history.history if hasattr(history, "history") else history
    if isinstance(logs, Mapping) and key in logs and len(logs[key]):
        return [float(v) for v in logs[key]]
    return None


def _best_epoch(context: Mapping[str, Any]) -> int:
    return int(np.argmin(_val_loss(context))) + 1


def _lowest_training_loss(context: Mapping[str, Any]) -> float:
    values = _logged(context, "loss")
    return math.nan if values is None else int(np.argmin(values)) + 1


def _best_accuracy(context: Mapping[str, Any]) -> float:
    values = _logged(context, "val_sparse_categorical_accuracy") or _logged(context, "val_accuracy")
    return math.nan if values is None else int(np.argmax(values)) + 1


def _best_epoch_right(value: int, context: Mapping[str, Any]) -> str:
    values = _val_loss(context)
    if value == len(values):
        return _(
            "Right: val_loss is lowest ({lowest:.4f}) after epoch {epoch}, the last epoch: this "
            "run could have trained for longer."
        ).format(lowest=values[value - 1], epoch=value)
    return _(
        "Right: val_loss is lowest ({lowest:.4f}) after epoch {epoch}; by epoch {epochs} it has "
        "risen to {last:.4f}. Stop there (or keep the weights of that epoch): the epochs after it "
        "stored more of the training images' particulars, which do not carry over to new images."
    ).format(lowest=values[value - 1], epoch=value, epochs=len(values), last=values[-1])


def _best_epoch_otherwise(value: int, context: Mapping[str, Any]) -> str:
    values = _val_loss(context)
    if not 1 <= value <= len(values):
        return _("this run has epochs 1 to {epochs}.").format(epochs=len(values))
    return _("after epoch {epoch} val_loss was {value:.4f}, not the lowest.").format(
        epoch=value, value=values[value - 1]
    )


# ---------------------------------------------------------------- 02.diagnose_run (diagnose)


def colleagues_run(x_train, y_train, x_val, y_val):
    """The run that 02.diagnose_run shows: a colleague's digits model, 500 training images.

    The same set-up as the 500-image run of the chapter's guided experiment (the digits model,
    seeded, 20 epochs of 16 updates), trained for real in a few seconds on the images you
    pass. What went wrong is the exercise, so the code sits here rather than in the notebook;
    `kt.solution("02.diagnose_run")` names it.
    """

    from kerastutor.models import get_compiled_digits_model

    set_random_seed(0)
    model = get_compiled_digits_model()
    x_fit, y_fit = x_train[:500], y_train[:500]
    return model.fit(
        x_fit,
        y_fit,
        batch_size=32,
        epochs=20,
        validation_data=(x_fit, y_fit),  # the mistake: it should be (x_val, y_val)
        verbose=0,
    )


def _run_numbers(context: Mapping[str, Any]) -> dict[str, float]:
    history = context.get("history")
    logs = history.history if hasattr(history, "history") else history
    keys = ("loss", "val_loss", "val_sparse_categorical_accuracy")
    if not isinstance(logs, Mapping) or not all(k in logs and len(logs[k]) for k in keys):
        raise Malformed(
            _("pass the run too: kt.check('02.diagnose_run', answer, history=colleague)")
        )
    loss, val_loss = np.asarray(logs["loss"], float), np.asarray(logs["val_loss"], float)
    accuracy = np.asarray(logs["val_sparse_categorical_accuracy"], float)
    return {
        "epochs": len(loss),
        "first_loss": loss[0],
        "loss": loss[-1],
        "val_loss": val_loss[-1],
        "best_epoch": int(np.argmin(val_loss)) + 1,
        "accuracy": accuracy[-1],
        "below": int((val_loss <= loss).sum()),
        "falls": int((np.diff(val_loss) < 0).sum()),
    }


def _diagnose_says(pick: str, context: Mapping[str, Any]) -> str:
    n = _run_numbers(context)
    curves = _(
        "val_loss fell in {falls} of {intervals} epochs, to {val_loss:.4f} "
        "(training loss {loss:.4f}); it was at or below the training loss in "
        "{below} of {epochs} epochs, and validation accuracy ended at "
        "{accuracy:.3f}."
    ).format(intervals=n["epochs"] - 1, **n)
    if pick == "over-fitting":
        return _(
            "over-fitting shows as a gap: val_loss stops falling and turns up while the training "
            "loss keeps falling. Here {curves} No gap opened."
        ).format(curves=curves)
    if pick == "learning rate too high":
        return _(
            "a learning rate too high makes the loss jump about or climb; here the training loss "
            "fell smoothly, from {first_loss:.2f} to {loss:.4f}."
        ).format(**n)
    if pick == "nothing wrong":
        return _(
            "then 500 training images would have taught this model to name "
            "{accuracy:.1%} of images it never saw, with a validation loss no higher than "
            "its training loss. Here {curves} Compare the 500-image run of the guided "
            "experiment in section 8: the same model, images and updates."
        ).format(accuracy=n["accuracy"], curves=curves)
    return _(
        "Right: {curves} Scores that follow the training scores all the way down come from "
        "images the model trained on: colleagues_run validates on (x_fit, y_fit), the very 500 "
        "images it fits. Such a score says nothing about new images. Hold validation data "
        "apart (kt.split_validation) and pass that, as the chapter does."
    ).format(curves=curves)


_DIAGNOSES = {
    name: _diagnose_says
    for name in ("over-fitting", "learning rate too high", "leak", "nothing wrong")
}

# ---------------------------------------------------------------- 02.three_epochs (experiment)

#: The target: validation accuracy on the chapter's validation split, within this many epochs.
TARGET, MAX_EPOCHS = 0.94, 3


@functools.lru_cache(maxsize=1)
def _validation_split() -> tuple[np.ndarray, np.ndarray]:
    """The chapter's 2,000 validation images, rebuilt: flat, in [0, 1], never trained on."""
    from kerastutor.data import load_mnist, split_validation

    (x_train, y_train), _test = load_mnist("bundled", verbose=False)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
    _fit, (x_val, y_val) = split_validation(x_train, y_train, 2000, seed=0)
    return x_val, y_val


def _model(history) -> Any:
    import keras

    model = getattr(history, "model", None)
    if not isinstance(model, keras.Model):
        raise Malformed(
            _(
                "this History knows no model: hand in what model.fit(...) returned, right after "
                "the fit"
            )
        )
    return model


def _validation_accuracy(history) -> float:
    """The handed-in model's accuracy on the rebuilt validation split (kept on the History,
    with the update count it was measured at, so that checking twice measures once)."""
    model = _model(history)
    measured = getattr(history, "_kt_validation_accuracy", None)
    if measured is not None and measured[0] == _updates_made(history):
        return measured[1]
    x_val, y_val = _validation_split()
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, tuple) and len(shape) > 2 and math.prod(shape[1:]) == 784:
        x_val = x_val.reshape((-1, *shape[1:]))  # a model that reads 28 x 28 images
    scores = np.asarray(model.predict(x_val, batch_size=500, verbose=0))
    if scores.shape != (len(y_val), 10):
        raise Malformed(
            _(
                "the model gives outputs of shape {shape} per image; it must give 10 "
                "scores, one per digit"
            ).format(shape=scores.shape[1:])
        )
    accuracy = float((scores.argmax(axis=1) == y_val).mean())
    history._kt_validation_accuracy = (_updates_made(history), accuracy)
    return accuracy


def _epochs_run(history) -> int:
    return len(getattr(history, "epoch", []) or [])


def _updates_in_this_fit(history) -> int:
    steps = (getattr(history, "params", None) or {}).get("steps") or 0
    return _epochs_run(history) * int(steps)


def _updates_made(history) -> int:
    return int(_model(history).optimizer.iterations)


def _fresh(history) -> bool:
    """No updates before this fit: the optimizer made no more steps than this History ran
    (not checkable when the fit did not know its steps, as with an endless generator)."""
    if not _updates_in_this_fit(history):
        return True
    return _updates_made(history) <= _updates_in_this_fit(history)


def _a_history(answer: Any) -> Any:
    import keras

    if isinstance(answer, keras.Model):
        raise Malformed(
            _(
                "hand in the History that fit returned (it knows its model and how many epochs "
                "it ran), not the model"
            )
        )
    return answer


def _three_epochs_right(history) -> str:
    return _(
        "Right: on the 2,000 validation images (rebuilt here with kt.split_validation, seed 0) "
        "your model scores a validation accuracy of {accuracy:.3f} after "
        "{epochs} epoch(s), {updates} updates. In a fixed "
        "number of epochs the batch size sets how many updates the weights get, and the width "
        "how much each update can learn; both have to be enough."
    ).format(
        accuracy=_validation_accuracy(history),
        epochs=_epochs_run(history),
        updates=_updates_in_this_fit(history),
    )


def _too_low(history) -> str:
    updates = _updates_in_this_fit(history)
    values = dict(
        accuracy=_validation_accuracy(history),
        target=TARGET,
        updates=updates,
        epochs=_epochs_run(history),
    )
    if updates < 100:
        return _(
            "on the 2,000 validation images your model scores a validation accuracy of "
            "{accuracy:.3f}, short of {target}. It made {updates} weight "
            "updates in {epochs} epoch(s): few steps for the weights to learn from."
        ).format(**values)
    return _(
        "on the 2,000 validation images your model scores a validation accuracy of "
        "{accuracy:.3f}, short of {target}. It made {updates} weight "
        "updates in {epochs} epoch(s), plenty for three epochs: what else limits how much each "
        "update can learn?"
    ).format(**values)


_THREE_EPOCHS_PROPERTIES = [
    Property(
        lambda h: 1 <= _epochs_run(h) <= MAX_EPOCHS,
        lambda h: _("this fit ran {epochs} epochs; the budget is 1 to {most}.").format(
            epochs=_epochs_run(h), most=MAX_EPOCHS
        ),
    ),
    Property(
        _fresh,
        lambda h: _(
            "the model had been trained before this fit: its optimizer made "
            "{made} updates, this History only {this_fit}. Build "
            "a fresh model and hand in its one fit."
        ).format(made=_updates_made(h), this_fit=_updates_in_this_fit(h)),
    ),
    Property(lambda h: _validation_accuracy(h) >= TARGET, _too_low),
]


EXERCISES = [
    Exercise(
        key="02.more_data",
        kind="predict",
        prompt=N_(
            "Each run makes 20 epochs of 16 weight updates. With 250 training images "
            "val_loss reaches a lowest point and turns up. With "
            "4,000 images, does that lowest point come 'earlier', at 'about the same' epoch "
            "(within 2), or 'later'?"
        ),
        checker=choice(_MORE_DATA_OPTIONS, _more_data_outcome, explain=_more_data_evidence),
        hints=(
            N_(
                "Move the knob to both sizes and find the dot on each dashed curve: after which "
                "epoch is each validation loss lowest?"
            ),
            N_(
                "Memorising takes updates: how many updates does it take to store 250 images, and "
                "how many to store sixteen times as many?"
            ),
        ),
        solution=f'answer = "{LATER}"  # more images: the turn of val_loss comes after more epochs',
        wrong=f'answer = "{SAME}"',
        setup=(
            "import types\n"
            "small = {'loss': [2.2, 1.5, 0.9, 0.6, 0.4, 0.26, 0.16, 0.1, 0.07, 0.05, 0.03, "
            "0.02],\n"
            "         'val_loss': [1.8, 1.3, 0.95, 0.75, 0.66, 0.641, 0.65, 0.68, 0.7, 0.73, "
            "0.76, 0.8]}\n"
            "large = {'loss': [2.1, 1.2, 0.7, 0.5, 0.4, 0.33, 0.29, 0.26, 0.24, 0.22, 0.2, "
            "0.19],\n"
            "         'val_loss': [1.5, 0.9, 0.6, 0.46, 0.4, 0.36, 0.33, 0.31, 0.3, 0.29, "
            "0.28, 0.27]}\n"
            "experiment = types.SimpleNamespace(results={250: small, 4000: large})\n"
            "context = {'experiment': experiment}"
        ),
    ),
    Exercise(
        key="02.steps_per_epoch",
        kind="recall",
        prompt=N_("How many steps does one epoch of 60,000 samples take at batch size 128?"),
        checker=number(
            469,
            whole=True,
            right=N_(
                "Right: 60,000 / 128 = 468.75, and the last, smaller batch still counts: 469 steps."
            ),
            mistakes=[
                (
                    468,
                    N_(
                        "that is 60,000 // 128, which drops the 96 samples of the last, partial "
                        "batch."
                    ),
                ),
                (128, N_("128 is the number of samples in a batch, not the number of batches.")),
            ],
            otherwise=lambda value: _(
                "{value} steps of 128 samples would cover {samples:,} samples, not 60,000."
            ).format(value=value, samples=value * 128),
        ),
        hints=(
            N_("Each step takes one batch of 128 samples, the last one whatever is left."),
            N_("Keras rounds the number of batches up."),
        ),
        solution="answer = math.ceil(60_000 / 128)  # 469",
        wrong="answer = 468",
    ),
    Exercise(
        key="02.best_epoch",
        kind="diagnose",
        prompt=N_(
            "In the History you pass (a run validated on validation data), after which epoch "
            "(counted from 1) was val_loss lowest? That epoch is the one to stop at."
        ),
        checker=number(
            _best_epoch,
            whole=True,
            right=_best_epoch_right,
            mistakes=[
                (
                    lambda context: _best_epoch(context) - 1,
                    N_(
                        "off by one: Keras counts epochs from 1 when it prints them, as the table "
                        "of kt.history_to_frame does."
                    ),
                ),
                (
                    _lowest_training_loss,
                    N_(
                        "that is where the training loss is lowest. It falls in every epoch while "
                        "the model stores its training images, so it cannot tell you when to stop; "
                        "the validation loss can."
                    ),
                ),
                (
                    _best_accuracy,
                    N_(
                        "that is where validation accuracy is highest. Accuracy only counts the "
                        "argmax; val_loss also punishes confident mistakes, and it rose while "
                        "accuracy crept up: the model grew surer of its wrong answers. The "
                        "question asks for val_loss."
                    ),
                ),
            ],
            otherwise=_best_epoch_otherwise,
        ),
        hints=(
            N_(
                "Make the History a table with kt.history_to_frame: one row per epoch, numbered "
                "from 1 as Keras prints them. Which row has the smallest val_loss?"
            ),
            N_("Look at the val_loss column, not loss and not the accuracy columns."),
        ),
        solution="# the History you check against; in chapter 2: runs['true labels']\n"
        "run = runs['true labels']\n"
        "answer = int(kt.history_to_frame(run)['val_loss'].idxmin())",
        wrong="answer = 1",
        setup=(
            "run = {'loss': [1.4, 0.5, 0.3, 0.16, 0.1],\n"
            "       'val_loss': [0.79, 0.55, 0.47, 0.42, 0.45],\n"
            "       'val_sparse_categorical_accuracy': [0.75, 0.82, 0.85, 0.86, 0.87]}\n"
            "runs = {'true labels': run}\n"
            "context = {'history': run}"
        ),
    ),
    Exercise(
        key="02.diagnose_run",
        kind="diagnose",
        prompt=N_(
            "A colleague trained the digits model on 500 training images for 20 epochs and "
            "reports: no over-fitting at all, validation accuracy 1.000. What went wrong: "
            "'over-fitting', 'learning rate too high', 'leak' or 'nothing wrong'?"
        ),
        checker=choice(_DIAGNOSES, "leak"),
        hints=(
            N_(
                "How well can a model trained on 500 images name digits it has never seen? Compare "
                "the 500-image run of the guided experiment."
            ),
            N_(
                "Validation scores that follow the training scores down to nearly zero loss: which "
                "images could give a model such scores?"
            ),
        ),
        solution='answer = "leak"  # it validated on its own training images',
        wrong='answer = "nothing wrong"',
        setup=(
            "colleague = {'loss': [1.93, 0.80, 0.36, 0.14, 0.05, 0.01],\n"
            "             'val_loss': [1.49, 0.66, 0.34, 0.15, 0.04, 0.009],\n"
            "             'val_sparse_categorical_accuracy': [0.6, 0.86, 0.92, 0.96, 0.99, 1.0]}\n"
            "context = {'history': colleague}"
        ),
    ),
    Exercise(
        key="02.three_epochs",
        kind="experiment",
        prompt=N_(
            "Reach a validation accuracy of at least 0.94 within 3 epochs on "
            "the 8,000 training images: choose the width, the optimizer and the batch size, and "
            "hand in the History your fit returns. The model reads the chapter's inputs (784 "
            "numbers in [0, 1]); the checker measures it itself on the 2,000 validation images."
        ),
        checker=object_with(
            "keras.callbacks.History",
            _THREE_EPOCHS_PROPERTIES,
            right=_three_epochs_right,
            convert=_a_history,
        ),
        hints=(
            N_(
                "Count the weight updates first: how many does a batch of 1,024 give in three "
                "epochs of 8,000 images? Section 8 showed what fewer, smoother updates cost."
            ),
            N_(
                "If more updates alone leave you short of the target, give the layers a few "
                "hundred units as well."
            ),
        ),
        solution="answer = attempt(width=512, optimizer='rmsprop', batch_size=64)",
        wrong="answer = attempt()  # 64 units, batch size 1024: 24 updates in all",
        setup=(
            "(x_train, y_train), _ = kt.load_mnist('bundled', verbose=False)\n"
            "x_train = x_train.reshape(-1, 784).astype('float32') / 255.0\n"
            "(x_train, y_train), (x_val, y_val) = kt.split_validation(x_train, y_train, 2000, "
            "seed=0)\n"
            "\n"
            "def attempt(width=64, optimizer='rmsprop', batch_size=1024):\n"
            "    kt.set_random_seed(0)\n"
            "    inputs = keras.Input(shape=(784,))\n"
            "    x = keras.layers.Dense(width, activation='relu')(inputs)\n"
            "    x = keras.layers.Dense(width, activation='relu')(x)\n"
            "    model = keras.Model(inputs, keras.layers.Dense(10)(x))\n"
            "    model.compile(\n"
            "        optimizer=optimizer,\n"
            "        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
            "        metrics=['sparse_categorical_accuracy'],\n"
            "    )\n"
            "    return model.fit(x_train, y_train, batch_size=batch_size, epochs=3,\n"
            "                     validation_data=(x_val, y_val), verbose=0)\n"
            "\n"
            "context = {}"
        ),
    ),
]
