"""Section 4.2.2: max pooling and average pooling, forward and backward.

A 2x2 pool halves a real image's resolution (``pooling.png``: each pooled value drawn as a 2x2
block); then random feature maps, with overlapping 3x3 windows every 2 pixels, against Keras's
``MaxPooling2D`` and ``AveragePooling2D`` and their gradients by GradientTape. Backward, the
average spreads each gradient over its window; the max sends it all to the window's maximum.
"""

from dlbook.cli import chapter_args, save_results
from dlbook.data import load_arrays, resolve_dataset
from dlbook.plots import plot_image_grid
from dlbook.scratch import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from dlbook.scratch.reference import COMPARISON_HEADER, compare, layer_output_and_gradients

import keras
import numpy as np

POOLS = [("max", max_pool2d, max_pool2d_backward, keras.layers.MaxPooling2D),
         ("average", avg_pool2d, avg_pool2d_backward, keras.layers.AveragePooling2D)]

args = chapter_args(__doc__, script=__file__, epochs=1, dataset="auto")
dataset = resolve_dataset(args.dataset)
_, (x_test, _) = load_arrays(dataset, limit=1, data_dir=args.data_dir)
image = x_test[:1, :, :, np.newaxis] / 255.0  # (1, 28, 28, 1)

print(COMPARISON_HEADER)
errors = {}
pooled = {}
for name, pool, _, keras_pool in POOLS:
    pooled[name] = pool(image, 2)
    errors[f"{name} 2x2"] = compare(f"{name} of each 2x2 block", pooled[name],
                                    keras_pool(2, dtype="float64")(image).numpy())

rng = np.random.default_rng(args.seed)
x = rng.normal(size=(2, 7, 6, 3))
for name, pool, pool_backward, keras_pool in POOLS:
    y = pool(x, 3, stride=2)
    dy = rng.normal(size=y.shape)
    y_tf, dx_tf, _ = layer_output_and_gradients(keras_pool(3, strides=2, dtype="float64"), x, dy)
    errors[f"{name} 3x3"] = compare(f"{name} of 3x3 windows, stride 2", y, y_tf)
    errors[f"{name} backward"] = compare(f"dL/dx through the {name}",
                                         pool_backward(dy, x, 3, stride=2), dx_tf)

# Each pooled pixel drawn as a 2x2 block, to compare with the input at the same size.
images = [image[0], *(np.repeat(np.repeat(p[0], 2, axis=0), 2, axis=1) for p in pooled.values())]
path = plot_image_grid(np.stack(images), args.output_dir / "pooling.png",
                       titles=["input 28x28", "max pool 14x14", "average pool 14x14"])
print(f"\nA {dataset} test image pooled: {path}")
save_results(args, max_relative_error=max(errors.values()), relative_errors=errors)
