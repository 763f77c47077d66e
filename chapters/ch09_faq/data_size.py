# %% [markdown]
# # Section 9 · Does deep learning need much data? A learning curve
#
# Tutorial: section 9 · 深度学习需要大量的数据吗？ (seed 002 §9 Q1)
#
# The FAQ asks it and names two remedies when data is scarce: data augmentation and transfer
# learning. This page measures the question and tests the first remedy: section 5's CNN trained
# on $n$ training images, for $n$ from a hundred to tens of thousands, and its accuracy on the
# whole test set plotted against $n$: a **learning curve**. Each size is trained twice, without
# and with data augmentation. The CNN is the listing's layers (ending in logits, as in chapter 5)
# without the dropout that chapter 5 adds, so that augmentation is the only remedy against
# overfitting in the comparison. (Transfer learning, the other remedy, is chapter 8's.)
#
# A fair curve changes only $n$. Every run takes the same number of gradient steps of the same
# batch size, with the same learning-rate schedule (Adam from $2 \cdot 10^{-3}$ down a cosine to
# 0, chapter 5's in place of the listing's constant rate; with dropout it gains about a point of
# test accuracy there, `cnn.py`): a small set is seen many times over, a large one about once.
# The training images of each size are a random sample with every class in the same proportion
# (a stratified sample), and each smaller sample is part of the larger ones.

# %%
import argparse

from dlbook.cli import chapter_args, positive_int
from dlbook.config import set_seed
from dlbook.data import InvalidDataError, load_arrays, resolve_dataset
from dlbook.data.images import scale
from dlbook.data.pipeline import batches, stratified_split
from dlbook.data.sources import dataset
from dlbook.models import build_cnn
from dlbook.plots import plot_against
from dlbook.results import save_results
from dlbook.training import adam_cosine

import keras
from keras import layers


def sizes_list(text: str) -> list[int]:
    """``"100,300,1000"`` -> ``[100, 300, 1000]``, each size at least 10 (one image a class)."""
    sizes = sorted({int(size) for size in text.split(",")})
    if sizes[0] < 10:
        raise argparse.ArgumentTypeError(f"{sizes[0]}: expected sizes of at least 10")
    return sizes


page_flags = argparse.ArgumentParser(add_help=False)
page_flags.add_argument("--sizes", type=sizes_list, default=None, metavar="N,N,...",
                        help="training-set sizes, default 100,300,1000,3000,10000,30000 "
                             "(--quick: 100,1000)")
page_flags.add_argument("--steps", type=positive_int, default=None, metavar="N",
                        help="gradient steps of every run, default 1000 (--quick: 30)")
args = chapter_args("ch09_faq/data_size", "Test accuracy against the number of training "
                    "images, with and without augmentation (section 9)", epochs=1,
                    batch_size=64, own_flags=page_flags)
sizes = args.sizes or ([100, 1000] if args.quick else [100, 300, 1000, 3000, 10000, 30000])
steps = args.steps or (30 if args.quick else 1000)
set_seed(args.seed)

# %% [markdown]
# ## The data
#
# The training and test images as arrays; a pipeline is made for each sample below. The test
# set is the same, whole, for every run.

# %%
dataset_name = resolve_dataset(args.dataset, args.data_dir)
num_classes = len(dataset(dataset_name).class_names)
(train_images, train_labels), (test_images, test_labels) = load_arrays(
    dataset_name, limit=args.limit, data_dir=args.data_dir)
if max(sizes) > len(train_images):
    raise InvalidDataError(f"--sizes asks for {max(sizes)} training images, {dataset_name} has "
                           f"{len(train_images)} here; ask for at most that many")
test = batches((test_images, test_labels), 256, per_batch=scale)
print(f"{len(train_images)} training and {len(test_images)} test images; sizes {sizes}, "
      f"{steps} steps of {args.batch_size} images per run")

