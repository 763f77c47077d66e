# %% [markdown]
# # Section 5.2 · The same LeNet step, run by `model.fit`
#
# Tutorial: section 5 · 源代码详细实现 (seed 003 §5.2)
#
# `lenet.py` trains LeNet-5 the way the tutorial's longest listing does: a `train_step` under a
# `tf.GradientTape` and an epoch loop written by hand. Keras offers a middle way, not in the
# tutorial: keep your own step, and let `model.fit` run the loop around it. A `keras.Model`
# subclass overrides `train_step(data)`; `fit` calls it once per batch and brings everything else:
# epochs, progress, validation, `evaluate`, and the callbacks (resume, TensorBoard, early
# stopping...).
#
# Same model, same recipe as `lenet.py` (logits, mean loss, Adam with a cosine-decayed rate,
# batches of 128 reshuffled every epoch), so the two pages' results can be compared.

# %%
import inspect

from dlbook.cli import chapter_args
from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models import LeNet
from dlbook.plots import plot_history
from dlbook.results import save_results
from dlbook.training import (
    EpochTimer,
    TapeStepModel,
    adam_cosine,
    keras_verbose,
    resumable_run,
    run_identity,
)

import keras

args = chapter_args("ch05_practice/lenet_fit", "LeNet-5 with a GradientTape train_step run by "
                    "model.fit (section 5.2)", epochs=10)
set_seed(args.seed)

# %%
data = load_images(args.dataset, batch_size=args.batch_size, limit=args.limit,
                   validation_fraction=args.validation_fraction, seed=args.seed,
                   data_dir=args.data_dir)
print(data)

# %% [markdown]
# ## The step `fit` runs
#
# `dlbook.training.TapeStepModel` wraps a network and overrides `train_step`. Its body is the
# step of `lenet.py`: forward pass under the tape, the batch-mean loss (`compute_loss` applies
# the loss given to `compile`, which reduces to the mean), gradients, update, metrics. `fit`
# compiles it with `tf.function` itself. The code that runs:

# %%
print(inspect.getsource(TapeStepModel.train_step))

# %% [markdown]
# `resumable_run` below restores a checkpoint into the weights, so they must exist before
# `fit`: calling the model once on a batch of zeros creates them.

# %%
model = TapeStepModel(LeNet(len(data.class_names), data.image_shape))
model(keras.ops.zeros((1, *data.image_shape)))
model.compile(adam_cosine(3e-3, args.epochs, steps_per_epoch=int(data.train.cardinality())),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

# %% [markdown]
# ## Training
#
# `resumable_run` adds a backup after every epoch (run the page again after an interruption and
# it goes on from the last finished epoch; a folder holding another run is refused, `--restart`
# starts afresh) and TensorBoard logs. `shuffle=False`: the `tf.data` pipeline already shuffles
# every epoch.

# %%
timer = EpochTimer()
history = model.fit(data.train, epochs=args.epochs, validation_data=data.validation,
                    shuffle=False, verbose=keras_verbose(),
                    callbacks=[*resumable_run(args.output_dir / data.name, model, args.epochs,
                                              data.identity, args.restart, data.train), timer])
test_loss, test_accuracy = model.evaluate(data.test, verbose=0)
print(f"Test accuracy on {data.name}: {test_accuracy:.4f} (loss {test_loss:.4f})")

plot_history(history, args.output_dir / "curves.png")
print(f"Curves and TensorBoard logs in {args.output_dir}/")
identity = run_identity(model, model.optimizer, args.epochs, data.identity)
save_results(args, identity=identity, model="LeNet-5 (fit with custom train_step)",
             dataset=data.name, parameters=model.count_params(), epochs=len(history.epoch),
             test_accuracy=test_accuracy, epoch_seconds=timer.epoch_seconds)

# %% [markdown]
# ## Which loop to use
#
# On Fashion-MNIST, 10 epochs, seed 0: 89.73% test accuracy here, 89.90% with `lenet.py`'s
# `Trainer` (`benchmarks/results/models.md`): the same recipe, to within the noise of a run. The
# `Trainer` runs 16 steps per compiled call and is 1.28x as fast as plain `model.fit`, which gets
# part of that back when compiled with `steps_per_execution=16` (1.13x behind the `Trainer`,
# `benchmarks/results/lenet.md`). The loop by hand (`lenet.py`) to see every moving part or
# to run on several machines (chapter 8); `fit` with your own `train_step` when the step is
# yours and the rest is standard, as with the two networks and two tapes of `dcgan.py`. Both
# resume an interrupted run bit for bit (the same weights as a run that never stopped): the
# `Trainer` and `resumable_run` restore the same checkpoint and replay the example order.
