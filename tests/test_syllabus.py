"""Every item of the syllabus is taught: each maps to code that a notebook actually runs.

The map below is the syllabus (../shared/SYLLABUS.md) row by row; each item names the code a
notebook's cells must contain. A notebook that drops an item fails here.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SYLLABUS = {
    "01_quickstart.ipynb": {
        "load MNIST": r"kt\.load_mnist\(",
        "normalise": r"/ 255\.0",
        "Flatten(28x28)": r"keras\.Input\(shape=\(28, 28\)\)[\s\S]*layers\.Flatten\(\)",
        "Dense(128, relu)": r"Dense\(128, activation=\"relu\"\)",
        "Dropout(0.2)": r"Dropout\(0\.2\)",
        "Dense(10) logits": r"layers\.Dense\(10\)",
        "softmax of logits": r"keras\.ops\.softmax\(",
        "from_logits loss": r"SparseCategoricalCrossentropy\(from_logits=True\)",
        "initial loss near ln(10)": r"math\.log\(10\)",
        "compile adam": r"compile\(optimizer=\"adam\"",
        "fit": r"model\.fit\(",
        "evaluate": r"model\.evaluate\(",
        "predict": r"\.predict\(",
        "Softmax probability model": r"Sequential\(\[model, keras\.layers\.Softmax\(\)\]\)",
        "validation split held apart": r"kt\.split_validation\(x_train, y_train, 2000, seed=0\)",
        "fit validates on validation data": (
            r"model\.fit\([\s\S]*?validation_data=\(x_val, y_val\)"
        ),
        "test evaluated once, at the end": (
            r"test_loss, test_accuracy = model\.evaluate\(x_test, y_test"
        ),
        "test below validation, within 4 points": (
            r"test_accuracy < val_accuracy[\s\S]*val_accuracy - test_accuracy < 0\.04"
        ),
        "batch_size defaults to 32": r"history\.params\[\"steps\"\] == 8000 // 32 == 250",
        "the name accuracy becomes SparseCategoricalAccuracy": (
            r"metrics\[-1\]\.metrics\[0\]\)\.__name__ == \"SparseCategoricalAccuracy\""
        ),
        "initial-loss check: what it catches and misses": (
            r"\"pixels left at 0-255\"[\s\S]*caught = \[[\s\S]*missed = \["
        ),
        "softmax by hand vs keras.ops.softmax": (
            r"np\.exp\(z\) / np\.exp\(z\)\.sum\(\)[\s\S]*np\.allclose\(by_hand, by_keras"
        ),
        "cross-entropy by hand vs the Keras loss": r"abs\(by_hand - by_keras\) < 1e-5",
        "from_logits=True is stable": (
            r"math\.isinf\(softmax_then_log\)[\s\S]*abs\(from_logits - exact\) < 1e-3"
        ),
        "figure: probabilities before and after training": (
            r"ax\.bar\(range\(10\), probs[\s\S]*probs_after\[label\] > 0\.9"
        ),
        "training loss above validation loss: dropout, running mean": (
            r"epochs=1[\s\S]*training=True[\s\S]*assert logged - dropout_on > 0\.8 \* gap"
            r"[\s\S]*assert 0\.02 < dropout_on - inference"
        ),
        "Sequential.add": r"model\.add\(keras\.Input\(shape=\(28, 28\)\)\)",
        "Sequential.pop": r"head = body\.pop\(\)[\s\S]*len\(body\.layers\) == 3",
        "older tutorial: from_logits=False applies no softmax": (
            r"SparseCategoricalCrossentropy\(from_logits=False\)[\s\S]*abs\(wrong - right\) > 1\.0"
        ),
        "older tutorial: string loss on logits trains badly": (
            r"loss=\"sparse_categorical_crossentropy\"[\s\S]*mismatched_accuracy <"
        ),
        "older tutorial: tf.keras is Keras 3": r"tf\.keras\.Sequential is keras\.Sequential",
        "older tutorial: input_shape= on a layer": (
            r"expect_error\(UserWarning, match=\"input_shape\""
        ),
        "older tutorial: lr=": r"expect_error\(ValueError, match=\"lr\"\)",
        "older tutorial: loss_reduction / Reduction": (
            r"match=\"loss_reduction\"[\s\S]*match=\"Reduction\"[\s\S]*reduction=\"sum\""
        ),
    },
    "02_fit_evaluate_predict.ipynb": {
        "functional digits model": r"keras\.Input\(shape=\(784,\), name=\"digits\"\)",
        "layer names": r"name=\"dense_1\"[\s\S]*name=\"dense_2\"[\s\S]*name=\"predictions\"",
        "compile with objects": r"optimizer=keras\.optimizers\.RMSprop\(",
        "compile with strings": r"optimizer=\"rmsprop\"",
        "validation_data": r"validation_data=\(x_val, y_val\)",
        "History as pandas": r"kt\.history_to_frame\(history\)",
        "validation_split pitfall": r"validation_split=0\.2",
        "evaluate return_dict": r"return_dict=True",
        "predict shape": r"predictions\.shape",
        "2000 / 500 = 4 iterations": r"math\.ceil\(2000 / 500\) == 4",
        "batch size widget": r"explorer\.widget",
        "verbose 0/1/2": r"verbose=2",
        "initial_epoch": r"initial_epoch=",
        "steps_per_epoch": r"steps_per_epoch=10",
        # issue 10: method, explanations, figure, list 4 and list 5
        "validation split held apart from the test set": (
            r"kt\.split_validation\(x_train, y_train, 2000, seed=0\)"
        ),
        "three sets drawn": r"kt\.plot_data_split\(len\(x_train\), len\(x_val\), len\(x_test\)\)",
        "training loop figure": r"kt\.draw_training_loop\(2000, 300, epochs=2\)",
        "steps = ceil(n / batch), the last batch smaller": (
            r"five_at_a_time = batches_seen\(12, 5\)[\s\S]*"
            r"five_at_a_time == \[\[0, 1, 2, 3, 4\], \[5, 6, 7, 8, 9\], \[10, 11\]\]"
        ),
        "batch_size defaults to 32": r"math\.ceil\(2000 / 32\) == 63",
        "shuffle reorders training data each epoch": (
            r"batches_seen\(12, 4, epochs=3, shuffle=True\)"
        ),
        "shuffle with a global seed: one order (TensorFlow), a new one (JAX, torch)": (
            r"len\(orders_seeded\) == \(1 if keras\.backend\.backend\(\) == \"tensorflow\" else 3\)"
        ),
        "shuffle=False on label-sorted data": r"assert \(guesses\[False\] == 9\)\.mean\(\) > 0\.9",
        "PyDataset: shuffle reorders whole batches": (
            r"class SortedBatches\(keras\.utils\.PyDataset\)[\s\S]*"
            r"sorted\(epoch\) == list\(range\(len\(sorted_batches\)\)\)"
            r" and epoch != sorted\(epoch\)"
        ),
        "shuffle ignored for a generator (and tf.data)": r"\"will be ignored\" in messages\[0\]",
        "validation_data overrides validation_split": (
            r"validation_split=0\.5,\s*validation_data=\(x_val, y_val\)[\s\S]*"
            r"abs\(logged - on_x_val\) < 1e-4"
        ),
        "validation_split needs arrays": (
            r"with kt\.expect_error\(ValueError, match=\"validation_split\"\):\s*"
            r"both\.fit\(sorted_batches, validation_split=0\.2"
        ),
        "bigger batches: faster epochs (timed warm)": (
            r"epoch_seconds\[1024\] < epoch_seconds\[16\]"
        ),
        "epochs panel validates on validation data": (
            r"kt\.TrainingPanel\(data=\(\(x_train, y_train\), \(x_val, y_val\)\)"
        ),
        "over-fitting: val_loss rises after its minimum": (
            r"true_run\[\"val_loss\"\]\.iloc\[-1\] > true_run\[\"val_loss\"\]\.min\(\)"
        ),
        "random-labels experiment": (
            r"permutation\(y_small\)[\s\S]*"
            r"random_run\[\"val_sparse_categorical_accuracy\"\]\.max\(\) < 0\.2"
        ),
        "best epoch read on validation data": (
            r"kt\.check\(\"02\.best_epoch\", answer, history=runs\[\"true labels\"\]\)"
        ),
        "test set once, at the end": r"final = model\.evaluate\(x_test, y_test",
        "older tutorial: nb_epoch": r"kt\.expect_error\(TypeError, match=\"nb_epoch\"\)",
        "older tutorial: samples_per_epoch": (
            r"kt\.expect_error\(TypeError, match=\"samples_per_epoch\"\)"
        ),
        "older tutorial: fit_generator and friends": (
            r"\"fit_generator\", \"evaluate_generator\", \"predict_generator\""
        ),
        "older tutorial: metrics_names zip vs return_dict": (
            r"dict\(zip\(model\.metrics_names, model\.evaluate\(x_val"
        ),
        "older tutorial: progress counts steps, not samples": (
            r"log\.startswith\(\"63/63\"\) and \"samples\" not in log"
        ),
    },
    "03_losses_and_metrics.ipynb": {
        "mse": r"\"mse\"",
        "mae": r"\"mae\"",
        "binary crossentropy": r"BinaryCrossentropy\(\)",
        "categorical crossentropy": r"CategoricalCrossentropy\(\)",
        "sparse categorical crossentropy": r"SparseCategoricalCrossentropy\(\)",
        "KLDivergence": r"KLDivergence\(\)",
        "CosineSimilarity": r"CosineSimilarity\(\)",
        "to_categorical": r"keras\.utils\.to_categorical\(",
        "from_logits": r"from_logits=True",
        "reduction sum": r"reduction=\"sum\"",
        "custom loss function": r"def mean_abs_error\(y_true, y_pred\)",
        "Loss subclass": r"class \w+\(keras\.losses\.Loss\)",
        "accuracy metrics by name": r"\"sparse_categorical_accuracy\"[\s\S]*\"binary_accuracy\"",
        "top-k": r"TopKCategoricalAccuracy\(k=3",
        "AUC, Precision, Recall": r"AUC\(\)[\s\S]*Precision\(\)[\s\S]*Recall\(\)",
        "custom metric function": r"def mean_pred\(y_true, y_pred\)",
        "Metric subclass with reset_state": (
            r"class \w+\(keras\.metrics\.Metric\)[\s\S]*def reset_state"
        ),
        "weighted_metrics": r"weighted_metrics=",
        # issue 10: method, explanations, figure, list 4 and list 5
        "validation split": r"kt\.split_validation\(x_train, y_train, 2000, seed=0\)",
        "losses by hand, checked against name and object": (
            r"def check_loss\([\s\S]*assert np\.allclose\(\[by_name, by_object\], by_hand"
        ),
        "MSE -> mean, MAE -> median": r"np\.median\(targets\)",
        "KL = crossentropy - entropy": r"np\.isclose\(kl, crossentropy - entropy",
        "cosine ignores length": r"CosineSimilarity\(\)\(y_soft, 10 \* p_dist\)",
        "loss curves figure": r"ax_prob\.plot\(p, ce_of_p[\s\S]*ax_logit\.plot\(z, ce_of_z",
        "reduction none and sum_over_batch_size": (
            r"reduction=\"none\"[\s\S]*\"sum_over_batch_size\", \"sum\""
        ),
        "losses compared on validation data": r"validation_data=\(x_val, y_val_hot\)",
        '"accuracy" resolved from shapes': (
            r"\{\"CategoricalAccuracy\"\}[\s\S]*== \"SparseCategoricalAccuracy\""
            r"[\s\S]*== \"BinaryAccuracy\""
        ),
        "top_k_categorical_accuracy by name": (
            r"\"top_k_categorical_accuracy\"[\s\S]*\"sparse_top_k_categorical_accuracy\""
        ),
        "metric function mean_absolute_error": (
            r"keras\.metrics\.mean_absolute_error\][\s\S]*"
            r"keras\.metrics\.mean_absolute_error\(y_val_hot"
        ),
        "F1Score / FBetaScore": r"F1Score\(threshold=0\.5\)[\s\S]*FBetaScore\(beta=2\.0",
        "F-scores by hand": r"f1_by_hand = 2 \* precision \* recall / \(precision \+ recall\)",
        "F-beta widget": r"widgets\.interact\(f_beta",
        "older: np_utils": r"from keras\.utils\.np_utils import to_categorical",
        "older: K.mean": r"import keras\.backend as K\s+K\.mean\(",
        "older: metrics.mae, fbeta_score": (
            r"keras\.metrics\.mae\s[\s\S]*keras\.metrics\.fbeta_score"
        ),
        "older: reset_states": r"\.reset_states\(\)[\s\S]*def reset_states\(self\)",
        "older: loss_reduction / Reduction": r"loss_reduction=\"sum\"[\s\S]*Reduction\.SUM",
        "older: sample_weight_mode / target_tensors": (
            r"sample_weight_mode=[\s\S]*target_tensors="
        ),
        "older: accuracy chosen by the loss": (
            r"loss=\"binary_crossentropy\", metrics=\[\"accuracy\""
        ),
        "test set once, at the end": r"final = chosen\.evaluate\(x_test, y_test_hot",
    },
    "04_optimizers_and_schedules.ipynb": {
        "SGD with momentum": r"SGD\(learning_rate=0\.01, momentum=0\.9\)",
        "RMSprop": r"RMSprop\(",
        "Adam": r"Adam\(",
        "string optimizer": r"\"sgd\"",
        "learning-rate effect": r"for rate in \(",
        "learning-rate widget": r"kt\.TrainingPanel\(",
        "ExponentialDecay": r"ExponentialDecay\(",
        "PiecewiseConstantDecay": r"PiecewiseConstantDecay\(",
        "PolynomialDecay": r"PolynomialDecay\(",
        "InverseTimeDecay": r"InverseTimeDecay\(",
        "ReduceLROnPlateau charted": r"ReduceLROnPlateau\([\s\S]*kt\.LivePlot\(\)",
        # issue 10: method, explanations, figures, seed topics, older tutorials
        "validation data held out": r"kt\.split_validation\(x_train, y_train, 2000, seed=0\)",
        "SGD rule checked against Keras": r"assert same\(path, numpy_path\(sgd, 2, eta=0\.03\)\)",
        "momentum rule (Keras form) checked": (
            r"mu \* state\.get\(\"v\", 0\.0\) - eta \* g[\s\S]*numpy_path\(momentum, 2"
        ),
        "RMSprop rule (epsilon inside the root) checked": (
            r"np\.sqrt\(state\[\"s\"\] \+ eps\)[\s\S]*numpy_path\(rmsprop, 2"
        ),
        "Adam rule (bias correction) checked": (
            r"m_hat = state\[\"m\"\] / \(1 - beta_1\*\*t\)[\s\S]*numpy_path\(adam, 2"
        ),
        "optimizer paths on an ill-conditioned bowl": (
            r"paths = \{name: keras_path\(optimizer, steps=40\)"
        ),
        "momentum overshoots, Adam steps about the rate": (
            r"momentum_path\[:, 0\]\.max\(\) > 1\.0[\s\S]*<= 0\.1 \* 1\.01"
        ),
        "Adam's step is not always the rate": (
            r"def adam_step_lengths\([\s\S]*np\.isclose\(one_jump\[5000\], 0\.1 / np\.sqrt"
        ),
        "learning-rate widget question": r"panel\.board\.table\(sort_by=",
        "learning-rate widget question answered": (
            r"ranked = sorted\(val_accuracy, key=val_accuracy\.get, reverse=True\)\n"
            r"assert set\(ranked\[:2\]\) == \{0\.1, 0\.01\} and ranked\[2:\] == \[0\.001, 1\.0\]"
        ),
        "schedule formulas checked": r"assert np\.allclose\(values, formulas\[name\]",
        "a fast schedule costs accuracy": (
            r"assert scheduled_accuracy < final\[\"SGD momentum 0\.9\"\]"
        ),
        "ReduceLROnPlateau against the same run without it": (
            r"_, constant = train\(keras\.optimizers\.Adam\(learning_rate=2e-3\), epochs=8\)"
        ),
        "a schedule sees only the step": r"inspect\.signature\(halving\.__call__\)",
        "ReduceLROnPlateau mode max": (
            r"ReduceLROnPlateau\(\s*monitor=\"val_sparse_categorical_accuracy\",\s*mode=\"max\""
        ),
        "ReduceLROnPlateau cooldown and min_lr": r"cooldown=2,\s*min_lr=5e-4",
        "min_lr and cooldown checked in a real run": (
            r"assert min\(lr\) >= 5e-4[\s\S]*b - a >= 2 for a, b in zip\(changes"
        ),
        "test set once, at the end": r"model\.evaluate\(x_test, y_test",
        "test below validation, within 4 points": (
            r"abs\(test_accuracy - accuracy\[-1\]\) < 0\.04[\s\S]*accuracy\[-1\] - test_accuracy"
        ),
        "older: lr= refused": r"SGD\(lr=0\.01\)",
        "older: decay= ignored": r"decay=0\.5\)[\s\S]*np\.allclose\(ignored, 0\.1\)",
        "older: optimizer.lr and set_value gone": r"old_style\.lr\n[\s\S]*backend\.set_value\(",
        "older: legacy optimizers": r"keras\.optimizers\.legacy\.SGD\(",
        "older: tf.keras is Keras 3": r"tf\.keras\.optimizers\.Adam is keras\.optimizers\.Adam",
        "older: mode auto needs a direction": r"expect_error\(ValueError, match=\"mode='max'\"\)",
        "older: epsilon= dropped": r"ReduceLROnPlateau\(epsilon=0\.01\)",
    },
    "05_data_pipelines.ipynb": {
        "NumPy arrays": r"measure\(\s*\"numpy\"",
        "PyDataset subclass": r"class \w+\(keras\.utils\.PyDataset\)",
        "workers / max_queue_size": r"workers=2, max_queue_size=8",
        "use_multiprocessing": r"use_multiprocessing",
        "on_epoch_end": r"def on_epoch_end\(self\)",
        "shuffle": r"\.shuffle\(",
        "tf.data chain": r"from_tensor_slices\([\s\S]*\.batch\(BATCH\)\.prefetch\(",
        "torch Dataset + DataLoader": (
            r"torch\.utils\.data\.Dataset\)[\s\S]*torch\.utils\.data\.DataLoader\("
        ),
        "generator + steps_per_epoch": r"steps_per_epoch=STEPS",
        "validation_steps": r"validation_steps=VAL_STEPS",
        "speed table": r"table\.sort_values\(\"seconds\"\)",
        "validation split, not the test set": (
            r"kt\.split_validation\(images, labels, 2000, seed=0\)"
        ),
        "panel validates on validation data": (
            r"kt\.TrainingPanel\(data=\(\(x_train, y_train\), \(x_val, y_val\)\)"
        ),
        "PyDataset shuffle reorders batches": r"epoch_order != list\(range\(10\)\)",
        "prefetch timeline figure": r"kt\.draw_prefetch\(",
        "prefetch measured, with and without": (
            r"inject_prefetch = False[\s\S]*"
            r"assert prepared_ahead\(best\[\"without prefetch\"\]\) == 0[\s\S]*"
            r"assert waiting\(best\[\"with prefetch\(1\)\"\]\) < 0\.9 \* waiting\("
        ),
        "validation_steps with an endless tf.data set": (
            r"endless_val = val_ds\.repeat\(\)[\s\S]*match=\"still validating\"[\s\S]*"
            r"validation_data=endless_val,\s*validation_steps=VAL_STEPS"
        ),
        "validation_steps below a pass: the same batches every epoch": (
            r"assert np\.allclose\(partial\.history\[\"val_loss\"\], first_five"
        ),
        "generator streaming from a file on disk": (
            r"np\.load\(folder / \"images\.npy\", mmap_mode=\"r\"\)[\s\S]*"
            r"assert peak < 6 \* one_batch[\s\S]*assert disk_accuracy > 0\.85"
        ),
        "which fit arguments each pipeline accepts": (
            r"assert \{kind: list\(row\) for kind, row in accepts\.iterrows\(\)\} == expected"
        ),
        "older tutorial: batch_size with a PyDataset is ignored": (
            r"assert counts == \{None: 10, 16: 10, 500: 10\}"
        ),
        "older tutorial: fit_generator and samples_per_epoch": (
            r"expect_error\(AttributeError, match=\"fit_generator\"\)[\s\S]*"
            r"expect_error\(TypeError, match=\"samples_per_epoch\"\)"
        ),
        "older tutorial: workers/use_multiprocessing/max_queue_size left fit": (
            r"\{\"workers\": 4\}, \{\"use_multiprocessing\": True\}, \{\"max_queue_size\": 10\}"
        ),
        "older tutorial: Sequence is PyDataset": (
            r"assert keras\.utils\.Sequence is keras\.utils\.PyDataset"
        ),
        "older tutorial: validation_steps with arrays": (
            r"assert \(steps\.steps, counter\.batches\) == \(4, 5\)"
        ),
        "test set once, at the end": r"final = model\.evaluate\(x_test, y_test",
    },
    "06_sample_and_class_weights.ipynb": {
        "class_weight dict": r"class_weight=weights",
        "sample_weight array": r"sample_weight=sample_weight",
        "(x, y, w) from tf.data": r"from_tensor_slices\(\(x_train, y_train, sample_weight",
        "0/1 weights as a loss mask": r"sample_weight=mask",
        "per-class recall": r"matrix\.diagonal\(\) / matrix\.sum\(axis=1\)",
        "confusion matrix": r"kt\.plot_confusion_matrix\(",
        "widget on one class's weight": r"kt\.KnobExperiment\(\s*run=weigh_one_class",
        "class 5 recall rises": r"assert recall_weighted\[5\] > recall_plain\[5\]",
        # issue 10, list 1: validation data for every comparison, the test set once at the end
        "validation split": r"kt\.split_validation\(x_train, y_train, 2000, seed=0\)",
        "the three sets drawn": r"kt\.plot_data_split\(",
        "recall compared on validation data": r"recall_per_class\(weighted, x_val, y_val\)",
        "panel validates on validation data": (
            r"TrainingPanel\(data=\(\(x_train, y_train\), \(x_val, y_val\)\)"
        ),
        "test set once, at the end": r"recall_per_class\(weighted, x_test, y_test\)",
        # issue 10, list 2: how the default reduction scales a weighted loss
        "weighted loss by hand: sum / N": (
            r"over_n = \(w_few \* losses_few\)\.sum\(\) / len\(w_few\)"
            r"[\s\S]*assert np\.isclose\(keras_loss, over_n"
        ),
        "class_weight is a per-sample lookup": (
            r"looked_up = np\.array\(\[weights\[int\(label\)\] for label in y_batch\]\)"
        ),
        "class_weight and sample_weight refused together": (
            r"class_weight=weights, sample_weight=sample_weight"
        ),
        "half mask halves the loss": r"assert np\.isclose\(half_loss, full_loss / 2",
        "loss scale and the optimizer's step": r"def step_length\(",
        "loss scale figure": r"ax\.plot\(shares_masked, by_n",
        "normalise weights to mean 1": r"sample_weight / sample_weight\.mean\(\)",
        "mean_with_sample_weight": r"reduction=\"mean_with_sample_weight\"",
        # issue 10, list 4: per-timestep (temporal) sample weights
        "per-timestep sample weights": (
            r"GRU\(32, return_sequences=True\)[\s\S]*sample_weight=w_seq"
        ),
        "masked steps change neither loss nor gradient": (
            r"assert loss_a == loss_b and all\(np\.array_equal"
        ),
        "a Keras mask divides by the real steps": r"keras\.layers\.Masking\(mask_value=0\.0\)",
        "class weights per timestep built by hand": r"class_table\[y_seq\] \* w_seq",
        # issue 10, list 5: where the older tutorials are wrong
        "sample_weight_mode is gone": r"sample_weight_mode=\"temporal\"",
        "class_weight refused with a generator": (
            r"fit\(batches\(with_weights=False\), class_weight=weights"
        ),
        "class_weight with tf.data and PyDataset": (
            r"model\.fit\(unweighted_ds, class_weight=weights[\s\S]*kt\.ArrayPyDataset\("
        ),
        "a dataset's class_weight covers every class": (
            r"fit\(unweighted_ds, class_weight=\{5: 4\.0\}"
        ),
    },
    "07_multi_input_multi_output.ipynb": {
        "image input (32, 32, 3)": r"keras\.Input\(shape=\(32, 32, 3\), name=\"img_input\"\)",
        "time-series input (None, 10)": r"keras\.Input\(shape=\(None, 10\), name=\"ts_input\"\)",
        "Conv2D + GlobalMaxPooling2D": (
            r"keras\.layers\.Conv2D\(filters, 3\)[\s\S]*keras\.layers\.GlobalMaxPooling2D\(\)"
        ),
        "Conv1D + GlobalMaxPooling1D": (
            r"keras\.layers\.Conv1D\(filters, 3\)[\s\S]*keras\.layers\.GlobalMaxPooling1D\(\)"
        ),
        "concatenate": r"keras\.layers\.concatenate\(",
        "score_output and class_output": (
            r"Dense\(1, name=\"score_output\"\)[\s\S]*Dense\(5, name=\"class_output\"\)"
        ),
        "drawing of the model": r"kt\.draw_model\(model",
        "data with signal: seeded training, validation and test sets": (
            r"kt\.make_multi_input_data\(n=1000, seed=0\)[\s\S]*"
            r"kt\.make_multi_input_data\(n=500, seed=1\)[\s\S]*"
            r"kt\.make_multi_input_data\(n=500, seed=2\)"
        ),
        "losses as a list": r"loss=\[keras\.losses\.MeanSquaredError\(\)",
        "losses and metrics as dicts": r"metrics=\{",
        "a list pairs by position: a swapped list runs": (
            r"assert swapped\[\"score_output_loss\"\] == 0\.0"
        ),
        "a dict pairs by name: a wrong key fails": r"loss=\{\"score\": \"mse\"",
        "total loss = sum of w_k L_k, checked": (
            r"assert np\.isclose\(weighted\[\"loss\"\], 2 \* score_loss \+ class_loss"
        ),
        "a single loss applied to every output": (
            r"loss=\"mse\"\)[\s\S]*"
            r"assert np\.isclose\(one_loss\[\"loss\"\], sum\(by_hand\.values\(\)\)"
        ),
        "one loss object for every output": r"loss=keras\.losses\.MeanSquaredError\(\)\)",
        "loss_weights": r"loss_weights=\{\"score_output\": 2\.0",
        "loss_weights trade-off on validation data": (
            r"CLASS_WEIGHTS = \(0\.1, 1\.0, 10\.0\)[\s\S]*"
            r"validation_data=\(val_inputs, val_targets\)"
        ),
        "trade-off figure": r"ax\.set_xlabel\(\"validation class loss",
        "trade-off direction checked with a margin": (
            r"assert heavier\[\"val class loss\"\] < 0\.8 \* lighter\[\"val class loss\"\]"
        ),
        "shared capacity: more filters soften the trade-off": (
            r"assert 0 < cost_wide < 0\.5 \* cost_narrow"
        ),
        "loss_weights widget": r"panel\.set\(loss_weights=",
        "add_loss for a loss not tied to one output, in the total": (
            r"self\.add_loss\([\s\S]*"
            r"assert np\.isclose\(evaluated\[\"loss\"\], outputs_part \+ penalty_value"
        ),
        "None loss": r"loss=\[None,",
        "None loss leaves the head's weights unchanged": (
            r"np\.array_equal\(a, b\) for a, b in zip\(score_head_before, score_head_after\)"
        ),
        "fit from lists": r"as_lists = model\.fit\(",
        "fit from dicts": r"as_dicts = model\.fit\(\s*train_inputs,\s*train_targets",
        "tf.data of dicts": r"from_tensor_slices\(\(train_inputs, train_targets\)\)",
        "a subclassed keras.Model with call()": (
            r"class ImageAndSeries\(keras\.Model\)[\s\S]*def call\(self, inputs\)"
        ),
        "the subclass trains like the functional model": (
            r"assert np\.isclose\(sub_class, functional_val\[\"val class loss\"\]"
        ),
        "what a subclass loses: no graph, summary shapes, plot_model": (
            r"not hasattr\(subclassed, \"inputs\"\)[\s\S]*kt\.draw_model\(subclassed\)"
        ),
        "a subclass needs get_config to be saved": (
            r"Forgetful\(filters=8\)\.get_config\(\)\[\"filters\"\] == 3"
        ),
        "older tutorial: a dict must name every output": (
            r"expect_error\(ValueError, match=\"Expected keys\"\):\s*model\.compile\(\s*"
            r"optimizer=\"rmsprop\",\s*loss=\{\"class_output\""
        ),
        "older tutorial: from_logits=False applies no softmax": (
            r"assert np\.isclose\(softmaxed, right, rtol=1e-4\) and abs\(as_probabilities - right\)"
        ),
        "older tutorial: no symbolic add_loss on a functional model": (
            r"expect_error\(NotImplementedError\)[\s\S]*small\.add_loss\("
        ),
        "test set once, at the end": r"final = chosen_model\.evaluate\(test_inputs",
    },
    "08_callbacks_and_checkpoints.ipynb": {
        "EarlyStopping": r"EarlyStopping\(\s*monitor=\"val_loss\", min_delta=0\.01, patience=2",
        "ModelCheckpoint save_best_only": r"save_best_only=True",
        "save_weights_only": r"save_weights_only=True",
        "save_freq": r"save_freq=100",
        "{epoch} and {loss} names": r"\{epoch:02d\}[\s\S]*\{loss:\.2f\}",
        "resume with initial_epoch": r"initial_epoch=done",
        "BackupAndRestore": r"BackupAndRestore\(backup_dir\)",
        "CSVLogger": r"CSVLogger\(",
        "TensorBoard": r"TensorBoard\(",
        "per-batch callback": r"def on_train_batch_end\(self, batch, logs=None\)",
        "LivePlot as a callback": r"kt\.LivePlot\(",
        "no epoch lost or repeated": r"rest\.epoch == \[3, 4, 5\]",
        "validation split held apart from the test set": (
            r"kt\.split_validation\(x_train, y_train, 2000, seed=0\)"
        ),
        "callbacks select on validation data": r"validation_data=\(x_val, y_val\)",
        "test set evaluated once, at the end": r"selected\.evaluate\(x_test, y_test",
        "a callback logging every hook": (
            r"class HookLogger\(keras\.callbacks\.Callback\)[\s\S]*def on_test_batch_end"
        ),
        "hook count checked": r"2 \+ E \* \(2 \+ 2 \* S \+ 2 \+ 2 \* V\) == 30",
        "hook timeline figure": r"kt\.draw_callback_hooks\(logger\.calls\)",
        "self.params": r"self\.params",
        "learning rate through self.model.optimizer": r"self\.model\.optimizer\.learning_rate = ",
        "stop_training from a callback": r"self\.model\.stop_training = True",
        "restore_best_weights checked": r"kept\[\"loss\"\], val_loss\[stopper\.best_epoch\]",
        "EarlyStopping mode min/max/auto": r"for mode in \(\"max\", \"auto\", \"min\"\)",
        "wrong mode on accuracy": r"monitor=\"val_sparse_categorical_accuracy\", mode=\"min\"",
        "EarlyStopping widget": r"widgets\.interact\(\s*early_stopping_on_the_curve",
        "%load_ext tensorboard": r"%load_ext tensorboard",
        "%tensorboard --logdir": r"%tensorboard --logdir",
        "histogram_freq / update_freq": (
            r"TensorBoard\(detailed_dir, histogram_freq=1, update_freq=10\)"
        ),
        "event files read back": r"EventAccumulator\(",
        "older tutorials: resume without initial_epoch restarts the count": (
            r"history\.epoch == \[0, 1, 2, 3, 4, 5\] and printed\[0\] == \"Epoch 1/6\""
        ),
        "with initial_epoch the count continues": (
            r"printed == \[\"Epoch 4/6\", \"Epoch 5/6\", \"Epoch 6/6\"\]"
        ),
        "older tutorials: filepath without .keras refused": (
            r"ModelCheckpoint\(filepath=\"mymodel_\{epoch\}\"\)"
        ),
        "older tutorials: period= replaced by save_freq": (
            r"period=2\)[\s\S]*save_freq=2 \* steps_per_epoch"
        ),
        "older tutorials: mode=auto needs a declared direction": (
            r"EarlyStopping\(monitor=\"val_share_of_fives\"\)"
        ),
    },
    "09_under_the_hood.ipynb": {
        "train_on_batch loop": r"\.train_on_batch\(",
        "test_on_batch": r"\.test_on_batch\(",
        "predict_on_batch": r"\.predict_on_batch\(",
        "matches fit": r"assert difference < 1e-5",
        "run_eagerly measured": r"run_eagerly=True",
        "steps_per_execution measured": r"steps_per_execution=n",
        "timings as a bar chart": r"ax\.barh\(bars\.index",
        "class_weight in train_on_batch": r"train_on_batch\(x_batch, y_batch, class_weight=",
        "sample_weight in train_on_batch": r"train_on_batch\(x_batch, y_batch, sample_weight=",
        "custom train_step": r"def train_step\(self, data\)[\s\S]*tf\.GradientTape\(\)",
        "train_step matches fit, with class weights too": (
            r"for weights in \(None, class_weight\)[\s\S]*assert gap < 1e-6"
        ),
        "sample weights unpacked in train_step": r"keras\.utils\.unpack_x_y_sample_weight\(data\)",
        "a changed step: clipping and a new metric": r"tf\.clip_by_global_norm\(",
        "train_on_batch cannot switch the loss": r"expect_error\(TypeError, match=\"loss\"\)",
        "three backends, a child process each": r"kt\.run_on_backend\(\s*name, train_digits",
        "the backends' table and chart": r"ax\.bar\(names, values",
        "saved weights carry over between backends": r"\.load_weights\(saved /",
    },
    "10_save_load_predict.ipynb": {
        ".keras": r"\.keras\"\)\nmodel\.save\(path\)",
        "weights-only": r"save_weights\(weights_path\)",
        "legacy .h5": r"my_model\.h5",
        "registered custom objects": r"kt\.CategoricalTruePositives\(\)",
        "custom_objects": r"custom_objects=\{\"doubled_mae\": doubled_mae\}",
        "safe_mode": r"safe_mode=False",
        "predictions equal after reload": r"np\.allclose\(loaded\.predict\(",
        "predict on new data": r"new_x = ",
        "register_keras_serializable in the learner's code": (
            r"@keras\.saving\.register_keras_serializable\(package=\"course\"\)"
        ),
        "get_config round-trip of a loss with a parameter": (
            r"def get_config\(self\)[\s\S]*ScaledMAE\.from_config\(config\)\.scale == 3\.0"
        ),
        "a parameter lost without get_config": (
            r"assert scales == \{\"ScaledMAE\": 3\.0, \"ForgetfulMAE\": 1\.0\}"
        ),
        "Rescaling inside the model: raw input": r"keras\.layers\.Rescaling\(1 / 255\)",
        "raw input without Rescaling goes wrong": r"assert raw_way\[\"loss\"\] > 5 \* right_way",
        "test set once, at the end": r"final = loaded\.evaluate\(x_test, y_test",
    },
    "11_distributed_training.ipynb": {
        "diagram of synchronous data parallelism": (
            r"kt\.draw_data_parallel\(replicas=2, global_batch=256\)"
        ),
        "mean of equal half-batch gradients = whole-batch gradient": (
            r"halves\[0\] \+ halves\[1\]\) / 2[\s\S]*np\.allclose\(whole, averaged"
        ),
        "split the CPU into logical devices, before TensorFlow starts": (
            r"tf\.config\.set_logical_device_configuration\(cpu, \[tf\.config\."
            r"LogicalDeviceConfiguration\(\)\] \* 2\)[\s\S]*except RuntimeError"
        ),
        "too late after initialisation": r"assert \"initialized\" in report\[\"too_late\"\]",
        "a fresh process per backend, bounded": (
            r"kt\.run_python\(work / \"mirrored\.py\", backend=\"tensorflow\", timeout="
        ),
        "MirroredStrategy: build and compile in scope, then fit": (
            r"with strategy\.scope\(\):[^\n]*\n\s*model = kt\.get_compiled_digits_model"
            r"[\s\S]*model\.fit\([\s\S]*mirrored = tf\.distribute\.MirroredStrategy\(devices\)"
        ),
        "global batch split into per-replica batches": (
            r"report\[\"per_replica_batches\"\] == \[\[128, 784\], \[128, 784\]\]"
        ),
        "mirrored matches one device within 1e-4": (
            r"np\.allclose\(report\[\"loss_one\"\], report\[\"loss_mirrored\"\], atol=1e-4\)"
            r"[\s\S]*report\[\"weight_difference\"\] < 1e-4"
        ),
        "JAX host devices via XLA_FLAGS before import jax": (
            r"XLA_FLAGS\"\] = \"--xla_force_host_platform_device_count=2\""
        ),
        "keras.distribution.DataParallel on JAX": (
            r"keras\.distribution\.DataParallel\(devices=devices\)[\s\S]*"
            r"kt\.run_python\(work / \"data_parallel\.py\", backend=\"jax\""
        ),
        "DataParallel matches one device within 1e-4": (
            r"np\.allclose\(jax_report\[\"loss_single\"\], jax_report\[\"loss_parallel\"\], "
            r"atol=1e-4\)"
        ),
        "learning-rate scaling: guided experiment": (
            r"BASE_LR \* replicas[\s\S]*kt\.KnobExperiment\([\s\S]*knob=\"replicas\""
            r"[\s\S]*kt\.check\(\"11\.lr_scaling\", prediction, experiment=experiment\)"
        ),
        "fixed rate falls behind, scaled rate wins much back": (
            r"eight\[\"fixed\"\] < one\[\"fixed\"\] - 0\.15[\s\S]*"
            r"eight\[\"scaled\"\] > eight\[\"fixed\"\] \+ 0\.05"
        ),
        "no speed-up on one CPU, measured": (
            r"ratio = report\[\"seconds_mirrored\"\] / report\[\"seconds_one\"\]"
            r"[\s\S]*assert ratio > "
        ),
        "GPU detected, not required": r"if report\[\"gpus\"\]:",
        "MultiWorkerMirroredStrategy from TF_CONFIG": (
            r"strategy = tf\.distribute\.MultiWorkerMirroredStrategy\(\)[\s\S]*TF_CONFIG"
        ),
        "per-replica loss over the global batch": (
            r"tf\.nn\.compute_average_loss\(losses, global_batch_size=GLOBAL_BATCH\)"
        ),
        "two workers started and stopped with a timeout": (
            r"with kt\.Workers\(work / \"worker\.py\", backups, 4, n=2, env=crash_worker_1, "
            r"timeout="
        ),
        "a worker dies mid-training; the rerun resumes from the backup": (
            r"crashed\[1\]\.returncode == 3 and crashed\[0\]\.stopped[\s\S]*"
            r"worker_0\[\"epochs\"\] == worker_1\[\"epochs\"\] == \[3, 4\]"
        ),
        "workers hold identical weights and match the uninterrupted run": (
            r"worker_0\[\"checksum\"\] == worker_1\[\"checksum\"\][\s\S]*"
            r"np\.allclose\(worker_0\[\"loss\"\], report\[\"loss_one\"\]\[2:\], atol=1e-4\)"
        ),
        "BackupAndRestore resumes fit after a crash": (
            r"keras\.callbacks\.BackupAndRestore\(backup_dir\)[\s\S]*"
            r"resumed_history\.epoch == \[2, 3\]"
        ),
    },
}


def _code(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize(
    "notebook, item",
    [(nb, item) for nb, items in SYLLABUS.items() for item in items],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_syllabus_item_is_in_the_notebook(notebook, item):
    assert re.search(SYLLABUS[notebook][item], _code(notebook)), f"{notebook}: {item} is missing"


def test_every_chapter_is_mapped():
    chapters = {p.name for p in NOTEBOOKS.glob("[01]*.ipynb")} - {"00_start_here.ipynb"}
    assert chapters == set(SYLLABUS)


@pytest.mark.parametrize("notebook", sorted(SYLLABUS))
def test_chapter_runs_the_keras2_spellings_that_now_fail(notebook):
    assert "kt.expect_error(" in _code(notebook)


@pytest.mark.parametrize("notebook", ["00_start_here.ipynb", *sorted(SYLLABUS)])
def test_chapter_checks_exactly_its_catalogue(notebook):
    """Every exercise of the chapter's catalogue is checked in the notebook, and nothing else."""
    import kerastutor as kt

    chapter = int(notebook[:2])
    checked = re.findall(r"kt\.check\(\s*[\"']([\w.]+)[\"']", _code(notebook))
    assert sorted(checked) == sorted(e.key for e in kt.exercises_for(chapter)), notebook


