"""kerastutor: a teaching toolkit for training and evaluating Keras models.

Modules, by what a learner would call them:

- `kerastutor.data`: MNIST (online, from a directory, or the bundled offline subset) and the
  tutorials' seeded synthetic data.
- `kerastutor.models`: the tutorials' models, custom losses and metrics, name lookups.
- `kerastutor.pipelines`: one data set fed five ways (NumPy, PyDataset, tf.data, torch, generator).
- `kerastutor.callbacks`: Keras callbacks of the course, among them `LivePlot`.
- `kerastutor.checkpoints`: resuming after a crash from the newest complete checkpoint.
- `kerastutor.plots`: training curves of finished runs, and histories as pandas tables.
- `kerastutor.diagrams`: pictures of how training works (the loop, prefetch, callback hooks).
- `kerastutor.widgets`: the training panel, the run board and the batch-size explorer.
- `kerastutor.exercises`: checked exercises, and `expect_error` for cells that must fail.
- `kerastutor.record`: which exercises a learner has solved (`progress()`), across kernels.
- `kerastutor.backends`: which Keras backend runs, seeding on any backend, `%%only_on`.
- `kerastutor.cli`: the `kerastutor` command (notebooks, lab, doctor); `doctor()` checks a set-up.
- `kerastutor.i18n`: the language of kerastutor's messages (`set_language("zh")`: Chinese).
- `kerastutor.editions`: the course in a language (the Chinese edition, `notebooks/zh/`).

Every public name is also available here (`kerastutor.load_mnist`, ...). Names are imported
on first use, so `import kerastutor` is instant and loads neither TensorFlow, torch,
ipywidgets nor matplotlib. It does install one import hook: when TensorFlow is first imported,
its known C++ start-up lines are filtered out of stderr and everything else passes
(`kerastutor._quiet`; `KERASTUTOR_QUIET=0` turns it off).

>>> import kerastutor as kt
>>> kt.get_digits_model().count_params()
55050
"""

from __future__ import annotations

import lazy_loader

from kerastutor import _quiet
from kerastutor import backends as _backends

# By design, importing kerastutor filters TensorFlow's known C++ start-up lines (and only
# those) out of stderr when TensorFlow is first imported; every notebook imports kerastutor
# first, so the course is quiet in any front end. KERASTUTOR_QUIET=0 turns it off. See
# kerastutor/_quiet.py.
_quiet.install()
# In IPython, the `%%only_on tensorflow` cell magic (kerastutor/backends.py) marks the few cells
# that teach one backend's detail; registering it imports nothing heavy.
_backends.register_magics()
# On JAX or torch, Keras's saving and seeding would import TensorFlow (~400 MiB) only to ask
# whether an object is a TensorFlow one; kerastutor/backends.py answers "not loaded" instead.
# On torch it also runs one intra-op thread (unless OMP_NUM_THREADS is set): small models.
_backends.keep_tensorflow_unloaded()

__version__ = "0.1.0"

# The public names and the modules they come from are listed once, in __init__.pyi (which
# editors read too); lazy_loader imports each module on first use of one of its names.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
