# %% [markdown]
# # Section 6 · Image classification on your own files
#
# Tutorial: section 6 · 图像识别 (seed 003 §6.1) · 图像分类 (seed 004 §6.1) · 实际应用场景 (seed 002
# §6)
#
# Image recognition and classification is the first application section 6 names: in medical images,
# driving and surveillance (seed 003), on datasets such as MNIST, CIFAR-10 and ImageNet (seed 004),
# with pretrained networks that people reuse, Inception-V3 and ResNet (seed 002). Those need their
# weights downloaded (`own_photos.py`, next, fine-tunes one where they can be had); this page stays
# on this machine and reuses the network trained in chapter 5: the Sequential CNN of
# `chapters/ch05_practice/cnn.py`, saved as `cnn-<dataset>.keras`.
#
# A trained model is only useful if it can be given new inputs. Here they are image files, of
# any size, in colour or grayscale, and the work is to turn each into what the network was
# trained on. Then the page looks at where the model fails: its most confident mistakes.
#
# `--images FOLDER` classifies your own image files. Without it, the page makes such a folder
# itself from test images, saved the way a camera or a drawing program would save them: larger,
# in colour, some dark on a light background. `--model` and `--dataset` take another network and
# the data it learned from, such as the photo classifier of `own_photos.py` and its folder
# (`--image-size` then the size it takes).

# %%
from pathlib import Path

from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.data.errors import DatasetNotFoundError
from dlbook.data.image_files import (
    check_failures,
    decode_files,
    is_clutter,
    promises_image,
    summary,
)
from dlbook.models.loading import load_classifier
from dlbook.plots import plot_image_grid, plot_predictions
from dlbook.training.trained_cnn import chapter5_model_path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--images`, `--model`, `--dataset`, `--image-size`;
# `--help` lists them). The page trains nothing: `--quick` only makes it use the model of
# chapter 5's quick run, which saw a part of the data.

# %%
IMAGES: Path | None = None  # a folder of image files to classify (None: a demo folder)
MODEL: Path | None = None  # a trained classifier (None: chapter 5's CNN of DATASET)
DATASET = "auto"  # what the model learned: mnist, fashion_mnist, auto, or a folder of images
IMAGE_SIZE = (28, 28)  # height x width of the model's input images

page = start_page("ch06_applications/classify_images", globals())
if IMAGES is not None and not IMAGES.is_dir():
    raise DatasetNotFoundError(f"images={IMAGES}: no such folder; name a folder of image files")

# %% [markdown]
# ## The trained network
#
# `cnn.py` saves its model under `outputs/ch05_practice/cnn/` (`cnn-quick/` for a `--quick`
# run), one file per dataset, with a record of the data that trained it. If it is not there,
# or was trained on other data, the page stops here and says how to make it.

# %%
data = load_images(DATASET, image_size=IMAGE_SIZE, **page.data_options)
model_path = MODEL or chapter5_model_path(data.name, page.quick)
model = load_classifier(
    model_path, f"train it first with `make ch05-cnn DATASET="
    f"{data.name if DATASET == 'auto' else DATASET}{' QUICK=1' if page.quick else ''}`, or pass "
    "model=FILE", input_shape=data.image_shape, num_classes=len(data.class_names),
    trained_on=data.identity)
print(f"{model_path}: {model.count_params():,} parameters, {data.name} classes "
      f"{', '.join(data.class_names)}")

# %% [markdown]
# ## From a file to the network's input
#
# A file from elsewhere has to become what the network was trained on: an image of its size,
# with its channels, pixel values divided by 255 into $[0, 1]$. Each file is read by
# `dlbook.data.image_files.decode_image` (Pillow), whatever its format: turned upright as its
# EXIF orientation says, 16-bit values scaled by their range ($v / 65535$, not $v / 255$),
# transparency put on white as a viewer shows it, and converted to the model's channels (one
# gray channel is $0.299 R + 0.587 G + 0.114 B$). What comes next depends on what the network
# learned from, and one line says which:
#
# - **Light drawings on a dark ground**, as MNIST and Fashion-MNIST are (grayscale, borders
#   averaging under 0.5): a file whose border is mostly light, a dark object on a light
#   background as a photo or a drawing has it, is inverted ($1 - x$); then it is fitted into the
#   input size without distorting it, the rest padded with black (`tf.image.resize_with_pad`,
#   antialiased), as the datasets' objects sit in a dark frame.
# - **Anything else**, such as colour photos: no file is inverted (a dark photo is not a
#   negative), and each is resized to the input size as the folder reader resized the training
#   images.

# %%
def border(images: np.ndarray) -> np.ndarray:
    """The mean of each image's outermost rows and columns, for ``(N, H, W, C)`` images."""
    edges = [images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]]
    return np.concatenate(edges, axis=1).mean(axis=(1, 2))


def to_model_input(image: np.ndarray, drawings: bool) -> tuple[np.ndarray, bool]:
    """One decoded image (``uint8 (H, W, C)``) as the network's input, an array in [0, 1] of
    the training images' shape, and whether it was inverted."""
    pixels = image / 255.0
    if not drawings:
        return pixels, False
    inverted = bool(border(pixels[np.newaxis])[0] > 0.5)
    if inverted:
        pixels = 1.0 - pixels
    height, width = data.image_shape[:2]
    return tf.image.resize_with_pad(pixels, height, width, antialias=True).numpy(), inverted


