# %% [markdown]
# # Section 6 · Your own photos: a network trained on ImageNet, fine-tuned
#
# Tutorial: section 6 · 图像识别 (seed 003 §6.1) · 图像分类 (seed 004 §6.1) · 实际应用场景 (seed 002
# §6)
#
# Section 6 starts with image recognition: CNNs that extract the features of an image and
# classify it (seed 003), on datasets from MNIST to ImageNet (seed 004). Seed 002 adds how it is
# done in practice: TensorFlow offers networks already trained, Inception-V3 and ResNet among
# them, ready to be reused for classifying images. This page does that with photos of your own.
#
# A network trained on ImageNet's 1.3 million photos of 1,000 classes has learned, in its
# convolution layers, features that serve for other photos too: edges and textures in the first
# layers, parts of objects in the last. Keep those layers, put a new classifier on top for your
# classes, and a few hundred photos can be enough to train it (transfer learning, which chapter 8's
# `transfer.py` measures with chapter 5's CNN). The network here is MobileNetV2 (Sandler et al.,
# 2018): 2.3 million weights without its classifier, about a tenth of a ResNet-50's, which makes
# it the practical choice on a CPU; Inception-V3 and ResNet are used the same way
# (`keras.applications.InceptionV3`, `ResNet50`).
#
# ```sh
# python chapters/ch06_applications/own_photos.py --dataset ~/Pictures/pets
# make ch06-own-photos DATASET=~/Pictures/pets    # pets/cats/*.jpg, pets/dogs/*.jpg, ...
# ```
#
# The photos come as they are: any format Pillow reads, any size, nested folders, clutter and
# damaged files, each resized to `IMAGE_SIZE` in RGB by `dlbook.data`, which says in one line what
# it read and did. MobileNetV2's ImageNet weights come from Keras's cache (`~/.keras/models/`),
# or are downloaded there (9 MB); where neither is possible, offline, the page says so in one line
# and trains a small CNN from scratch instead.

# %%
from dlbook.cli import start_page
from dlbook.config import data_dir
from dlbook.data import load_images
from dlbook.data.photo_sets import default_photos
from dlbook.models.pretrained import mobilenet_v2_weights
from dlbook.models.saving import save_model
from dlbook.plots import plot_history, plot_test_results
from dlbook.training import adam_cosine, keras_verbose

import keras
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--dataset FOLDER`, `--image-size 224x224`,
# `--no-pretrained`; `--help` lists them). `--quick` trains one epoch of each kind on photos of
# 96x96.

# %%
EPOCHS = 20  # epochs that train the new classifier (or the whole CNN from scratch)
FINE_TUNE_EPOCHS = 5  # epochs more with the top of MobileNetV2 trained too; 0 skips them
FINE_TUNE_FROM = 100  # MobileNetV2's layers from this one on (of 154) train when fine-tuning
BATCH_SIZE = 32  # photos per gradient step
IMAGE_SIZE = (160, 160)  # height x width every photo is resized to, in RGB
LEARNING_RATE = 1e-3  # Adam's first rate, falling along a cosine; a tenth when fine-tuning
PRETRAINED = True  # start from MobileNetV2's ImageNet weights when they can be had
DATASET = "auto"  # a folder of photos, one sub-folder per class (auto: one is found)
QUICK = {"EPOCHS": 1, "FINE_TUNE_EPOCHS": 1, "IMAGE_SIZE": (96, 96)}

page = start_page("ch06_applications/own_photos", globals(),
                  may_be_zero={"FINE_TUNE_EPOCHS", "FINE_TUNE_FROM"})

# %% [markdown]
# ## The photos
#
# `DATASET` names a folder with one sub-folder of photos per class (`<folder>/<class>/`, or
# `train/` and `test/` holding such folders). Without one (`auto`), the page takes Tux Paint's
# stamps when Debian's `tuxpaint-stamps-default` is installed: photographs of birds, mammals,
# food and plants cut out for a children's drawing program. Else it draws a folder itself from
# Fashion-MNIST, five classes as colour pictures of mixed sizes and formats: it shows every step
# of the page on any machine, but it is not a set of photos, and the line printed says so.
#
# A fifth of each class is held out as the test set, and a tenth of the rest for validation.

# %%
folder = default_photos(data_dir(), page.seed) if DATASET == "auto" else DATASET
data = load_images(str(folder), batch_size=BATCH_SIZE, image_size=IMAGE_SIZE, color_mode="rgb",
                   **page.data_options)
print(data)

# %% [markdown]
# ## MobileNetV2's weights, or none
#
# The weights of the network trained on ImageNet, without its 1,000-class classifier, for this
# image size. If they cannot be had, the line says why and the page trains from scratch.

# %%
weights, whence = mobilenet_v2_weights(IMAGE_SIZE) if PRETRAINED else (None, "pretrained=False")
print(f"MobileNetV2's ImageNet weights: {whence}; " + (
    "fine-tuning it" if weights else "a small CNN trained from scratch instead"))

# %% [markdown]
# ## The models
#
# The cells below are written once, here, and also kept in the package: their first line,
# `#@save dlbook/models/photos.py`, makes them part of that module, which runs them, and from
# which the tests (and you) import them.
#
# **Augmentation.** A few hundred photos are few: each epoch shows every photo changed a little,
# flipped left to right, turned by up to 18 degrees, zoomed by up to 10%, so that the network
# learns what stays the same. The layers act only while training.

