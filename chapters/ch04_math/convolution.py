"""Section 4.2.1: the convolution ``S(i, j) = sum_m sum_n I(i + m, j + n) K(m, n)``.

Four classic 3x3 kernels slide over a real image: two Sobel edge detectors (``Sobel x``
responds to changes along x, vertical edges; ``Sobel y`` to horizontal ones), a blur and a
sharpener. Their responses are computed three ways, the tutorial's loops
(`dlbook.scratch.conv.conv2d_loop`), the vectorized im2col version (`conv2d`) and
``tf.nn.conv2d``, and drawn in ``kernels.png``. Then a random Conv2D layer with a stride, padding
and several channels, forward and backward, against Keras's ``Conv2D`` and GradientTape.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.data import load_arrays, resolve_dataset
from dlbook.plots import plot_image_grid
from dlbook.scratch import conv2d, conv2d_backward, conv2d_loop
from dlbook.scratch.reference import (
    COMPARISON_HEADER,
    compare,
    layer_output_and_gradients,
    randomize_weights,
)

import keras
import numpy as np
import tensorflow as tf

KERNELS = {
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "blur": np.full((3, 3), 1 / 9),
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}

args = chapter_args(__doc__, script=__file__, epochs=1, dataset="auto")
dataset = resolve_dataset(args.dataset)
_, (x_test, _) = load_arrays(dataset, limit=1, data_dir=args.data_dir)
image = x_test[:1, :, :, np.newaxis] / 255.0  # (1, 28, 28, 1): a batch of one grayscale image

# The kernels as one (3, 3, 1, 4) weight: height, width, input channels, filters.
kernel = np.stack([np.asarray(k, dtype=np.float64) for k in KERNELS.values()], axis=-1)
kernel = kernel[:, :, np.newaxis, :]
bias = np.zeros(len(KERNELS))

print(COMPARISON_HEADER)
errors = {}
response_tf = tf.nn.conv2d(image, kernel, strides=1, padding="SAME").numpy()
errors["loops"] = compare("S = sum_mn I(i+m, j+n) K(m, n), loops",
                          conv2d_loop(image, kernel, bias, padding="same"), response_tf)
response = conv2d(image, kernel, bias, padding="same")
errors["im2col"] = compare("the same, vectorized (im2col)", response, response_tf)

# A Conv2D layer of Keras: 3 input channels, 5 filters, stride 2, "same" padding.
rng = np.random.default_rng(args.seed)
x = rng.normal(size=(2, 9, 8, 3))
layer = keras.layers.Conv2D(5, 3, strides=2, padding="same", dtype="float64")
layer.build(x.shape)
layer_kernel, layer_bias = randomize_weights(layer, rng)  # the same (kh, kw, C, F) layout
y = conv2d(x, layer_kernel, layer_bias, stride=2, padding="same")
dy = rng.normal(size=y.shape)
y_tf, dx_tf, (dkernel_tf, dbias_tf) = layer_output_and_gradients(layer, x, dy)
dx, dkernel, dbias = conv2d_backward(dy, x, layer_kernel, stride=2, padding="same")
errors["layer"] = compare("y = conv(x, K, stride 2, same) + b", y, y_tf)
errors["dx"] = compare("dL/dx = sum of dy K^T over windows", dx, dx_tf)
errors["dK"] = compare("dL/dK = sum of windows x dy", dkernel, dkernel_tf)
errors["db"] = compare("dL/db = sum dy", dbias, dbias_tf)

images = np.concatenate([image, response.transpose(3, 1, 2, 0)])[..., 0]
path = plot_image_grid(images, args.output_dir / "kernels.png",
                       titles=["input", *KERNELS], ncols=len(images))
print(f"\nThe kernels' responses on a {dataset} test image: {path}")
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors)