# %% [markdown]
# ## Data augmentation with Keras preprocessing layers
#
# Augmentation shows the network a slightly different version of a training image each time it
# sees it, with a change that keeps its class: here a shift of up to 5% of the size (about one
# pixel) in each direction, the uncovered border filled with black, and on Fashion-MNIST a
# mirror image (left-right) too. A mirrored sandal is still a sandal, but a mirrored 2, 3 or 7
# is no digit at all, so MNIST (which `DATASET=auto` takes when it can) is only shifted. Keras's
# preprocessing layers do this inside the model; they act only in training (`training=True`)
# and pass test images through unchanged.

# %%
MIRROR_KEEPS_CLASS = dataset_name == "fashion_mnist"


def augmentation() -> keras.Sequential:
    """Shifts of up to 5%, and left-right flips where a mirror image keeps the class."""
    flips = [layers.RandomFlip("horizontal")] if MIRROR_KEEPS_CLASS else []
    return keras.Sequential([
        *flips, layers.RandomTranslation(0.05, 0.05, fill_mode="constant"),
    ], name="augmentation")


print(f"augmentation on {dataset_name}: "
      + ", ".join(type(layer).__name__ for layer in augmentation().layers))


def train_and_test(size: int, augment: bool) -> float:
    """Train a fresh CNN on a stratified sample of ``size`` images; its test accuracy."""
    set_seed(args.seed)
    chosen = stratified_split(train_labels, size / len(train_labels), args.seed)
    train = batches((train_images[chosen], train_labels[chosen]), args.batch_size,
                    shuffle_seed=args.seed, per_batch=scale).repeat()
    model = keras.Sequential([keras.Input(test_images.shape[1:] + (1,)),
                              *([augmentation()] if augment else []),
                              build_cnn(num_classes=num_classes, dropout=0)])
    model.compile(optimizer=adam_cosine(2e-3, 1, steps),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(train, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return float(model.evaluate(test, verbose=0)[1])


# %% [markdown]
# ## The learning curve
#
# Two runs per size, each a minute or less on two CPU cores (a few seconds with `--quick`).

# %%
curves = {"without augmentation": [], "with augmentation": []}
for size in sizes:
    for curve, augment in (("without augmentation", False), ("with augmentation", True)):
        curves[curve].append(train_and_test(size, augment))
    print(f"{size:>6} training images: test accuracy {curves['without augmentation'][-1]:.4f}, "
          f"with augmentation {curves['with augmentation'][-1]:.4f}")
plot_against(sizes, curves, args.output_dir / "learning_curve.png",
             xlabel="training images (log scale)", ylabel="test accuracy",
             title=f"CNN, {steps} steps of {args.batch_size} images per run", log_x=True)

# %% [markdown]
# ## The answer, measured
#
# `learning_curve.png`, after a full run on Fashion-MNIST: 70% test accuracy from 100 images (ten
# per class), 81% from 1,000, 85% from 3,000, 87% from 10,000 and 30,000. Accuracy rises with
# every tenfold increase of the data, steeply at first, then more and more slowly. So a deep
# network does learn from a few hundred images, but each further point costs more data than the
# last. (With 1,000 steps, 30,000 images are seen only about twice: more steps would lift the
# last points a little, not the shape.)
#
# Augmentation, the FAQ's first remedy, changes little here: within a point either way up to
# 3,000 images, and 1.5 to 2 points lower above, where the same 1,000 steps are not enough to fit
# the harder, varied images. That is a property of this dataset, not a flaw of augmentation:
# Fashion-MNIST's images are centred, equally scaled, and every shoe points the same way, in the
# test set as in the training set, so a flipped or shifted copy shows the network a variation it
# will never meet. Augmentation pays where the test images do vary that way, as photos of objects
# taken anywhere in the frame do; an augmentation is a claim about the test data, to be checked
# on it, as here.

# %%
save_results(args, dataset=dataset_name, steps=steps, batch_size=args.batch_size, sizes=sizes,
             test_accuracy=curves,
             augmentation=[type(layer).__name__ for layer in augmentation().layers])