# %%
#@save dlbook/models/photos.py
def augmentation() -> keras.Sequential:
    """Random changes that keep a photo's class: flipped left to right, turned by up to 5% of a
    turn (18 degrees), zoomed in or out by up to 10%; active only while training."""
    return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.05),
                             layers.RandomZoom(0.1)], name="augmentation")


# %% [markdown]
# **Transfer.** MobileNetV2 without its classifier turns a 160x160 photo into 5x5 positions of
# 1,280 features. Its weights are frozen (`trainable = False`): only the new classifier on top
# learns, global average pooling of the features, dropout and one dense layer of logits, one per
# class. MobileNetV2 was trained on pixels scaled to $[-1, 1]$; the images here are in $[0, 1]$,
# so a `Rescaling` layer computes $2x - 1$ first, what `mobilenet_v2.preprocess_input` does to
# pixels of 0 to 255. The base is called with `training=False`, so its batch normalization keeps
# ImageNet's statistics, also once its top is trained.

# %%
#@save dlbook/models/photos.py
def mobilenet_classifier(num_classes: int, image_shape: tuple[int, int, int] = (160, 160, 3),
                         weights: str | None = None) -> keras.Model:
    """MobileNetV2 without its classifier (``weights``: a file of its ImageNet weights, or None
    for random ones), frozen, and a new classifier: RGB images in [0, 1] -> ``num_classes``
    logits."""
    base = keras.applications.MobileNetV2(input_shape=image_shape, include_top=False,
                                          weights=weights, name="mobilenet_v2")
    base.trainable = False
    inputs = keras.Input(image_shape)
    x = augmentation()(inputs)
    x = layers.Rescaling(2.0, offset=-1.0)(x)  # [0, 1] -> [-1, 1], MobileNetV2's range
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    return keras.Model(inputs, layers.Dense(num_classes)(x), name="mobilenet_v2_transfer")


# %% [markdown]
# **Fine-tuning.** Once the new classifier has learned, the top of the base can learn too: its
# layers from `FINE_TUNE_FROM` on (of 154) are unfrozen, batch normalization apart, and trained
# with a tenth of the rate, so that the ImageNet features are adjusted, not overwritten.

# %%
#@save dlbook/models/photos.py
def unfreeze_top(model: keras.Model, first_layer: int) -> int:
    """Let the layers of ``model``'s MobileNetV2 from ``first_layer`` on train, its batch
    normalization layers apart; returns how many weights train now."""
    base = model.get_layer("mobilenet_v2")
    base.trainable = True
    for index, layer in enumerate(base.layers):
        layer.trainable = (index >= first_layer
                           and not isinstance(layer, layers.BatchNormalization))
    return sum(int(keras.ops.size(weight)) for weight in model.trainable_weights)


