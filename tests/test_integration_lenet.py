"""LeNet on the real Fashion-MNIST: one epoch with the engine reaches 80% test accuracy.

`make test` provisions the data first (cache, Debian's dataset-fashion-mnist, or the download),
so this test never skips: without the data it fails and says why.
"""

from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models import LeNet
from dlbook.training import Trainer, adam_cosine

import pytest


@pytest.mark.integration
def test_lenet_one_epoch_on_fashion_mnist():
    set_seed(0)
    data = load_images("fashion_mnist", batch_size=128, seed=0)
    assert (data.num_train, data.num_validation, data.num_test) == (55000, 5000, 10000)
    steps = int(data.train.cardinality())
    trainer = Trainer(LeNet(), adam_cosine(3e-3, epochs=1, steps_per_epoch=steps))
    history = trainer.fit(data.train, epochs=1, verbose=0).history
    accuracy = trainer.evaluate(data.test)["accuracy"]
    print(f"LeNet, 1 epoch: train loss {history['loss'][0]:.3f}, test accuracy {accuracy:.4f}")
    assert accuracy >= 0.80
