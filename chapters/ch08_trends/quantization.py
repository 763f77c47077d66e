# %% [markdown]
# # Section 8 · Quantization: the CNN in 8-bit integers with TensorFlow Lite
#
# Tutorial: section 8 · 未来发展趋势 (seed 003 §8.2); section 9 · 深度学习需要强大的计算资源吗？
# (seed 002 §9 Q2)
#
# Section 8 of the tutorial names efficiency through pruning and quantization among the trends of
# deep learning, and its FAQ gives the same two techniques when it asks whether deep learning
# needs much compute. Pruning (`pruning.py`) sets most weights to zero; quantization keeps
# every weight but stores it, and computes with it, in fewer bits: 8-bit integers instead of
# 32-bit floats, four times less memory, and integer arithmetic that small processors run fast.
#
# **Affine quantization.** A real value $x$ is stored as an integer $q$ with a scale $s$ and a
# zero point $z$ shared by a whole tensor (or one channel of it):
#
# $$x \approx s\,(q - z), \qquad q = \operatorname{clip}\big(\operatorname{round}(x / s) + z,\;
#   -128,\; 127\big).$$
#
# The scale sets the step between representable values, so the rounding error is at most $s/2$;
# the range it has to cover is known for the weights, and for the activations it is measured on
# a few hundred example images (the *representative dataset*).
#
# This page takes the chapter 5 CNN, converts it with the TensorFlow Lite converter in four ways
# (float32, dynamic range, float16, full integer), runs each file with the LiteRT interpreter
# (the `ai-edge-litert` package; `tf.lite.Interpreter` is deprecated) on the whole test set, and
# compares size and accuracy.

# %%
import os
import time
from pathlib import Path

from dlbook.cli import start_page
from dlbook.data import load_images
from dlbook.plots import plot_bars
from dlbook.training.trained_cnn import trained_cnn

import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

# %% [markdown]
# ## Settings
#
# Each constant is a flag of the page (`--cnn PATH`; `--help` lists them). `--quick` runs on
# 2,048 images.

# %%
EPOCHS = 10  # epochs of the CNN trained here when chapter 5 saved none for this data
BATCH_SIZE = 32  # images per batch: of that training, and of the int8 calibration
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
CNN: Path | None = None  # the CNN (.keras file) to quantize; default chapter 5's, or trained here

page = start_page("ch08_trends/quantization", globals())

# %% [markdown]
# ## The model to quantize
#
# The CNN of chapter 5 (`cnn.py`): its saved model if that page has run on the same data,
# otherwise one trained here with the same recipe for `EPOCHS` epochs (and kept for the next
# run).

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)
model, origin = trained_cnn(data, page.output_dir / f"cnn-{data.name}.keras", cnn=CNN,
                            quick=page.quick, epochs=EPOCHS)
print(f"the CNN: {origin}")
test_images, test_labels = map(np.concatenate, zip(*data.test.as_numpy_iterator(), strict=True))
keras_accuracy = float(np.mean(model.predict(test_images, verbose=0).argmax(1) == test_labels))
print(f"Keras model: test accuracy {keras_accuracy:.4f}")
page.record(cnn=origin, parameters=model.count_params(), keras_test_accuracy=keras_accuracy)

# %% [markdown]
# ## The formula on one layer
#
# The dense layer `features` holds $1600 \times 64$ weights. Quantized symmetrically ($z = 0$,
# $s = \max |w| / 127$), each becomes one byte instead of four, and comes back with an error of
# at most $s / 2$. TensorFlow Lite does this per output channel for the weights (one scale per
# column here), and with an affine scale and zero point for the activations.

# %%
weights = model.get_layer("features").kernel.numpy()
scale = np.abs(weights).max() / 127
quantized = np.clip(np.round(weights / scale), -128, 127).astype(np.int8)
restored = scale * quantized.astype(np.float32)
print(f"scale s = {scale:.5f}; largest error {np.abs(restored - weights).max():.5f} "
      f"<= s/2 = {scale / 2:.5f}; {weights.nbytes:,} bytes as float32, "
      f"{quantized.nbytes:,} as int8")

# %% [markdown]
# ## Four conversions
#
# The converter reads the model as a TensorFlow SavedModel, which `model.export` writes (the
# route through a concrete function gives NaN outputs for Keras 3 models):
#
# - **float32**: the same weights in TensorFlow Lite's format, the reference;
# - **dynamic range** (`optimizations=[Optimize.DEFAULT]`): weights stored as int8, activations
#   kept in float and quantized on the fly where a kernel can use it;
# - **float16**: weights stored as 16-bit floats, computed in float32 on a CPU;
# - **full integer int8**: weights *and* activations in int8, input and output too. The range
#   of every activation is measured by running the representative images through the model.
#
# Two lines appear on standard error below, and neither is an error: the int8 calibration
# prints `fully_quantize: 0, inference_type: 6, ...` (the converter's C++ writes it to LLVM's
# debug stream), and LiteRT prints `INFO: Created TensorFlow Lite XNNPACK delegate for CPU.`
# the first time it runs a model (its own logger). No setting silences either,
# `TF_CPP_MIN_LOG_LEVEL=3` included; hiding them would take filtering all that the process
# writes to standard error.

