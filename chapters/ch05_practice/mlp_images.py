"""Section 5, the MLP project: classify 28x28 images with dense layers only.

The tutorial's model, in essence:

    model = Sequential([
        Flatten(input_shape=(28, 28)),             # Keras 3: a first keras.Input((28, 28, 1))
        Dense(256, activation="relu"),
        Dense(128, activation="relu"),
        Dense(10, activation="softmax"),           # here: no softmax, logits
    ])

An MLP sees an image as 784 unrelated numbers: it does not know which pixels are neighbours,
and a shape moved by one pixel reaches different weights. It still reaches about 88.5% on
Fashion-MNIST; compare with the CNN of `cnn.py`, which shares its weights across positions, at
half the parameters.

The model returns logits and is trained with the GradientTape engine `dlbook.training.Trainer`
(sparse categorical cross-entropy on logits, Adam), which checkpoints every epoch: run the
script again after an interruption and it resumes.
"""

from dlbook.cli import chapter_args, load_image_data, save_results
from dlbook.config import set_seed
from dlbook.models.mlp import build_image_mlp
from dlbook.plots import plot_history, plot_test_results
from dlbook.training import Trainer

import keras

args = chapter_args(__doc__, script=__file__, epochs=15, dataset="auto")
set_seed(args.seed)

data = load_image_data(args)

model = build_image_mlp(num_classes=len(data.class_names))
trainer = Trainer(model, keras.optimizers.Adam(learning_rate=1e-3))

history = trainer.fit(data.train, epochs=args.epochs, validation_data=data.validation,
                      checkpoint_dir=args.output_dir / "checkpoints" / data.name,
                      log_dir=args.output_dir / "logs" / data.name)

test = trainer.evaluate(data.test)
print(f"Test accuracy on {data.name}: {test['accuracy']:.4f} (loss {test['loss']:.4f})")

plot_history(history, args.output_dir / "curves.png")
plot_test_results(model, data.test, data.class_names, args.output_dir)
print(f"Plots, checkpoints and TensorBoard logs in {args.output_dir}/")

save_results(args, model="MLP 784-256-128-10 (GradientTape Trainer)", dataset=data.name,
             parameters=model.count_params(), epochs=trainer.epochs_done,
             test_accuracy=test["accuracy"], epoch_seconds=trainer.epoch_seconds)
