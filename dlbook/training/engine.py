"""The GradientTape training engine of section 5.2, done carefully.

The tutorial's loop is four lines: forward pass under a ``tf.GradientTape``, loss, gradients,
``optimizer.apply_gradients``. `Trainer` keeps exactly that step and adds what a real run needs:

* the step is compiled once with ``tf.function``, inside a graph loop that runs up to
  ``steps_per_call`` steps per call (Keras calls this ``steps_per_execution``): Python, the
  progress bar and the NaN check run between chunks, not between batches, which makes the loop
  faster than ``model.fit`` at one step per call and as fast as it at 16
  (``benchmarks/results/lenet.md``). Batch shapes stay dynamic, so the last, smaller batch does
  not trigger a second trace. Where a LeNet epoch's time goes on a 2-core CPU: nearly all into
  the convolutions' kernels and their gradients (oneDNN); each call costs about 2 ms more, the
  ``tf.data`` pipeline under a tenth on its own thread, and XLA (``jit_compile=True``) made the
  step slower, not faster, on CPU (and refuses max-pooling gradients under op determinism);
* optionally, each batch computed in parts side by side (``batch_parts``), one per core, their
  gradients summed into the whole batch's: with `dlbook.config.one_thread_per_op`, LeNet trains
  1.3x as fast on 2 cores as with whole batches whose every op is shared out over both (ways (b)
  and (f) of ``benchmarks/results/lenet.md``);
* the per-example loss is reduced to the batch mean (``tf.nn.compute_average_loss``), which the
  tutorial's listing forgets: summed gradients are ``batch_size`` times too large and SGD diverges.
  Under a strategy it is the mean over the global batch, even when a last, smaller batch splits
  unevenly across the replicas;
* optional gradient clipping by global norm (section 3.3.6);
* Keras metrics, TensorBoard scalars, a ``keras.callbacks.History`` like ``model.fit``'s;
* a stop with a clear error when the loss turns NaN or infinite;
* a checkpoint every epoch (`dlbook.training.resume.ResumableRun`, shared with ``model.fit``):
  started again, ``fit`` resumes at the next epoch and, seeded (`dlbook.config.set_seed`), ends
  with the same weights as a run that was never interrupted; a folder holding another run's
  checkpoints, or in use by another process, is refused before training (`open_run` does that
  alone, for a page that trains something else first);
* early stopping that restores the best epoch's weights (``patience=``);
* a live progress bar on a terminal, one line per epoch in a log or a notebook;
* any ``tf.distribute`` strategy (default: the current one), ``MultiWorkerMirroredStrategy``
  included (section 8): only the chief writes the run's folder.

`fit` reads like the keras-io guide "Writing a training loop from scratch": open the run
(restore), then per epoch `train_epoch`, `validate`, `report`, and the run's save.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.training import progress
from dlbook.training.early_stopping import EarlyStopping
from dlbook.training.resume import ResumableRun

import keras
import tensorflow as tf

Part = tuple[tf.Tensor, tf.Tensor, tf.Tensor | None]
"""Examples, their labels, and a weight per example (None: all 1) of one part of a batch."""


def _sample_batch(spec: tf.TensorSpec) -> tf.Tensor:
    """A batch of one all-zero example matching ``spec``, used to build a model's weights."""
    return tf.zeros([1, *spec.shape[1:]], dtype=spec.dtype)


