"""The PyTorch row of `bench_lenet.py`: the same LeNet and SGD step in PyTorch, eager, the images
in memory as one tensor and a new permutation each epoch.

It runs in a process of its own (PyTorch and TensorFlow in one process crash when PyTorch
imports its compiler), started by `bench_lenet.py` with the images saved as ``.npz``, the batch
size and the learning rate (``torch_lenet.py DATA_FILE BATCH_SIZE LEARNING_RATE``). It prints
one line naming PyTorch and its threads, then trains one epoch for each line it reads on stdin
and answers with the epoch's seconds, from its first step to its last.
"""

import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional


def lenet(channels: int) -> nn.Module:
    """LeNet as `dlbook.models.LeNet` builds it (valid 5x5 convolutions, ReLU, 2x2 max pooling,
    120-84-10 dense layers), the outputs logits."""
    return nn.Sequential(
        nn.Conv2d(channels, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main(data_file: str, batch_size: int, learning_rate: float) -> None:
    data = np.load(data_file)
    torch.manual_seed(0)
    x = torch.from_numpy(data["images"]).permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
    y = torch.from_numpy(data["labels"].astype(np.int64))
    model = lenet(x.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        order = torch.randperm(len(x))
        for first in range(0, len(x), batch_size):
            batch = order[first:first + batch_size]
            optimizer.zero_grad(set_to_none=True)
            functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
        print(time.perf_counter() - start, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
