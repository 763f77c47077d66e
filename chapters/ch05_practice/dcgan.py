# %% [markdown]
# # Section 5 · A GAN at work: section 2's generator and discriminator, trained
#
# Tutorial: section 2 · 核心概念与联系 (seed 000 §2)
#
# Section 2 names generative adversarial networks (GANs, 生成对抗网络) among the families of
# networks on seed 000's family tree: a generator and a discriminator trained against each
# other. No version of the tutorial has GAN code; this page, dlbook's own, trains one, a DCGAN
# (Radford et al., 2015) with the networks of TensorFlow's own DCGAN example, on 28x28 images.
#
# The generator $G$ turns a noise vector $z \sim \mathcal{N}(0, I_{100})$ into an image; the
# discriminator $D$ returns a logit, positive for "real". $D$ learns to call training images real
# and $G$'s images fake; $G$ learns, through $D$'s gradients, to make $D$ call its images real.
# With binary cross-entropy $\operatorname{BCE}(t, \ell)$ of a target $t$ and a logit $\ell$:
#
# $$J_D = \operatorname{BCE}(1, D(x)) + \operatorname{BCE}(0, D(G(z))), \qquad
#   J_G = \operatorname{BCE}(1, D(G(z))).$$
#
# Each training step draws a batch of noise, runs both networks under two `tf.GradientTape`s and
# updates each network with its own loss and its own Adam. Then, instead of judging the samples
# by eye, the page measures them through a trained classifier.

# %%
import argparse
from pathlib import Path

from dlbook.cli import chapter_args
from dlbook.config import set_seed
from dlbook.data import load_images, to_tanh_range
from dlbook.gan_scores import (
    classifier_score,
    features_and_probabilities,
    frechet_distance,
    load_judge,
    shuffled_pixels,
)
from dlbook.models.cnn import build_cnn
from dlbook.models.dcgan import NOISE_DIM, make_discriminator, make_generator
from dlbook.models.saving import save_model
from dlbook.plots import plot_history, plot_samples, save_gif
from dlbook.results import save_results
from dlbook.training import GAN, EpochTimer, Trainer, keras_verbose, resumable_run, run_identity
from dlbook.training.trained_cnn import chapter5_model_path

import keras
import numpy as np

page_flags = argparse.ArgumentParser(add_help=False)
page_flags.add_argument("--judge", type=Path, default=None,
                        help="the trained classifier (.keras) whose features measure the images; "
                             "default: cnn.py's model for the same dataset, if there is one")
args = chapter_args("ch05_practice/dcgan", "A DCGAN learns to draw images from noise "
                    "(section 5's demo of section 2's GAN)", epochs=20, own_flags=page_flags)
set_seed(args.seed)

# %% [markdown]
# ## The data
#
# Only the training images, scaled from $[0, 1]$ to $[-1, 1]$, the range of the generator's
# $\tanh$ output; the labels are not used. A GAN has no validation loss to watch, so no images
# are held out (`--validation-fraction` does not apply); the test images serve the measurement.

# %%
data = load_images(args.dataset, batch_size=args.batch_size, limit=args.limit,
                   validation_fraction=0.0, seed=args.seed, data_dir=args.data_dir)
print(data)

# %% [markdown]
# ## The judge, checked now
#
# The measurement at the end needs a classifier of the same images: by default the CNN that
# `cnn.py` saved for this dataset. It is loaded and checked before the GAN trains (same image
# shape, same number of classes, a `features` layer, logits out), so that a wrong file stops
# the page now, in one line, not after the training. Without one, a small CNN is trained at the
# end.

# %%
judge_path = args.judge or chapter5_model_path(data.name, args.quick)
judge = None
if args.judge or judge_path.is_file():
    judge = load_judge(judge_path, data.image_shape, len(data.class_names), data.identity)
    print(f"Judge: the classifier of {judge_path}")

# %% [markdown]
# ## The two networks
#
# Generator: dense $100 \to 7 \cdot 7 \cdot 256$, then transposed convolutions up to
# 7x7x128, 14x14x64 and 28x28 with the images' channels ($\tanh$), with batch normalization and
# LeakyReLU between them.
# Discriminator: two stride-2 convolutions (64 and 128 filters, LeakyReLU, dropout 0.3), then
# one logit. Before any training $D$ cannot tell real from fake and says about $1/2$ to
# everything, so each BCE term is about $\log 2 = 0.693$: $J_D \approx 1.386$,
# $J_G \approx 0.693$. The two losses on the first batch:

# %%
generator = make_generator(image_shape=data.image_shape)
discriminator = make_discriminator(data.image_shape)
real_images, _ = to_tanh_range(*next(iter(data.train)))
fake_images = generator(np.random.default_rng(args.seed).normal(
    size=(len(real_images), NOISE_DIM)).astype(np.float32), training=False)
bce = keras.losses.BinaryCrossentropy(from_logits=True)
real_logits = discriminator(real_images, training=False)
fake_logits = discriminator(fake_images, training=False)
discriminator_loss = bce(np.ones_like(real_logits), real_logits) + bce(
    np.zeros_like(fake_logits), fake_logits)
print(f"J_D = {float(discriminator_loss):.3f}, J_G = "
      f"{float(bce(np.ones_like(fake_logits), fake_logits)):.3f}  (2 log 2 = {2 * np.log(2):.3f},"
      f" log 2 = {np.log(2):.3f})")