class Trainer:
    """Train a Keras model with a hand-written ``tf.GradientTape`` step.

    Args:
        model: any ``keras.Model`` returning logits; create it (and the optimizer) inside
            ``strategy.scope()`` when you pass a strategy.
        optimizer: a Keras optimizer.
        loss: a per-example loss, ``loss(y_true, y_pred) -> [batch]``; build Keras losses with
            ``reduction=None``. Default: sparse categorical cross-entropy on logits.
        metrics: Keras metrics updated with ``(y_true, y_pred)``. Default: accuracy on logits.
        clip_norm: clip the gradients to this global norm (section 3.3.6); ``None`` for no clipping.
        strategy: a ``tf.distribute.Strategy``; default the current one.
        steps_per_call: steps run per call of the compiled loop; 1 gives Python control after
            every batch (slower, handy when debugging).
        batch_parts: compute each batch in this many parts side by side and sum their
            gradients (the whole batch's gradient, up to rounding); give it the cores of
            `dlbook.config.one_thread_per_op`. A model that adds losses (regularizers) needs 1.
    """

    def __init__(
        self,
        model: keras.Model,
        optimizer: keras.optimizers.Optimizer,
        loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] | None = None,
        metrics: Sequence[keras.metrics.Metric] | None = None,
        clip_norm: float | None = None,
        strategy: tf.distribute.Strategy | None = None,
        steps_per_call: int = 16,
        batch_parts: int = 1,
    ) -> None:
        for name, value in (("steps_per_call", steps_per_call), ("batch_parts", batch_parts)):
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        self.model = model
        self.steps_per_call = steps_per_call
        self.batch_parts = batch_parts
        self.optimizer = optimizer
        self.clip_norm = clip_norm
        self.strategy = strategy or tf.distribute.get_strategy()
        self.is_chief = self.strategy.extended.should_checkpoint
        """Whether this process writes the run's files: always, but on the workers of a
        ``MultiWorkerMirroredStrategy`` other than the chief."""
        self.loss_fn = loss or keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction=None
        )
        with self.strategy.scope():
            metrics = metrics or [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
            self.train_metrics = [keras.metrics.Mean(name="loss"), *metrics]
            self.val_metrics = [keras.metrics.Mean(name="loss")] + [
                type(m).from_config(m.get_config()) for m in metrics
            ]
            self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.epoch_seconds: list[float] = []
        """Wall-clock seconds of each epoch this trainer ran (restored epochs not included)."""
        self.best_epoch: int | None = None
        """With early stopping: the epoch whose weights the model holds after `fit`."""
        self.identity: dict[str, object] = {}
        """What the last `fit` trained (`run_identity`), for ``results.json``."""
        self._compiled: dict[str, Callable] = {}
        self._run: ResumableRun | None = None
        self._steps_per_epoch: int | None = None
        self._read: tuple[weakref.ref, int] | None = None
        """The pipeline the last `fit` read, and how many times it was read (`_times_read`)."""

    @property
    def epochs_done(self) -> int:
        """Epochs trained so far, counting those restored from a checkpoint."""
        return int(self.epoch.numpy())

    @property
    def seconds_per_epoch(self) -> float | None:
        """The mean of `epoch_seconds`; None if this trainer ran no epoch (all were restored)."""
        return sum(self.epoch_seconds) / len(self.epoch_seconds) if self.epoch_seconds else None

    # -- the two steps: what the tutorial writes, per replica ---------------------------------

    def _per_example_loss(self, y: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
        per_example = self.loss_fn(y, logits)
        if per_example.shape.rank == 0:
            raise ValueError(
                "the loss must return one value per example (shape [batch]), got a scalar: "
                "build Keras losses with reduction=None; the Trainer takes the mean itself"
            )
        return per_example

    def train_step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        """One gradient-descent step on one replica's batch; returns the batch mean loss."""
        global_batch_size = _global_batch_size(y)
        parts = [self._loss_and_gradients(x_part, y_part, weight, global_batch_size)
                 for x_part, y_part, weight in self._parts(x, y)]
        loss, gradients = parts[0] if len(parts) == 1 else _summed(parts)
        if self.clip_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self.clip_norm)
        variables = self.model.trainable_variables
        self.optimizer.apply_gradients(zip(gradients, variables, strict=True))
        return loss

    def _loss_and_gradients(self, x: tf.Tensor, y: tf.Tensor, weight: tf.Tensor | None,
                            global_batch_size: tf.Tensor) -> tuple[tf.Tensor, list[tf.Tensor]]:
        """The tape's half of the step on ``x``, the batch or a part of it: the loss, summed
        over the examples (times their ``weight``) and divided by ``global_batch_size``, and its
        gradients; updates the training metrics."""
        with tf.GradientTape() as tape:
            logits = self.model(x, training=True)
            per_example = self._per_example_loss(y, logits)
            loss = tf.nn.compute_average_loss(per_example, sample_weight=weight,
                                              global_batch_size=global_batch_size)
            if self.model.losses:
                if weight is not None:
                    raise ValueError("this model adds losses (regularizers), which a batch in "
                                     "parts would count once per part: use batch_parts=1")
                loss += tf.nn.scale_regularization_loss(tf.add_n(self.model.losses))
        self._update(self.train_metrics, y, logits, per_example, weight)
        return loss, tape.gradient(loss, self.model.trainable_variables)

    def test_step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        """Forward pass only (in parts, as `train_step`), updating the validation metrics;
        returns the batch mean loss."""
        global_batch_size, loss = _global_batch_size(y), 0.0
        for x_part, y_part, weight in self._parts(x, y):
            logits = self.model(x_part, training=False)
            per_example = self._per_example_loss(y_part, logits)
            self._update(self.val_metrics, y_part, logits, per_example, weight)
            loss += tf.nn.compute_average_loss(per_example, sample_weight=weight,
                                               global_batch_size=global_batch_size)
        return loss

    def _parts(self, x: tf.Tensor, y: tf.Tensor) -> list[Part]:
        """The batch as ``batch_parts`` parts ``(x, y, weight)``, whose graphs are independent:
        TensorFlow runs them side by side. One part is the batch itself, without weights."""
        if self.batch_parts == 1:
            return [(x, y, None)]
        return _split_in_parts(x, y, self.batch_parts)

    @staticmethod
    def _update(metrics, y, logits, per_example, weight) -> None:
        loss_metric, *others = metrics
        loss_metric.update_state(per_example, sample_weight=weight)
        for metric in others:
            metric.update_state(y, logits, sample_weight=weight)

    # -- compiling and distributing ------------------------------------------------------------

    def _compiled_steps(self, name: str) -> Callable:
        """The ``name`` step on every replica, up to ``steps_per_call`` times in one graph loop.

        The compiled function takes an iterator and returns the last step's loss (summed over
        replicas) and how many steps it ran: fewer than ``steps_per_call`` when the iterator ran
        out, or when the loss stopped being finite (the loop stops right there).
        """
        if name not in self._compiled:
            step = getattr(self, name)

            def run_steps(iterator):
                loss, steps = tf.constant(0.0), tf.constant(0)
                for _ in tf.range(self.steps_per_call):
                    batch = iterator.get_next_as_optional()
                    if not batch.has_value():
                        break
                    x, y = batch.get_value()
                    per_replica = self.strategy.run(step, args=(x, y))
                    loss = self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, None)
                    steps += 1
                    if not tf.math.is_finite(loss):
                        break
                return loss, steps

            # TensorFlow's retracing warning counts traces per Python code object, so it would
            # take every Trainer's run_steps for one function retraced; a partial gives each
            # Trainer its own count, and a real retrace within one Trainer still warns.
            self._compiled[name] = tf.function(functools.partial(run_steps))
        return self._compiled[name]

    def _build(self, dataset: tf.data.Dataset) -> None:
        """Create model and optimizer variables, so that a checkpoint can be restored into them."""
        with self.strategy.scope():
            if not self.model.built:
                self.model(_sample_batch(dataset.element_spec[0]))
            self.optimizer.build(self.model.trainable_variables)

    # -- the run: its folder, checked and taken before anything trains -------------------------

    def open_run(
        self,
        train_data: tf.data.Dataset,
        epochs: int,
        checkpoint_dir: str | Path | None = None,
        identity: Mapping[str, object] | None = None,
        restart: bool = False,
        verbose: int = 1,
    ) -> ResumableRun:
        """Check ``checkpoint_dir`` against this run, take it and restore its latest checkpoint,
        without training: another run's checkpoints or another process stop the page here.

        `fit` calls it; call it yourself, with the arguments you will give `fit`, to refuse a
        folder before the page trains anything else (`fit` then goes on with the run opened
        here). ``train_data`` only gives the shape of a batch, to build the model's weights.
        """
        if epochs < 1:
            raise ValueError(f"epochs={epochs}: expected at least 1")
        self._build(train_data)
        run = ResumableRun(checkpoint_dir, self.model, self.optimizer, epochs, identity,
                           restart=restart, is_chief=self.is_chief, epoch=self.epoch)
        if self._run is not None and (self._run.folder, self._run.identity) == (
                run.folder, run.identity):
            return self._run  # opened by an earlier call with the same arguments
        self.close_run()
        self.identity = run.identity
        with _closed_on_error(run.open()):
            if checkpoint_dir is not None:
                self._wait_for_every_worker()  # the chief has checked (and emptied) the folder
            run.restore(verbose)
        self._run = run
        return run

    def close_run(self) -> None:
        """Release the folder of the run `open_run` opened (`fit` does it when it ends)."""
        if self._run is not None:
            self._run.close()
            self._run = None

    # -- the epoch loop -------------------------------------------------------------------------

    def fit(
        self,
        train_data: tf.data.Dataset,
        epochs: int,
        validation_data: tf.data.Dataset | None = None,
        checkpoint_dir: str | Path | None = None,
        log_dir: str | Path | None = None,
        identity: Mapping[str, object] | None = None,
        restart: bool = False,
        patience: int | None = None,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        verbose: int | None = None,
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
    ) -> keras.callbacks.History:
        """Train for ``epochs`` epochs (counting those a checkpoint says are done already).

        ``train_data`` yields ``(x, y)`` batches; shuffle it with a seed so that a resumed run sees
        the same example order. With ``checkpoint_dir`` the run saves after every epoch and, if
        the folder holds a checkpoint of the same run, resumes from it: ``identity`` (the
        dataset, batch size, seed...) together with the model, the optimizer and ``epochs`` must
        match what the folder recorded (`dlbook.training.run_folder`); ``restart`` deletes the
        folder's checkpoints first. With ``log_dir`` it writes TensorBoard scalars.

        ``patience`` turns on early stopping: training stops when ``monitor`` (a key of the
        history, e.g. ``val_loss`` or ``val_accuracy``) has not improved by more than
        ``min_delta`` for ``patience`` epochs, and the weights of the best epoch are restored
        (section 3's loop iterates until the validation performance stops improving).

        ``verbose``: 0 silent, 1 a live progress bar, 2 one line per epoch; by default 1 on a
        terminal and 2 elsewhere (`dlbook.training.progress`). ``on_epoch_end(epoch, logs)`` is
        called after each epoch (1-based epoch). Returns a ``keras.callbacks.History``, as
        ``model.fit`` does.
        """
        if patience is not None and validation_data is None and monitor.startswith("val_"):
            raise ValueError(f"early stopping on {monitor!r} needs validation_data")
        verbose = progress.keras_verbose() if verbose is None else verbose
        run = self.open_run(train_data, epochs, checkpoint_dir, identity, restart, verbose)
        try:
            stopper = self._early_stopping(run, patience, monitor, min_delta)
            writer = self._summary_writer(log_dir)
            batches = self.strategy.experimental_distribute_dataset(train_data)
            run.replay(batches, already_read=self._times_read(train_data))
            steps = int(train_data.cardinality())
            self._steps_per_epoch = steps if steps > 0 else None  # unknown or infinite: no bar end
            for epoch in range(run.epochs_done + 1, epochs + 1):
                if stopper is not None and stopper.should_stop:
                    break
                logs = self.train_epoch(batches, epoch, epochs, verbose)
                if validation_data is not None:
                    logs |= {f"val_{k}": v for k, v in self.evaluate(validation_data).items()}
                self.report(epoch, epochs, logs, verbose)
                self._end_epoch(run, epoch, logs, stopper, writer)
                if on_epoch_end is not None:
                    on_epoch_end(epoch, logs)
            self._keep_best(run, stopper, verbose)
        finally:
            self._read = (weakref.ref(train_data), run.epochs_done)
            self.close_run()
        return run.keras_history()

    def _times_read(self, train_data: tf.data.Dataset) -> int:
        """How many epochs of ``train_data`` this trainer has read already: a `fit` that goes on
        with the pipeline the last one read replays only the epochs it has not seen."""
        if self._read is not None and self._read[0]() is train_data:
            return self._read[1]
        return 0

    def train_epoch(self, batches: tf.distribute.DistributedDataset, epoch: int, epochs: int,
                    verbose: int) -> dict[str, float]:
        """One pass over the (distributed) training batches; the epoch's mean loss and metrics.

        The compiled loop runs ``steps_per_call`` steps per call; between calls Python updates
        the progress bar and stops the run if the loss is no longer finite.
        """
        if verbose == 1:
            print(f"Epoch {epoch}/{epochs}")
        progbar = keras.utils.Progbar(self._steps_per_epoch, verbose=1 if verbose == 1 else 0,
                                      stateful_metrics=[m.name for m in self.train_metrics])
        for metric in self.train_metrics:
            metric.reset_state()
        train_fn = self._compiled_steps("train_step")
        start = time.perf_counter()
        iterator, step, ran = iter(batches), 0, self.steps_per_call
        while ran == self.steps_per_call:
            loss, ran = train_fn(iterator)
            loss, step, ran = float(loss), step + int(ran), int(ran)
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the training loss became {loss} at epoch {epoch}, step {step}: "
                    "lower the learning rate or clip the gradients (clip_norm=)")
            progbar.update(step, [(m.name, float(m.result())) for m in self.train_metrics])
        self.epoch_seconds.append(time.perf_counter() - start)
        return {m.name: float(m.result()) for m in self.train_metrics}

    def report(self, epoch: int, epochs: int, logs: Mapping[str, float], verbose: int) -> None:
        """Print the epoch's values: under the live bar (1) or as one line (2)."""
        if verbose == 1:
            print("  " + "  ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        elif verbose == 2:
            print(f"Epoch {epoch}/{epochs}  " + "  ".join(f"{k} {v:.4f}" for k, v in logs.items())
                  + f"  ({self.epoch_seconds[-1]:.1f} s)", flush=True)

    def _end_epoch(self, run: ResumableRun, epoch: int, logs: Mapping[str, float],
                   stopper: EarlyStopping | None, writer) -> None:
        """Record the epoch, keep the best weights so far, log the scalars, save the run."""
        run.record(epoch, logs)
        if stopper is not None and stopper.update(run.history):
            run.keep_best_weights()
        if writer is not None:
            with writer.as_default(step=epoch):
                for key, value in logs.items():
                    tf.summary.scalar(key, value)
            writer.flush()
        run.save()

    def _early_stopping(self, run: ResumableRun, patience: int | None, monitor: str,
                        min_delta: float) -> EarlyStopping | None:
        if patience is None:
            return None
        stopper = EarlyStopping(monitor, patience, min_delta)
        if run.history:
            stopper.update(run.history)  # a resumed run: its best epoch so far, and the wait since
        return stopper

    def _keep_best(self, run: ResumableRun, stopper: EarlyStopping | None, verbose: int) -> None:
        """After early stopping, give the model the best epoch's weights back."""
        if stopper is None:
            return
        run.restore_best_weights()
        self.best_epoch = stopper.best_epoch
        if verbose:
            best = run.history[stopper.monitor][stopper.best_epoch - 1]
            print(f"Early stopping: kept the weights of epoch {stopper.best_epoch}, the best "
                  f"{stopper.monitor} ({best:.4f})")

    def _summary_writer(self, log_dir: str | Path | None):
        """TensorBoard's writer for ``log_dir`` (the chief's only), or None."""
        if log_dir is None or not self.is_chief:
            return None
        return tf.summary.create_file_writer(str(log_dir))

    def _wait_for_every_worker(self) -> None:
        """Return once every worker has called this: a sum over all replicas, which needs them
        all (trivial in a single process)."""
        strategy = self.strategy
        tf.function(lambda: strategy.reduce(
            tf.distribute.ReduceOp.SUM, strategy.run(lambda: tf.ones(())), axis=None))()

    def evaluate(self, data: tf.data.Dataset) -> dict[str, float]:
        """Mean loss and metrics over ``data`` (no training)."""
        for metric in self.val_metrics:
            metric.reset_state()
        iterator = iter(self.strategy.experimental_distribute_dataset(data))
        test_fn = self._compiled_steps("test_step")
        while int(test_fn(iterator)[1]) == self.steps_per_call:
            pass
        return {m.name: float(m.result()) for m in self.val_metrics}


@contextlib.contextmanager
def _closed_on_error(run: ResumableRun):
    """Release ``run``'s folder if the block fails (it stays taken otherwise)."""
    try:
        yield run
    except BaseException:
        run.close()
        raise


def _split_in_parts(x: tf.Tensor, y: tf.Tensor, parts: int) -> list[Part]:
    """``(x, y)`` as ``parts`` parts of consecutive examples, sizes differing by at most one,
    each with a weight per example: 1, or 0 for the last example standing in for a part left
    empty by a batch smaller than ``parts`` (no layer is given an empty batch)."""
    size = tf.shape(y)[0]
    sizes = size // parts + tf.cast(tf.range(parts) < size % parts, size.dtype)
    starts = tf.cumsum(sizes, exclusive=True)
    split = []
    for start, part_size in zip(tf.unstack(starts, num=parts), tf.unstack(sizes, num=parts),
                                strict=True):
        places = tf.range(tf.maximum(part_size, 1))
        examples = tf.minimum(start + places, size - 1)
        split.append((tf.gather(x, examples), tf.gather(y, examples),
                      tf.cast(places < part_size, tf.float32)))
    return split


def _summed(parts: list[tuple[tf.Tensor, list[tf.Tensor]]]) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """The loss and gradients of the whole batch: the sums of its parts'."""
    losses, gradients = zip(*parts, strict=True)
    return tf.add_n(losses), [tf.add_n(list(each)) for each in zip(*gradients, strict=True)]


def _global_batch_size(y: tf.Tensor) -> tf.Tensor:
    """The examples of this step on every replica together. ``compute_average_loss`` would take
    this replica's count times the number of replicas, which is wrong when a last, smaller batch
    splits unevenly (51 examples as 26 + 25)."""
    return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM,
                                                          tf.shape(y)[0])