# %%
saved_model = page.output_dir / "saved_model"
model.export(saved_model, verbose=False)


def converter() -> tf.lite.TFLiteConverter:
    return tf.lite.TFLiteConverter.from_saved_model(str(saved_model))


def representative_images():
    """A few hundred training images, one at a time, for the int8 calibration."""
    for images, _ in data.train.take(2 if page.quick else 8):
        for image in images:
            yield [image[tf.newaxis]]


converted = {"float32": converter().convert()}
dynamic = converter()
dynamic.optimizations = [tf.lite.Optimize.DEFAULT]
converted["dynamic range"] = dynamic.convert()
float16 = converter()
float16.optimizations = [tf.lite.Optimize.DEFAULT]
float16.target_spec.supported_types = [tf.float16]
converted["float16"] = float16.convert()
int8 = converter()
int8.optimizations = [tf.lite.Optimize.DEFAULT]
int8.representative_dataset = representative_images
int8.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
int8.inference_input_type = int8.inference_output_type = tf.int8
converted["int8"] = int8.convert()
for name, flatbuffer in converted.items():
    path = page.output_dir / f"cnn-{data.name}-{name.replace(' ', '-')}.tflite"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(flatbuffer)
    os.replace(temporary, path)

# %% [markdown]
# ## Running a `.tflite` file
#
# The LiteRT interpreter loads the file, is told the shape of the input (here a batch of up to
# 1,000 test images), and runs it. The int8 model takes int8 images: each pixel $x$ becomes
# $q = \operatorname{round}(x / s) + z$ with the input's own scale and zero point, which the
# converter chose from the representative images ($s = 1/255$, $z = -128$ for pixels in
# $[0, 1]$). Its int8 outputs are scaled logits, and their arg-max is the predicted class.

# %%
def tflite_predictions(flatbuffer: bytes, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    """The class the .tflite model predicts for each image."""
    interpreter = Interpreter(model_content=flatbuffer)
    model_input = interpreter.get_input_details()[0]
    model_output = interpreter.get_output_details()[0]
    scale, zero_point = model_input["quantization"]
    predictions = []
    for start in range(0, len(images), batch):
        x = images[start:start + batch]
        if model_input["dtype"] == np.int8:
            x = np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8)
        interpreter.resize_tensor_input(model_input["index"], x.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(model_input["index"], x)
        interpreter.invoke()
        predictions.append(interpreter.get_tensor(model_output["index"]).argmax(axis=1))
    return np.concatenate(predictions)


rows = {}
for name, flatbuffer in converted.items():
    start = time.perf_counter()
    predicted = tflite_predictions(flatbuffer, test_images)
    rows[name] = {"bytes": len(flatbuffer),
                  "smaller_than_float32": len(converted["float32"]) / len(flatbuffer),
                  "test_accuracy": float(np.mean(predicted == test_labels)),
                  "seconds_for_the_test_set": time.perf_counter() - start}
print(f"{'model':<14} {'size':>10} {'vs float32':>10} {'accuracy':>9} {'change':>8} "
      f"{'seconds':>8}")
for name, row in rows.items():
    print(f"{name:<14} {row['bytes'] / 1024:>7.1f} KB {row['smaller_than_float32']:>9.2f}x "
          f"{row['test_accuracy']:>9.4f} {100 * (row['test_accuracy'] - keras_accuracy):>+7.2f} "
          f"{row['seconds_for_the_test_set']:>8.2f}")
print(f"(change: points of accuracy against the Keras model's {keras_accuracy:.4f}; seconds: "
      f"the {len(test_labels):,} test images on this machine)")
page.record(tflite=rows, int8_smaller_than_float32=rows["int8"]["smaller_than_float32"],
            int8_accuracy_change_points=100 * (rows["int8"]["test_accuracy"]
                                               - rows["float32"]["test_accuracy"]),
            identity=data.identity)

# %% [markdown]
# ## What to look at
#
# `quantization.png` puts the four files side by side. The int8 file is close to four times
# smaller than the float32 one (the rest is the file's structure and the scales), and its
# accuracy moves by a few hundredths of a point, within the noise of the test set: 8 bits are
# plenty for a network that was trained in 32. Dynamic range is as small but computes partly in
# float; float16 halves the size and changes nothing; the int8 model is also the fastest here.

# %%
plot_bars({name: row["bytes"] / 1024 for name, row in rows.items()},
          page.output_dir / "quantization.png", xlabel="size of the .tflite file (KB)",
          title=f"The CNN on {data.name} as TensorFlow Lite files",
          notes={name: f"test accuracy {row['test_accuracy']:.4f}" for name, row in rows.items()})