# %% [markdown]
# ## Training
#
# `dlbook.training.GAN` is a `keras.Model` that holds both networks and overrides
# `train_step` with the two-tape step above (read `dlbook/training/gan.py`), so `fit` trains
# it; `resumable_run` adds a checkpoint per epoch, an exact resume after an interruption and
# the refusal of a folder that holds another run (`--restart` starts afresh). Both networks
# use Adam with rate $2 \cdot 10^{-4}$ and $\beta_1 = 0.5$, the setting of the DCGAN paper
# (Radford et al., 2015); its authors found that Adam's default momentum $\beta_1 = 0.9$ made
# training oscillate, and 0.5 steadied it.
#
# After every epoch the generator draws from the same 16 noise vectors
# (`samples/<dataset>/epoch_NNN.png`); at the end the frames become `progress.gif`.

# %%
gan = GAN(generator, discriminator, seed=args.seed)
gan.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
fixed_noise = np.random.default_rng(args.seed).normal(size=(16, NOISE_DIM)).astype(np.float32)
samples_dir = args.output_dir / "samples" / data.name
draw_samples = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: plot_samples(
    generator, fixed_noise, samples_dir / f"epoch_{epoch + 1:03d}.png"))
train_images = data.train.map(to_tanh_range)
timer = EpochTimer()
history = gan.fit(train_images, epochs=args.epochs, shuffle=False, verbose=keras_verbose(),
                  callbacks=[*resumable_run(args.output_dir / data.name, gan, args.epochs,
                                            data.identity, args.restart, train_data=train_images,
                                            optimizer=gan.optimizers), timer, draw_samples])
plot_history(history, args.output_dir / "losses.png")
save_gif(sorted(samples_dir.glob("epoch_*.png")), args.output_dir / "progress.gif")
save_model(generator, args.output_dir / "generator.keras")

# %% [markdown]
# ## Measuring the images
#
# Two scores look at images through the judge (`dlbook.gan_scores`):
#
# - the **Frechet distance** between Gaussians fitted to the judge's `features` of two image
#   sets, $\lVert \mu_1 - \mu_2 \rVert^2 +
#   \operatorname{tr}\left(S_1 + S_2 - 2 (S_1^{1/2} S_2 S_1^{1/2})^{1/2}\right)$, 0 for
#   identical sets (lower is better);
# - the **classifier score** $\exp\left(\mathbb{E}_x \operatorname{KL}(p(y \mid x) \,\|\,
#   p(y))\right)$, high when each image is confidently one class and the classes are balanced,
#   from 1 to the number of classes (higher is better).
#
# Neither means much alone: each is set beside what real images get (the second half of the test
# set against the first) and what noise gets (real images with their pixels shuffled).

# %%
if judge is None:
    classifier_epochs = 1 if args.quick else 3
    print(f"No trained CNN at {judge_path} (chapters/ch05_practice/cnn.py makes it): training one "
          f"for {classifier_epochs} epochs, enough for a feature extractor")
    judge = build_cnn(num_classes=len(data.class_names), input_shape=data.image_shape)
    Trainer(judge, keras.optimizers.Adam(1e-3)).fit(data.train, epochs=classifier_epochs)

test_images = np.concatenate([images for images, _ in data.test.as_numpy_iterator()])
half = len(test_images) // 2
reference, other_real = test_images[:half], test_images[half : 2 * half]
noise = np.random.default_rng(args.seed + 1).normal(size=(half, NOISE_DIM)).astype(np.float32)
generated = (generator.predict(noise, batch_size=256, verbose=0) + 1.0) / 2.0

reference_features, _ = features_and_probabilities(judge, reference)
real_features, real_probabilities = features_and_probabilities(judge, other_real)
fake_features, fake_probabilities = features_and_probabilities(judge, generated)
noise_features, _ = features_and_probabilities(judge, shuffled_pixels(other_real, args.seed))

frechet_real = frechet_distance(real_features, reference_features)
frechet_fake = frechet_distance(fake_features, reference_features)
frechet_noise = frechet_distance(noise_features, reference_features)
score_real = classifier_score(real_probabilities)
score_fake = classifier_score(fake_probabilities)

print(f"Frechet distance to {half} real test images (lower is better):")
print(f"  other real test images  {frechet_real:10.3f}")
print(f"  DCGAN images            {frechet_fake:10.3f}   "
      f"({frechet_fake / frechet_noise:.1%} of the noise value)")
print(f"  shuffled-pixel noise    {frechet_noise:10.3f}")
print(f"Classifier score (higher is better, at most {len(data.class_names)}):")
print(f"  real test images        {score_real:10.3f}")
print(f"  DCGAN images            {score_fake:10.3f}   "
      f"({score_fake / score_real:.1%} of the real value)")
print(f"Samples, progress.gif, losses.png and checkpoints in {args.output_dir}/")

save_results(args, identity=run_identity(gan, gan.optimizers, args.epochs, data.identity),
             model="DCGAN", dataset=data.name, epochs=len(history.epoch),
             parameters=generator.count_params() + discriminator.count_params(),
             frechet_distance=frechet_fake, frechet_noise=frechet_noise,
             frechet_real=frechet_real, classifier_score=score_fake,
             classifier_score_real=score_real, judge=str(judge_path) if args.judge or
             judge_path.is_file() else "a CNN trained on this page",
             epoch_seconds=timer.epoch_seconds)

# %% [markdown]
# ## What to look at
#
# `losses.png`: the two losses do not fall together as in a classifier's training; each network
# gains when the other loses, and they wander around a balance. `progress.gif`: blobs first, then
# shapes, then clothes with details. Measured on Fashion-MNIST after 20 epochs (`make bench`,
# judged by `cnn.py`'s model): Frechet distance 10.09, 8.7% of the noise value 116.46 (real
# images: 0.28), classifier score 5.75, 71.2% of the real images' 8.07. The images are
# recognisable clothes, but not yet as varied or as sharp as real ones.
