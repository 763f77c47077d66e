"""Section 5.2, the other way: the same LeNet and GradientTape step, inside ``model.fit()``.

`lenet.py` writes the epoch loop by hand (`dlbook.training.Trainer`). Here Keras runs the loop and
we only replace its step: `dlbook.training.TapeStepModel` overrides ``train_step`` with the
tutorial's tape code. In exchange for less control we get the whole callback ecosystem for free:
``BackupAndRestore`` resumes an interrupted run, ``TensorBoard`` logs, ``EarlyStopping`` would
just be one more line.

Which to use? The hand-written loop when the step is unusual (a GAN's two tapes, see
`dcgan.py`) or you want to see every moving part; ``fit()`` with a custom ``train_step`` when the
step is yours but the rest is standard. Compare both runs' accuracy and seconds per epoch in
their ``results.json`` (or `make bench`).
"""

from dlbook.cli import chapter_args, load_image_data, save_results
from dlbook.config import set_seed
from dlbook.models import LeNet
from dlbook.plots import plot_history
from dlbook.training import EpochTimer, TapeStepModel, adam_cosine, resumable_run

import keras

args = chapter_args(__doc__, script=__file__, epochs=10, dataset="auto")
set_seed(args.seed)

data = load_image_data(args)

model = TapeStepModel(LeNet(num_classes=len(data.class_names)))
model(keras.ops.zeros((1, 28, 28, 1)))  # BackupAndRestore needs the weights before fit()
model.compile(adam_cosine(3e-3, args.epochs, steps_per_epoch=int(data.train.cardinality())),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

# shuffle=False: the tf.data pipeline already shuffles every epoch (fit() can shuffle arrays only).
timer = EpochTimer()
history = model.fit(data.train, epochs=args.epochs, validation_data=data.validation, shuffle=False,
                    callbacks=[*resumable_run(args.output_dir / data.name), timer], verbose=2)

test_loss, test_accuracy = model.evaluate(data.test, verbose=0)
print(f"Test accuracy on {data.name}: {test_accuracy:.4f} (loss {test_loss:.4f})")
plot_history(history.history, args.output_dir / "curves.png")

save_results(args, model="LeNet-5 (fit with custom train_step)", dataset=data.name,
             parameters=model.count_params(), epochs=args.epochs,
             test_accuracy=test_accuracy, epoch_seconds=timer.epoch_seconds)
