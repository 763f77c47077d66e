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
from dlbook.cli import start_page
from dlbook.data import InvalidDataError, load_arrays, resolve_dataset
from dlbook.data.images import scale
from dlbook.data.pipeline import batches, stratified_split
from dlbook.data.sources import dataset
from dlbook.models import build_cnn
from dlbook.plots import plot_against
from dlbook.training import adam_cosine

import keras
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is a flag of the page (`--sizes 100,1000`, `--steps 300`; `--help` lists them).
# `--quick` trains 30 steps on samples of 100 and 1,000 of 2,048 images.

# %%
BATCH_SIZE = 64  # images per gradient step
DATASET = "auto"  # mnist, fashion_mnist or auto (MNIST if it can be had)
SIZES = (100, 300, 1000, 3000, 10000, 30000)  # training-set sizes, one point of the curve each
STEPS = 1000  # gradient steps of every run, whatever its size
QUICK = {"SIZES": (100, 1000), "STEPS": 30}

page = start_page("ch09_faq/data_size", globals())

# %% [markdown]
# ## The data
#
# The training and test images as arrays; a pipeline is made for each sample below. The test
# set is the same, whole, for every run. Each sample holds every class, so a size is at least
# the number of classes, and at most the training images there are.

# %%
dataset_name = resolve_dataset(DATASET, page.data_dir)
num_classes = len(dataset(dataset_name).class_names)
(train_images, train_labels), (test_images, test_labels) = load_arrays(
    dataset_name, limit=page.limit, data_dir=page.data_dir, seed=page.seed)
sizes = sorted(set(SIZES))
if not num_classes <= sizes[0] <= sizes[-1] <= len(train_images):
    raise InvalidDataError(f"sizes={','.join(map(str, SIZES))}: {dataset_name} has "
                           f"{num_classes} classes and {len(train_images)} training images here; "
                           f"ask for sizes from {num_classes} to {len(train_images)}")
test = batches((test_images, test_labels), 256, per_batch=scale)
print(f"{len(train_images)} training and {len(test_images)} test images; sizes {sizes}, "
      f"{STEPS} steps of {BATCH_SIZE} images per run")

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
    keras.utils.set_random_seed(page.seed)
    chosen = stratified_split(train_labels, size / len(train_labels), page.seed)
    train = batches((train_images[chosen], train_labels[chosen]), BATCH_SIZE,
                    shuffle_seed=page.seed, per_batch=scale).repeat()
    model = keras.Sequential([keras.Input(test_images.shape[1:] + (1,)),
                              *([augmentation()] if augment else []),
                              build_cnn(num_classes=num_classes, dropout=0)])
    model.compile(optimizer=adam_cosine(2e-3, 1, STEPS),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(train, steps_per_epoch=STEPS, epochs=1, verbose=0, shuffle=False)
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
page.record(dataset=dataset_name, sizes=sizes, test_accuracy=curves,
            augmentation=[type(layer).__name__ for layer in augmentation().layers])
plot_against(sizes, curves, page.output_dir / "learning_curve.png",
             xlabel="training images (log scale)", ylabel="test accuracy",
             title=f"CNN, {STEPS} steps of {BATCH_SIZE} images per run", log_x=True)

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
