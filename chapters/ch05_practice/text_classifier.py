"""Section 5.3: an LSTM reads a text and classifies it (IMDB reviews: negative or positive).

The tutorial's listing, in essence:

    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
    x_train = pad_sequences(x_train, maxlen=100)
    model = Sequential([
        Embedding(10000, 64, input_length=100),  # Keras 3: input_length is deprecated, ignored
        LSTM(64),
        Dense(64, activation="relu"),
        Dense(1, activation="sigmoid"),          # here: Dense(2), logits, loss from_logits=True
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

Here the model (`dlbook.models.text.TextClassifier`) starts from raw text: its own
``TextVectorization`` keeps the 10,000 most frequent words and cuts or pads each text to 100
tokens, and the embedding masks the padding. Its last layer returns one logit per class; the loss
applies the softmax itself (``from_logits=True``), which is more accurate than the log of a
rounded probability. Two logits with a softmax are the same model as one with a sigmoid. It trains
with the GradientTape `dlbook.training.Trainer`, the gradients clipped to global norm 1 (section
3.3.6), which keeps the recurrent layer from the occasional exploding step.

    --rnn lstm|gru|bilstm|bigru   the recurrent layer (default lstm)
    --dataset imdb|FOLDER|FILE    IMDB, a folder in the aclImdb layout, or a label/text TSV/CSV
"""

import argparse

from dlbook.cli import chapter_args, save_results
from dlbook.config import set_seed
from dlbook.data import load_text
from dlbook.models.text import RNN_KINDS, TextClassifier
from dlbook.plots import plot_confusion_matrix, plot_history
from dlbook.training import Trainer

import keras
import numpy as np
import tensorflow as tf

# --rnn is this script's own flag, beside the flags every chapter script shares.
rnn_flag = argparse.ArgumentParser(add_help=False)
rnn_flag.add_argument("--rnn", choices=RNN_KINDS, default="lstm")
args = chapter_args(__doc__, script=__file__, epochs=5, dataset="imdb", batch_size=32,
                    own_flags=rnn_flag)
set_seed(args.seed)

# Data: batches of (raw text, label); 500 training texts held out for validation.
data = load_text(args.dataset, batch_size=args.batch_size, limit=args.limit,
                 validation_size=0 if args.quick else 500, seed=args.seed, data_dir=args.data_dir)
print(f"{data.name}: {data.num_train} train, {data.num_validation} validation, "
      f"{data.num_test} test texts of classes {data.class_names} from {data.source}")

# The model: the vocabulary comes from the training texts only.
model = TextClassifier(num_classes=len(data.class_names), rnn=args.rnn)
model.adapt(data.train)
trainer = Trainer(model, keras.optimizers.Adam(), clip_norm=1.0)

# Run again after an interruption, it resumes from the last epoch's checkpoint.
run_name = f"{data.name}-{args.rnn}"
history = trainer.fit(data.train, epochs=args.epochs, validation_data=data.validation,
                      checkpoint_dir=args.output_dir / "checkpoints" / run_name,
                      log_dir=args.output_dir / "logs" / run_name)

test = trainer.evaluate(data.test)
print(f"Test accuracy of the {args.rnn.upper()} on {data.name}: {test['accuracy']:.4f} "
      f"(loss {test['loss']:.4f})")

# F1 of the positive class (pos, spam): 2 precision recall / (precision + recall). Accuracy alone
# flatters a model on unbalanced data: answering "ham" to every SMS is right 87% of the time.
logits = model.predict(data.test, verbose=0)
texts, labels = map(np.concatenate, zip(*data.test.as_numpy_iterator(), strict=True))
f1 = None
if len(data.class_names) == 2:
    f1_per_class = keras.metrics.F1Score(average=None)  # on the arg-max of each row
    f1_per_class.update_state(keras.ops.one_hot(labels, 2), keras.ops.softmax(logits))
    f1 = float(f1_per_class.result()[1])
    print(f"F1 of the class {data.class_names[1]!r}: {f1:.4f}")

plot_history(history, args.output_dir / "curves.png")
plot_confusion_matrix(labels, np.argmax(logits, axis=1), data.class_names,
                      args.output_dir / "confusion_matrix.png")

# The saved model takes raw text: reload it and classify the first test text of each class.
model_path = args.output_dir / f"{run_name}.keras"
model.save(model_path)
reloaded = keras.saving.load_model(model_path)
examples = [np.flatnonzero(labels == label)[0] for label in np.unique(labels)]
probabilities = keras.ops.softmax(reloaded(tf.constant(texts[examples]))).numpy()
for text, label, p in zip(texts[examples], labels[examples], probabilities, strict=True):
    print(f"  predicted {data.class_names[p.argmax()]} ({p.max():.2f}), "
          f"true {data.class_names[label]}: {text.decode(errors='replace')[:70]!r}")
print(f"Model in {model_path}; plots, checkpoints and TensorBoard logs in {args.output_dir}/")

save_results(args, model=f"{args.rnn.upper()} text classifier (Trainer, clip_norm=1)",
             dataset=data.name, parameters=model.count_params(), epochs=trainer.epochs_done,
             test_accuracy=test["accuracy"], f1=f1, epoch_seconds=trainer.epoch_seconds)
