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
from dlbook.cli import chapter_args
from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.plots import plot_curves
from dlbook.results import save_results
from dlbook.training import Trainer

import keras
from keras import layers

args = chapter_args("ch03_algorithm/overfitting", "Overfitting on 1,000 images and five remedies "
                    "(sections 3 and 9)", epochs=60, batch_size=64)
set_seed(args.seed)

# %% [markdown]
# ## A small training set
#
# 3,000 training images drawn at random, each class its share (`limit`), 1,000 of them for
# training and 2,000 for validation (with `--quick`, 500 and 500). The test set is cut to the
# same total; we use it once per remedy, at the end.

# %%
train_size, validation_size = (500, 500) if args.quick else (1_000, 2_000)
data = load_images(args.dataset, batch_size=args.batch_size, limit=train_size + validation_size,
                   validation_fraction=validation_size / (train_size + validation_size),
                   seed=args.seed, data_dir=args.data_dir)
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
print(f"augmentation: shifts and zooms{', left-right flips' if MIRROR_KEEPS_CLASS else ''} "
      f"({data.name}: a mirror image {'keeps' if MIRROR_KEEPS_CLASS else 'may change'} the class)")


def mlp(l2: float = 0.0, dropout: float = 0.0, augment: bool = False) -> keras.Sequential:
    regularizer = keras.regularizers.L2(l2) if l2 else None
    model = keras.Sequential([keras.Input(data.image_shape)])
    if augment:
        if MIRROR_KEEPS_CLASS:
            model.add(layers.RandomFlip("horizontal", seed=args.seed))
        model.add(layers.RandomTranslation(0.1, 0.1, seed=args.seed))
        model.add(layers.RandomZoom(0.1, seed=args.seed))
    model.add(layers.Flatten())
    for units in (512, 512):
        model.add(layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
        if dropout:
            model.add(layers.Dropout(dropout, seed=args.seed))
    model.add(layers.Dense(len(data.class_names), kernel_regularizer=regularizer))
    return model


REMEDIES = {
    "nothing": ({}, None),
    "L2 (1e-3)": ({"l2": 1e-3}, None),
    "dropout (0.5)": ({"dropout": 0.5}, None),
    "data augmentation": ({"augment": True}, None),
    "early stopping (patience 10)": ({}, 10),
    "all together": ({"dropout": 0.5, "augment": True}, 10),
}

# %% [markdown]
# ## Six runs
#
# The same initial seed, Adam with its default rate of $10^{-3}$, `--epochs` epochs at most.

# %%
histories, table = {}, {}
for name, (options, patience) in REMEDIES.items():
    print(f"--- {name}")
    set_seed(args.seed)
    trainer = Trainer(mlp(**options), keras.optimizers.Adam(1e-3))
    history = histories[name] = trainer.fit(data.train, args.epochs,
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

# %% [markdown]
# ## What to look at
#
# `curves.png`, one panel per remedy: the training loss and the validation loss per epoch.
# Without a remedy the two part early: the training loss heads for 0 while the validation
# loss, after a minimum near epoch 10, climbs as the network grows ever more confident about
# images it has memorized. Each remedy narrows the gap; early stopping simply ends the run near
# the minimum and keeps those weights. On so few images the remedies change the validation loss
# far more than the accuracy: the table above gives both, and the chapter's README the figures
# of a full run. Dropout and augmentation together hold the network back most: its training
# loss stays above the validation loss, and it is still improving when the epochs run out.

# %%
plot_curves({name: {"training loss": h.history["loss"], "validation loss": h.history["val_loss"]}
             for name, h in histories.items()},
            args.output_dir / "curves.png", xlabel="epoch", ylabel="cross-entropy")
print(f"Plot in {args.output_dir}/curves.png")

save_results(args, identity=data.identity, dataset=data.name, train_size=data.num_train,
             validation_size=data.num_validation, remedies=table,
             augmentation=[type(layer).__name__ for layer in mlp(augment=True).layers
                           if type(layer).__name__.startswith("Random")])