# %% [markdown]
# **From scratch.** Without ImageNet's weights, a CNN learns its features from your photos
# alone: four blocks of a 3x3 convolution, batch normalization, ReLU and 2x2 max-pooling (16,
# 32, 64, 128 filters), then the same pooling, dropout and dense layer. A few hundred photos
# make few steps per epoch, so batch normalization's running mean and variance, which the test
# uses, follow the batches fast (momentum 0.9, not Keras's 0.99). It learns what a few hundred
# photos show, no more: on Tux Paint's 189 photographs of birds, mammals, food and plants, 20
# epochs get 58% to 79% of the 38 test photos right, depending on the seed, where always
# answering the largest class gets 34% (the chapter's README gives the runs).

# %%
#@save dlbook/models/photos.py
def small_cnn(num_classes: int, image_shape: tuple[int, int, int] = (160, 160, 3)
              ) -> keras.Model:
    """A CNN trained from scratch on RGB images in [0, 1]: four blocks of convolution 3x3,
    batch normalization (momentum 0.9), ReLU and max-pooling 2x2 (16, 32, 64, 128 filters),
    global average pooling, dropout 0.3 and ``num_classes`` logits."""
    inputs = keras.Input(image_shape)
    x = augmentation()(inputs)
    for filters in (16, 32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
        x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    return keras.Model(inputs, layers.Dense(num_classes)(x), name="small_cnn")


# %% [markdown]
# ## Training
#
# Adam on the mean cross-entropy of the logits, its rate falling from `LEARNING_RATE` to 0
# along a cosine over the epochs. Only the weights that train are counted below: with
# MobileNetV2 frozen, those of the new classifier.

# %%
num_classes = len(data.class_names)
model = (mobilenet_classifier(num_classes, data.image_shape, str(weights)) if weights
         else small_cnn(num_classes, data.image_shape))
steps = int(data.train.cardinality())
model.compile(optimizer=adam_cosine(LEARNING_RATE, EPOCHS, steps),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
trained = sum(int(keras.ops.size(weight)) for weight in model.trainable_weights)
print(f"{model.name}: {model.count_params():,} weights, {trained:,} of them trained")
history = model.fit(data.train, epochs=EPOCHS, validation_data=data.validation, shuffle=False,
                    verbose=keras_verbose())

# %% [markdown]
# ## Fine-tuning the top of MobileNetV2
#
# Only with ImageNet's weights: a few epochs more, the top of the base unfrozen, a tenth of the
# rate (a model compiled anew, since what trains has changed).

# %%
if weights and FINE_TUNE_EPOCHS:
    trained = unfreeze_top(model, FINE_TUNE_FROM)
    model.compile(optimizer=adam_cosine(LEARNING_RATE / 10, FINE_TUNE_EPOCHS, steps),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    print(f"fine-tuning: {trained:,} weights trained")
    fine = model.fit(data.train, epochs=EPOCHS + FINE_TUNE_EPOCHS, initial_epoch=EPOCHS,
                     validation_data=data.validation, shuffle=False, verbose=keras_verbose())
    history.history = {key: values + fine.history[key] for key, values in history.history.items()}

# %% [markdown]
# ## On the test photos
#
# `curves.png` shows the loss and accuracy per epoch (with fine-tuning, its epochs follow), and
# `predictions.png` and `confusion_matrix.png` the test photos and which class is taken for
# which. The model is saved with a record of the data it learned from, so that
# `classify_images.py --model FILE --dataset FOLDER --image-size 160x160` can classify new photos
# with it.

# %%
test = model.evaluate(data.test, verbose=0, return_dict=True)
route = "mobilenet_v2" if weights else "from_scratch"
print(f"test accuracy {test['accuracy']:.4f} on {data.num_test} photos of {num_classes} classes "
      f"({route}, {len(history.history['loss'])} epochs)")
page.record(route=route, test_accuracy=test["accuracy"], identity=data.identity,
            classes=data.class_names, images=data.num_train + data.num_validation + data.num_test)
plot_history(history, page.output_dir / "curves.png")
plot_test_results(model, data.test, data.class_names, page.output_dir)
saved = save_model(model, page.output_dir / f"photos-{data.name}.keras",
                   trained_on={**data.identity, "class_names": data.class_names})
print(f"model in {saved}; plots in {page.output_dir}/")
