"""Chapter 11's exercises: a prediction about the learning rate as replicas are added, the
linear scaling rule, a per-replica loss to debug, a `TF_CONFIG` to build and a run to diagnose.

Nothing here imports Keras or TensorFlow: the checkers run NumPy and plain Python only.
"""

from __future__ import annotations

import json

import numpy as np

from kerastutor.exercises.engine import Exercise, the_experiment
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import Case, Property, callable_on, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 11.lr_scaling

TREND = 0.05  # a change of validation accuracy smaller than this is "about the same"


def _accuracies(context) -> tuple[float, float, float]:
    """(fixed at N=1, fixed at N=8, scaled at N=8) from the learner's experiment."""
    experiment = the_experiment(context, "11.lr_scaling")
    one, eight = experiment.result(1), experiment.result(8)
    return float(one["fixed"]), float(eight["fixed"]), float(eight["scaled"])


def _trend(context) -> str:
    one, eight, _scaled = _accuracies(context)
    if eight < one - TREND:
        return "falls"
    if eight > one + TREND:
        return "rises"
    return "stays about the same"


def _evidence(pick, context) -> str:
    one, eight, scaled = _accuracies(context)
    said = _(
        "The run: validation accuracy after one epoch was {one:.3f} on 1 replica (250 steps of "
        "32 images) and {eight:.3f} on 8 replicas with the same learning rate (32 steps of 256)."
    ).format(one=one, eight=eight)
    # In Chinese the two sentences join without a space.
    return _("{said} {why}").format(said=said, why=_(_WHY[pick]).format(scaled=scaled))


_WHY = {
    "rises": N_(
        "A bigger global batch gives a steadier gradient, but that is not what limits "
        "one epoch here: count the updates each run made, and how far each one moves."
    ),
    "stays about the same": N_(
        "The same images were seen once in both runs, but the number "
        "of updates was not the same: what does each update's size depend on?"
    ),
    "falls": N_(
        "Each update still moves the weights by about the learning rate times an "
        "averaged gradient, and the run made 8 times fewer of them. Scaling the rate by 8 "
        "brought it to {scaled:.3f}: the linear scaling rule."
    ),
}


_TREND_OPTIONS = dict.fromkeys(("rises", "stays about the same", "falls"), _evidence)

# ---------------------------------------------------------------- 11.linear_rule

_SQRT_RULE = 0.01 * 8**0.5

# ---------------------------------------------------------------- 11.replica_loss


def _global_mean_share(losses, global_batch_size):
    return float(np.sum(losses) / global_batch_size)


_LOSS_CASES = [
    Case((np.array([1.0, 2.0, 3.0, 4.0]), 8), _global_mean_share, N_("4 losses, global batch 8")),
    Case((np.array([0.5, 0.5]), 4), _global_mean_share, N_("2 losses of a global batch of 4")),
    Case((np.full(16, 2.0), 64), _global_mean_share, N_("16 losses of a global batch of 64")),
]


def _replica_mean(losses, global_batch_size):
    return float(np.mean(losses))


def _replica_sum(losses, global_batch_size):
    return float(np.sum(losses))


# ---------------------------------------------------------------- 11.tf_config

_PORTS = [40001, 40002, 40003]


def _as_function(answer):
    if not callable(answer):
        raise _Malformed(
            _("hand in the function itself, got {got}").format(got=type(answer).__name__)
        )
    return answer


def _configs(function) -> list:
    return [function(list(_PORTS), index) for index in range(len(_PORTS))]


def _dicts(function) -> bool:
    return all(isinstance(c, dict) and {"cluster", "task"} <= set(c) for c in _configs(function))


def _same_cluster(function) -> bool:
    want = {"worker": [f"127.0.0.1:{port}" for port in _PORTS]}
    return all(c["cluster"] == want for c in _configs(function))


def _cluster_failure(function) -> str:
    got = _configs(function)[1]["cluster"]
    return _(
        "for ports {ports} and index 1 its 'cluster' is {got!r}. Every worker needs the same "
        "list of all the workers, under the job name 'worker', each as 'host:port' (host "
        "127.0.0.1), in the order of the ports: a worker's index points into that list."
    ).format(ports=_PORTS, got=got)


def _tasks(function) -> bool:
    return all(
        c["task"] == {"type": "worker", "index": index}
        for index, c in enumerate(_configs(function))
    )


def _task_failure(function) -> str:
    got = [c["task"] for c in _configs(function)]
    return _(
        "for indices 0, 1, 2 its 'task' entries are {got!r}. Each worker's task names its job "
        "type ('worker') and its own index in the cluster list."
    ).format(got=got)


def _json_ready(function) -> bool:
    return all(json.loads(json.dumps(c)) == c for c in _configs(function))


