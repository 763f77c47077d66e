"""Conv2D forward speed: loops as the tutorial's NumPy layer runs them, the vectorized NumPy version
(im2col) and ``tf.nn.conv2d``.

The same float32 batch, 64 x 28 x 28 x 1 images through 32 filters of 3x3 ("valid"), on the same
CPU. The loop version is timed on the first images of the batch only (it is very slow) and scaled
to the whole batch. Writes ``benchmarks/results/conv2d.md``.

NumPy runs with one BLAS thread (unless ``OPENBLAS_NUM_THREADS`` says otherwise): the product is
small, and on a machine whose cores are busy OpenBLAS's threads wait for each other (here 12 ms
per batch instead of 0.8 ms). TensorFlow keeps its own thread pool, one thread per core.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from dlbook.scratch import conv2d, conv2d_loop, relative_error  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "conv2d.md"
BATCH, SIZE, FILTERS, KERNEL = 64, 28, 32, 3
LOOP_IMAGES = 4
REPEATS = 20


def best_seconds(run, repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs after one warm-up run: the least disturbed measurement."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, SIZE, SIZE, 1)).astype(np.float32)
    kernel = rng.normal(size=(KERNEL, KERNEL, 1, FILTERS)).astype(np.float32)
    bias = rng.normal(size=FILTERS).astype(np.float32)
    x_tf, kernel_tf, bias_tf = map(tf.constant, (x, kernel, bias))

    def tf_conv():
        return tf.nn.conv2d(x_tf, kernel_tf, strides=1, padding="VALID") + bias_tf

    error_vectorized = relative_error(conv2d(x, kernel, bias), tf_conv().numpy())
    error_loop = relative_error(conv2d_loop(x[:LOOP_IMAGES], kernel, bias),
                                conv2d(x[:LOOP_IMAGES], kernel, bias))

    seconds_loop = best_seconds(lambda: conv2d_loop(x[:LOOP_IMAGES], kernel, bias), repeats=2)
    seconds_loop *= BATCH / LOOP_IMAGES
    seconds_vectorized = best_seconds(lambda: conv2d(x, kernel, bias))
    seconds_tf = best_seconds(lambda: tf_conv().numpy())

    speedup = seconds_loop / seconds_vectorized
    tf_ratio = seconds_vectorized / seconds_tf
    table = f"""# Conv2D forward speed (`benchmarks/bench_conv.py`)

A float32 batch of {BATCH} x {SIZE} x {SIZE} x 1 images, {FILTERS} filters of {KERNEL}x{KERNEL},
"valid" padding, bias added; best of {REPEATS} runs after a warm-up, on {os.cpu_count()} CPU cores
({platform.machine()}), NumPy {np.__version__} (OpenBLAS threads:
{os.environ["OPENBLAS_NUM_THREADS"]}), TensorFlow {tf.__version__}.

| implementation | ms per batch | speed-up over the loops | time / tf.nn.conv2d |
| --- | ---: | ---: | ---: |
| `conv2d_loop` (the listing's loops)* | {seconds_loop * 1e3:,.1f} | 1x | \
{seconds_loop / seconds_tf:,.0f} |
| `conv2d` (vectorized, im2col) | {seconds_vectorized * 1e3:.2f} | {speedup:,.0f}x | \
{tf_ratio:.2f} |
| `tf.nn.conv2d` | {seconds_tf * 1e3:.2f} | {seconds_loop / seconds_tf:,.0f}x | 1 |

\\* timed on the first {LOOP_IMAGES} images (best of 2 runs) and scaled by {BATCH // LOOP_IMAGES}
to the whole batch.

Targets:
- vectorized >= 50x faster than the loops: {speedup:,.0f}x, {verdict(speedup >= 50)}
- vectorized within 10x of `tf.nn.conv2d`: {tf_ratio:.2f}x its time, {verdict(tf_ratio <= 10)}

Same results: vectorized vs `tf.nn.conv2d` relative error {error_vectorized:.1e}, loops vs
vectorized {error_loop:.1e} (float32).
"""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table)
    print(table)


if __name__ == "__main__":
    main()