test_images, test_labels = map(np.concatenate, zip(*data.test.as_numpy_iterator(), strict=True))
ground = float(border(test_images).mean())
drawings = data.image_shape[-1] == 1 and ground < 0.5
print(f"{data.name}'s images are " + (
    f"light drawings on a dark ground (borders average {ground:.2f}): a file with a light border "
    "is inverted, then fitted into the input with a black margin" if drawings else
    f"not light drawings on a dark ground ({'colour' if data.image_shape[-1] == 3 else 'borders'}"
    f" average {ground:.2f}): no file is inverted, each is resized to the input size"))

# %% [markdown]
# ## The files
#
# The demo folder holds one test image of each class, saved as a PNG enlarged 4 times (tinted, if
# the images are grayscale) and, for the first half of the classes, also as a JPEG enlarged 3
# times, a dark object on a light background for drawings. Each file is named after its true
# class.

# %%
folder = IMAGES
if folder is None:
    folder = page.output_dir / "demo_images" / data.name  # one folder per dataset
    folder.mkdir(parents=True, exist_ok=True)
    for label, name in enumerate(data.class_names):
        if not np.any(test_labels == label):
            continue
        image = (test_images[np.flatnonzero(test_labels == label)[0]] * 255).astype(np.uint8)
        stem = name.replace("/", "-").replace(" ", "_").lower()
        if image.shape[-1] == 1:
            image = (image * [1.0, 0.8, 0.6]).astype(np.uint8)  # tinted
        height, width = image.shape[:2]
        Image.fromarray(image).resize((4 * width, 4 * height), Image.BICUBIC).save(
            folder / f"{stem}.png")
        if label < len(data.class_names) // 2:
            Image.fromarray(255 - image[..., 0] if drawings else image).resize(
                (3 * width, 3 * height)).save(folder / f"{stem}-{'dark' if drawings else 'b'}.jpg")
candidates = [path for path in sorted(folder.iterdir())
              if not is_clutter(path) and (not path.is_dir() or promises_image(path))]
decoded = decode_files(candidates, "grayscale" if data.image_shape[-1] == 1 else "rgb",
                       None if drawings else data.image_shape[:2])
check_failures(decoded, folder)
files = decoded.paths
inputs, inverted = zip(*(to_model_input(image, drawings) for image in decoded.images), strict=True)
inputs = np.stack(inputs)
print("; ".join([f"{len(files)} files from {folder}, {sum(inverted)} of them inverted",
                 *summary(decoded, folder)]))

# %% [markdown]
# ## Their classes
#
# The network returns ten scores (logits); the softmax turns them into probabilities. Each line
# gives the most probable class and the two next.

# %%
file_probabilities = keras.ops.softmax(model.predict(inputs, verbose=0)).numpy()
predictions = {}
for path, p, was_inverted in zip(files, file_probabilities, inverted, strict=True):
    top = np.argsort(p)[::-1][:3]
    predictions[path.name] = {"class": data.class_names[top[0]], "probability": float(p[top[0]]),
                              "inverted": was_inverted}
    print(f"{path.name:<28} {data.class_names[top[0]]:<12} {p[top[0]]:6.1%}   then "
          + ", ".join(f"{data.class_names[k]} {p[k]:.1%}" for k in top[1:]))
plot_image_grid(inputs, page.output_dir / "your_images.png", ncols=6,
                titles=[f"{path.name[:18]}\n{data.class_names[p.argmax()]} {p.max():.0%}"
                        for path, p in zip(files, file_probabilities, strict=True)])
page.record(predictions=predictions)

# %% [markdown]
# ## Its most confident mistakes
#
# Accuracy says how often the network is wrong; the test images it gets wrong with the highest
# probability say how. On Fashion-MNIST, after a full run of `cnn.py`, they are kinds of shoes
# taken for one another (sandal, sneaker, ankle boot), kinds of tops (shirt, T-shirt, dress,
# coat), and images whose label a person would dispute: a "trouser" that looks like a dress, a
# "bag" shaped like a shoe. The network is sure of them, at 99% or more: a probability is not a
# guarantee, only what the network learned from its data.

# %%
probabilities = keras.ops.softmax(model.predict(data.test, verbose=0)).numpy()
predicted = probabilities.argmax(axis=1)
accuracy = float(np.mean(predicted == test_labels))
wrong = np.flatnonzero(predicted != test_labels)
worst = wrong[np.argsort(-probabilities[wrong, predicted[wrong]])][:16]
print(f"test accuracy {accuracy:.4f}: {len(wrong)} of {len(test_labels)} wrong; the most "
      "confident mistakes:")
for i in worst[:8]:
    print(f"  test image {i}: {data.class_names[predicted[i]]} at "
          f"{probabilities[i, predicted[i]]:.1%}, truly {data.class_names[test_labels[i]]}")
page.record(test_accuracy=accuracy, confident_mistakes=[
    {"test_image": int(i), "predicted": data.class_names[predicted[i]],
     "probability": float(probabilities[i, predicted[i]]), "true": data.class_names[test_labels[i]]}
    for i in worst])
plot_predictions(test_images[:32], test_labels[:32], predicted[:32], data.class_names,
                 page.output_dir / "predictions.png")
if len(worst):  # a model right on every test image has nothing to show here
    plot_image_grid(test_images[worst], page.output_dir / "confident_mistakes.png", ncols=8,
                    titles=[f"{data.class_names[predicted[i]]} "
                            f"{probabilities[i, predicted[i]]:.1%}\n"
                            f"(truly {data.class_names[test_labels[i]]})" for i in worst])