# ---------------------------------------------------------------- 11.diagnose

_DIAGNOSES = {
    "overfitting": N_(
        "Over-fitting shows as training accuracy racing ahead of validation accuracy "
        "after many epochs; here the model saw each image once, and it is behind on both."
    ),
    "learning rate too high": N_(
        "A rate too high makes the loss jump or grow; here it went down "
        "every step, only slowly. Compare the number of steps in the two runs."
    ),
    "too few updates for the learning rate": N_(
        "Right: with 8 GPUs at 32 images each, an epoch "
        "is 8 times fewer steps, and each step moved the weights no further than on one GPU. The "
        "linear rule (learning rate times the number of replicas, with a warm-up) or more epochs "
        "makes up for it; the experiment's blue line shows how much."
    ),
    "replicas out of sync": N_(
        "Replicas out of sync would end with different weights; all 8 "
        "ended identical, as synchronous data parallelism guarantees."
    ),
}


def _lagging(context) -> str:
    """The diagnosis the learner's run supports: its N=8, fixed-rate run must lag N=1."""
    one, eight, _scaled = _accuracies(context)
    if eight < one - TREND:
        return "too few updates for the learning rate"
    return "none: the run shows no lag"


EXERCISES = [
    Exercise(
        key="11.lr_scaling",
        kind="predict",
        prompt=N_(
            "Each replica keeps 32 images per step, so N replicas make a global batch of "
            "32N, and SGD's learning rate stays at 0.05. After one epoch on 8,000 images, what "
            "happens to the validation accuracy as N goes from 1 to 8? One of 'rises', 'stays "
            "about the same', 'falls'."
        ),
        checker=choice(_TREND_OPTIONS, _trend),
        hints=(
            N_(
                "Count the steps of one epoch: 8,000 images in batches of 32, then in batches of "
                "256. Each step is one update of the weights."
            ),
            N_(
                "One update moves the weights by the learning rate times an averaged gradient. A "
                "bigger batch averages over more images, but does it make the step longer?"
            ),
        ),
        solution=(
            "# read the red line of the plot, or the results behind it\n"
            "one, eight = experiment.result(1)['fixed'], experiment.result(8)['fixed']\n"
            "answer = ('falls' if eight < one - 0.05 else 'rises' if eight > one + 0.05\n"
            "          else 'stays about the same')"
        ),
        wrong="answer = 'stays about the same'",
        setup=(
            "import types\n"
            "results = {1: {'global batch': 32, 'fixed': 0.8905, 'scaled': 0.8905},\n"
            "           8: {'global batch': 256, 'fixed': 0.5765, 'scaled': 0.736}}\n"
            "experiment = types.SimpleNamespace(results=results, result=results.__getitem__)\n"
            "context = {'experiment': experiment}"
        ),
    ),
    Exercise(
        key="11.linear_rule",
        kind="recall",
        prompt=N_(
            "A model was tuned on one GPU with batch 64 and learning rate 0.01. You move it "
            "to 8 GPUs, keeping 64 images per GPU. What learning rate does the linear scaling rule "
            "give?"
        ),
        checker=number(
            0.08,
            tolerance=1e-9,
            right=N_(
                "Right: the global batch grew from 64 to 8 x 64 = 512, 8 times larger, so the "
                "rule multiplies the learning rate by 8. With a warm-up over the first steps, as "
                "large models need."
            ),
            mistakes=[
                (
                    0.01,
                    N_(
                        "that keeps the rate tuned for 64 images, while each step now averages "
                        "over 8 times as many: an epoch makes 8 times fewer, equally small updates."
                    ),
                ),
                (
                    0.00125,
                    N_(
                        "that divides by the number of GPUs; the rule goes the other way: "
                        "fewer, bigger-batch steps each need to move further."
                    ),
                ),
                (
                    _SQRT_RULE,
                    N_(
                        "that is the square-root rule (some use it with adaptive "
                        "optimizers such as Adam); the linear rule is proportional."
                    ),
                ),
            ],
            otherwise=N_("what is the global batch now, and by what factor did it grow?"),
        ),
        hints=(
            N_("What is the global batch with 8 GPUs at 64 images each?"),
            N_("The linear rule: the learning rate grows by the same factor as the global batch."),
        ),
        solution="answer = 0.01 * (8 * 64) / 64",
        wrong="answer = 0.01",
    ),
    Exercise(
        key="11.replica_loss",
        kind="debug",
        prompt=N_(
            "Fix replica_loss(per_image_losses, global_batch_size) so that the sum over the "
            "replicas (what the all-reduce adds up) equals the mean loss over the global batch."
        ),
        checker=callable_on(
            _LOSS_CASES,
            right=N_(
                "Right: each replica divides its sum by the global batch, so the N replicas' "
                "values (and gradients) add up to the global mean: the same step as one device. "
                "tf.nn.compute_average_loss(losses, global_batch_size=...) does exactly this."
            ),
            mistakes=[
                (
                    _replica_mean,
                    N_(
                        "that is still the mean over this replica's own images. The "
                        "all-reduce sums the replicas' gradients, so N replicas give N times the "
                        "global mean: the doubled learning rate of 2 replicas."
                    ),
                ),
                (
                    _replica_sum,
                    N_(
                        "that sums this replica's losses without dividing: the gradient "
                        "grows with the batch size."
                    ),
                ),
            ],
            otherwise=N_("it is not this replica's share of the global mean."),
        ),
        hints=(
            N_(
                "With 2 replicas of 4 images each, the global mean is (sum of all 8 losses) / 8. "
                "What must each replica contribute so that the two contributions add up to that?"
            ),
            N_(
                "Divide by the size of the whole global batch, not by the replica's own number of "
                "images."
            ),
        ),
        solution=(
            "def replica_loss(per_image_losses, global_batch_size):\n"
            "    return np.sum(per_image_losses) / global_batch_size\n"
            "\n"
            "answer = replica_loss"
        ),
        wrong=(
            "def replica_loss(per_image_losses, global_batch_size):\n"
            "    return np.mean(per_image_losses)\n"
            "\n"
            "answer = replica_loss"
        ),
    ),
    Exercise(
        key="11.tf_config",
        kind="build",
        prompt=N_(
            "Write tf_config_for(ports, index): the TF_CONFIG dictionary of worker `index` "
            "in a cluster whose workers listen on 127.0.0.1 at `ports`."
        ),
        checker=object_with(
            object,
            [
                Property(_dicts, N_("it must return a dict with the keys 'cluster' and 'task'.")),
                Property(_same_cluster, _cluster_failure),
                Property(_tasks, _task_failure),
                Property(
                    _json_ready,
                    N_(
                        "TF_CONFIG is a JSON string: the dict must hold only "
                        "strings, numbers, lists and dicts."
                    ),
                ),
            ],
            right=N_(
                "Right: every worker gets the same cluster list and its own index. "
                "json.dumps(...) of it goes into the environment variable TF_CONFIG before "
                "MultiWorkerMirroredStrategy() is created."
            ),
            convert=_as_function,
        ),
        hints=(
            N_(
                "Look at the TF_CONFIG printed in section 6: which part is the same for every "
                "worker, and which part differs?"
            ),
            N_(
                "'cluster' maps the job name 'worker' to a list of 'host:port' strings, one per "
                "port; 'task' holds the type 'worker' and the index."
            ),
        ),
        solution=(
            "def tf_config_for(ports, index):\n"
            "    workers = [f'127.0.0.1:{port}' for port in ports]\n"
            "    return {'cluster': {'worker': workers},\n"
            "            'task': {'type': 'worker', 'index': index}}\n"
            "\n"
            "answer = tf_config_for"
        ),
        wrong=(
            "def tf_config_for(ports, index):  # each worker sees only itself\n"
            "    return {'cluster': {'worker': [f'127.0.0.1:{ports[index]}']},\n"
            "            'task': {'type': 'worker', 'index': index}}\n"
            "\n"
            "answer = tf_config_for"
        ),
    ),
    Exercise(
        key="11.diagnose",
        kind="diagnose",
        prompt=N_(
            "1 GPU to 8, per-GPU batch 32 and learning rate 0.05 kept: validation accuracy "
            "after one epoch is the red point at N = 8 of the experiment. The loss went down every "
            "step and all GPUs ended with identical weights. What went wrong? One of "
            "'overfitting', 'learning rate too high', 'too few updates for the learning rate', "
            "'replicas out of sync'."
        ),
        checker=choice(_DIAGNOSES, _lagging),
        hints=(
            N_(
                "Rule out what the prompt rules out: a loss that went down every step, and "
                "identical weights on every GPU."
            ),
            N_("How many steps did one epoch have on 1 GPU, and on 8?"),
        ),
        solution="answer = 'too few updates for the learning rate'",
        wrong="answer = 'learning rate too high'",
        setup=(
            "import types\n"
            "results = {1: {'global batch': 32, 'fixed': 0.8905, 'scaled': 0.8905},\n"
            "           8: {'global batch': 256, 'fixed': 0.5765, 'scaled': 0.736}}\n"
            "experiment = types.SimpleNamespace(results=results, result=results.__getitem__)\n"
            "context = {'experiment': experiment}"
        ),
    ),
]
