# %% [markdown]
# # Section 3 · Overfitting and its remedies, measured (the FAQ of section 9 points here)
#
# Tutorial: section 3 · 算法步骤详解 (seed 000 §3.2) · 数据增强 (seed 004 §3.2.1); section 9 ·
# 深度学习中的过拟合现象是如何解决的？ (seed 003 §9 Q2)
#
# A network with enough weights can learn its training examples by heart: the training loss
# keeps falling while the loss on examples it has not seen stops falling and rises. That is
# overfitting, and it is worst when the training set is small. Section 3's loop guards against
# it by iterating only until the validation performance stops improving; the FAQ of section 9
# lists the usual remedies: data augmentation, L2 and dropout regularization, early stopping,
# and a fourth, cutting layers off the model (模型裁剪), which is no cure for overfitting: pruning
# makes a model smaller at, at best, the same accuracy (chapter 8's pruning page).
#
# This page provokes overfitting on purpose: a multilayer perceptron of 2 x 512 ReLU units
# (about 670,000 weights) trained on only 1,000 images, 100 per class. It then trains the same
# network once per remedy and compares them on 2,000 held-out validation images:
#
# - **nothing**;
# - **L2 regularization**: $\lambda \sum W^2$ added to the loss ($\lambda = 10^{-3}$), which
#   pulls every weight towards 0;
# - **dropout**: during training, each hidden unit is zeroed with probability 0.5 (and the
#   others scaled by 2), so no unit can rely on a particular other one;
# - **data augmentation** with Keras preprocessing layers: each training image is shifted by up
#   to 10% and zoomed by up to 10% every time it is seen, and on Fashion-MNIST also flipped
#   left-right at random, so the network never sees exactly the same image twice. A mirrored
#   shirt is still a shirt, but a mirrored 2, 3 or 7 is no digit at all, so MNIST (which
#   `DATASET=auto` takes when it can) and any other images are not flipped. The layers are part
#   of the model and do nothing at inference;
# - **early stopping**: watch the validation loss, stop when it has not improved for 10 epochs
#   and give the network back the weights of its best epoch
#   (`Trainer.fit(patience=10, monitor="val_loss")`);
# - **all together**: dropout, augmentation and early stopping.

# %%
from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.plots import plot_curves
from dlbook.training import Trainer

