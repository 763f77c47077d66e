# %% [markdown]
# # Section 6 · Image classification on your own files
#
# Tutorial: section 6 · 图像识别 (seed 003 §6.1) · 图像分类 (seed 004 §6.1) · 实际应用场景 (seed 002
# §6)
#
# Image recognition and classification is the first application section 6 names: in medical images,
# driving and surveillance (seed 003), on datasets such as MNIST, CIFAR-10 and ImageNet (seed 004),
# with pretrained networks that people reuse, Inception-V3 and ResNet (seed 002). Those need their
# weights downloaded; this page stays on this machine and reuses the network trained in chapter 5:
# the Sequential CNN of `chapters/ch05_practice/cnn.py`, saved as `cnn-<dataset>.keras`.
#
# A trained model is only useful if it can be given new inputs. Here they are image files, of
# any size, in colour or grayscale, and the work is to turn each into what the network was
# trained on. Then the page looks at where the model fails: its most confident mistakes.
#
# `--images FOLDER` classifies your own PNG or JPEG files. Without it, the page makes such a
# folder itself from test images, saved the way a camera or a drawing program would save them:
# larger, in colour, some dark on a light background.

# %%
import argparse
from pathlib import Path

from dlbook.cli import chapter_args
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
from dlbook.results import save_results
from dlbook.training.trained_cnn import chapter5_model_path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

page_flags = argparse.ArgumentParser(add_help=False)
page_flags.add_argument("--images", type=Path, metavar="FOLDER",
                        help="a folder of PNG/JPEG files to classify (default: a demo folder "
                             "made from test images)")
page_flags.add_argument("--model", type=Path, metavar="FILE",
                        help="the trained classifier (default: the CNN that `make ch05-cnn` "
                             "saves for the dataset)")
args = chapter_args("ch06_applications/classify_images", "Classify your own image files with "
                    "the chapter-5 CNN (section 6)", epochs=1, own_flags=page_flags)
if args.images is not None and not args.images.is_dir():
    raise DatasetNotFoundError(f"--images {args.images}: no such folder; name a folder of PNG or "
                               "JPEG files")

# %% [markdown]
# ## The trained network
#
# `cnn.py` saves its model under `outputs/ch05_practice/cnn/` (`cnn-quick/` for a `--quick`
# run), one file per dataset. If it is not there, the page stops here and says how to make it.

# %%
data = load_images(args.dataset, batch_size=args.batch_size, limit=args.limit,
                   validation_fraction=0, seed=args.seed, data_dir=args.data_dir)
model_path = args.model or chapter5_model_path(data.name, args.quick)
model = load_classifier(
    model_path, f"train it first with `make ch05-cnn DATASET="
    f"{data.name if args.dataset == 'auto' else args.dataset}"
    f"{' QUICK=1' if args.quick else ''}`, or name a model with --model",
    input_shape=data.image_shape, num_classes=len(data.class_names), trained_on=data.identity)
print(f"{model_path}: {model.count_params():,} parameters, {data.name} classes "
      f"{', '.join(data.class_names)}")

# %% [markdown]
# ## From a file to the network's input
#
# The network was trained on $28 \times 28$ grayscale images, pixel values divided by 255 into
# $[0, 1]$, a light object on a black background. A file from elsewhere is none of these, so
# each one is:
#
# 1. read by `dlbook.data.image_files.decode_image` (Pillow), whatever its format: turned
#    upright as its EXIF orientation says, 16-bit values scaled by their range ($v / 65535$,
#    not $v / 255$), transparency put on white as a viewer shows it, and converted to one
#    gray channel ($0.299 R + 0.587 G + 0.114 B$);
# 2. scaled into $[0, 1]$ as the training images were;
# 3. inverted ($1 - x$) when its border is mostly light: a dark object on a light background,
#    as in a photo or a drawing, the opposite of the training images;
# 4. resized to fit $28 \times 28$ without distorting it, the rest padded with black
#    (`tf.image.resize_with_pad`, antialiased).

# %%
def to_model_input(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """One decoded image (``uint8 (H, W, C)``) as the network's input, an array in [0, 1] of
    the training images' shape, and whether it was inverted."""
    pixels = image / 255.0
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    inverted = bool(border.mean() > 0.5)
    if inverted:
        pixels = 1.0 - pixels
    height, width = data.image_shape[:2]
    return tf.image.resize_with_pad(pixels, height, width, antialias=True).numpy(), inverted


# %% [markdown]
# ## The files
#
# The demo folder holds one test image of each class, saved as a colour PNG (tinted, enlarged
# 4 times) and, for the first half of the classes, also as a JPEG of a dark object on a light
# background, enlarged 3 times. Each file is named after its true class.

# %%
test_images, test_labels = map(np.concatenate, zip(*data.test.as_numpy_iterator(), strict=True))
folder = args.images
if folder is None:
    folder = args.output_dir / "demo_images" / data.name  # one folder per dataset
    folder.mkdir(parents=True, exist_ok=True)
    for label, name in enumerate(data.class_names):
        if not np.any(test_labels == label):
            continue
        gray = (test_images[np.flatnonzero(test_labels == label)[0], ..., 0] * 255).astype(np.uint8)
        stem = name.replace("/", "-").replace(" ", "_").lower()
        tinted = np.stack([gray, (gray * 0.8).astype(np.uint8), (gray * 0.6).astype(np.uint8)], -1)
        Image.fromarray(tinted).resize((112, 112), Image.BICUBIC).save(folder / f"{stem}.png")
        if label < len(data.class_names) // 2:
            Image.fromarray(255 - gray).resize((84, 84)).save(folder / f"{stem}-dark.jpg")
candidates = [path for path in sorted(folder.iterdir())
              if not is_clutter(path) and (not path.is_dir() or promises_image(path))]
decoded = decode_files(candidates, "grayscale" if data.image_shape[-1] == 1 else "rgb")
check_failures(decoded, folder)
files = decoded.paths
inputs, inverted = zip(*(to_model_input(image) for image in decoded.images), strict=True)
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
plot_image_grid(inputs, args.output_dir / "your_images.png", ncols=6,
                titles=[f"{path.name[:18]}\n{data.class_names[p.argmax()]} {p.max():.0%}"
                        for path, p in zip(files, file_probabilities, strict=True)])

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
plot_predictions(test_images[:32], test_labels[:32], predicted[:32], data.class_names,
                 args.output_dir / "predictions.png")
if len(worst):  # a model right on every test image has nothing to show here
    plot_image_grid(test_images[worst], args.output_dir / "confident_mistakes.png", ncols=8,
                    titles=[f"{data.class_names[predicted[i]]} "
                            f"{probabilities[i, predicted[i]]:.1%}\n"
                            f"(truly {data.class_names[test_labels[i]]})" for i in worst])

save_results(args, identity=data.identity, model=str(model_path), dataset=data.name,
             test_accuracy=accuracy, files=str(folder), predictions=predictions,
             confident_mistakes=[{"test_image": int(i), "predicted": data.class_names[predicted[i]],
                                  "probability": float(probabilities[i, predicted[i]]),
                                  "true": data.class_names[test_labels[i]]} for i in worst])