@pytest.mark.parametrize("notebook", ["00_start_here.ipynb", *sorted(SYLLABUS)])
def test_chapter_has_a_guided_experiment(notebook):
    """A question, a prediction checked against the run, and a knob that redraws a plot."""
    import kerastutor as kt

    code = _code(notebook)
    assert "kt.KnobExperiment(" in code and ".show()" in code, notebook
    predictions = [e.key for e in kt.exercises_for(int(notebook[:2])) if e.kind == "predict"]
    assert predictions, f"{notebook}: no prediction exercise for its experiment"


def test_torch_only_in_the_pipelines_chapter():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        imports_torch = re.search(r"^import torch", _code(path.name), flags=re.M)
        assert bool(imports_torch) == (path.name == "05_data_pipelines.ipynb"), path.name


def test_no_one_device_strategy_in_the_mirrored_script():
    """TensorFlow 2.21's `fit` under OneDeviceStrategy segfaults now and then on a busy machine
    (measured: 3 of 3 processes of 80 fits each crashed beside two other training processes, and
    chapter 11 failed in CI); MirroredStrategy did not, in 6 such processes. The one-device
    baseline is the default strategy."""
    code = _code("11_distributed_training.ipynb")
    assert "tf.distribute.OneDeviceStrategy(" not in code
    assert "one_device = tf.distribute.get_strategy()" in code