import keras
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--patience 5`, `make ch03-overfitting EPOCHS=30`;
# `--help` lists them). `--quick` trains one epoch on 500 training and 500 validation images.

# %%
EPOCHS = 60  # epochs at most for each remedy
BATCH_SIZE = 64  # images per gradient step
LEARNING_RATE = 1e-3  # Adam's rate
TRAIN_SIZE = 1_000  # training images, each class its share
VALIDATION_SIZE = 2_000  # validation images, each class its share
L2 = 1e-3  # lambda of the L2 penalty
PATIENCE = 10  # epochs without a lower validation loss before early stopping ends a run
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
QUICK = {"EPOCHS": 1, "TRAIN_SIZE": 500, "VALIDATION_SIZE": 500}

page = start_page("ch03_algorithm/overfitting", globals())

# %% [markdown]
# ## A small training set
#
# 3,000 training images drawn at random, each class its share (`limit`), `TRAIN_SIZE` (1,000)
# of them for training and `VALIDATION_SIZE` (2,000) for validation; the page's own split, in
# place of `--validation-fraction`. The test set is cut to the same total; we use it once per
# remedy, at the end.

# %%
total = TRAIN_SIZE + VALIDATION_SIZE
sizes = {"limit": total, "validation_fraction": VALIDATION_SIZE / total}
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **(page.data_options | sizes))
print(data)

# %% [markdown]
# ## One network, each remedy an option
#
# The regularizer is attached to every dense layer's kernel; Keras adds its penalty to
# `model.losses`, which the Trainer adds to the loss it differentiates. Dropout layers and the
# augmentation layers are active only when the model is called with `training=True`. A mirror
# image keeps the class of a garment, not of a digit: only Fashion-MNIST is flipped.

# %%
MIRROR_KEEPS_CLASS = data.name == "fashion_mnist"


def mlp(l2: float = 0.0, dropout: float = 0.0, augment: bool = False) -> keras.Sequential:
    regularizer = keras.regularizers.L2(l2) if l2 else None
    model = keras.Sequential([keras.Input(data.image_shape)])
    if augment:
        if MIRROR_KEEPS_CLASS:
            model.add(layers.RandomFlip("horizontal", seed=page.seed))
        model.add(layers.RandomTranslation(0.1, 0.1, seed=page.seed))
        model.add(layers.RandomZoom(0.1, seed=page.seed))
    model.add(layers.Flatten())
    for units in (512, 512):
        model.add(layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
        if dropout:
            model.add(layers.Dropout(dropout, seed=page.seed))
    model.add(layers.Dense(len(data.class_names), kernel_regularizer=regularizer))
    return model


REMEDIES = {
    "nothing": ({}, None),
    f"L2 ({L2:g})": ({"l2": L2}, None),
    "dropout (0.5)": ({"dropout": 0.5}, None),
    "data augmentation": ({"augment": True}, None),
    f"early stopping (patience {PATIENCE})": ({}, PATIENCE),
    "all together": ({"dropout": 0.5, "augment": True}, PATIENCE),
}
augmentation = [type(layer).__name__ for layer in mlp(augment=True).layers
                if type(layer).__name__.startswith("Random")]
print(f"augmentation: {', '.join(augmentation)} ({data.name}: a mirror image "
      f"{'keeps' if MIRROR_KEEPS_CLASS else 'may change'} the class)")
page.record(augmentation=augmentation)

# %% [markdown]
# ## Six runs
#
# The same initial seed, Adam with its default rate of $10^{-3}$ (`LEARNING_RATE`), `EPOCHS` (60)
# epochs at most.

# %%
histories, table = {}, {}
for name, (options, patience) in REMEDIES.items():
    print(f"--- {name}")
    keras.utils.set_random_seed(page.seed)
    trainer = Trainer(mlp(**options), keras.optimizers.Adam(LEARNING_RATE))
    history = histories[name] = trainer.fit(data.train, EPOCHS,
                                            validation_data=data.validation,
                                            patience=patience, monitor="val_loss", verbose=0)
    validation, test = trainer.evaluate(data.validation), trainer.evaluate(data.test)
    table[name] = {
        "epochs_trained": len(history.history["loss"]),
        "kept_epoch": trainer.best_epoch or len(history.history["loss"]),
        "final_training_accuracy": history.history["accuracy"][-1],
        "validation_accuracy": validation["accuracy"],
        "validation_loss": validation["loss"],
        "best_validation_accuracy": max(history.history["val_accuracy"]),
        "test_accuracy": test["accuracy"],
    }

print(f"\n{'remedy':<30}{'epochs':>7}{'kept':>6}{'train acc':>11}{'val acc':>9}{'val loss':>10}"
      f"{'test acc':>10}")
for name, row in table.items():
    print(f"{name:<30}{row['epochs_trained']:>7}{row['kept_epoch']:>6}"
          f"{row['final_training_accuracy']:>11.3f}{row['validation_accuracy']:>9.3f}"
          f"{row['validation_loss']:>10.3f}{row['test_accuracy']:>10.3f}")
page.record(remedies=table, identity=data.identity)

# %% [markdown]
# ## What to look at
#
# `curves.png`, one panel per remedy: the training loss and the validation loss per epoch.
# Without a remedy the two part early: the training loss heads for 0 while the validation
# loss, after a minimum near epoch 5, climbs as the network grows ever more confident about
# images it has memorized. Each remedy narrows the gap; early stopping simply ends the run near
# the minimum and keeps those weights. On so few images the remedies change the validation loss
# far more than the accuracy: the table above gives both, and the chapter's README the figures
# of a full run. Dropout and augmentation together hold the network back most: its training
# loss stays above the validation loss all along, and its validation loss falls ever more
# slowly, until early stopping ends the run ten epochs after its best (epoch 33 of 43 in a full
# run), with the lowest training accuracy and the lowest test accuracy of the six.

# %%
plot_curves({name: {"training loss": h.history["loss"], "validation loss": h.history["val_loss"]}
             for name, h in histories.items()},
            page.output_dir / "curves.png", xlabel="epoch", ylabel="cross-entropy")
print(f"Plot in {page.output_dir}/curves.png")
