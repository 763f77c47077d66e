"""Section 2: a generative adversarial network (DCGAN) learns to draw clothes from noise.

Two networks play a game. The generator G turns a noise vector z into an image; the discriminator
D looks at an image and says how likely it is to be real. D is trained to say "real" to training
images and "fake" to G's images; G is trained, through D's gradients, to make D say "real":

    discriminator loss = BCE(1, D(x)) + BCE(0, D(G(z)))
    generator loss     = BCE(1, D(G(z)))

Each step draws a batch of noise, runs both networks under two GradientTapes and updates each
network with its own loss and its own Adam optimizer. Images are scaled to [-1, 1], the range of
G's tanh output. The networks are the TensorFlow DCGAN tutorial's; the optimizer settings are the
DCGAN paper's, Adam(2e-4, beta_1=0.5) (Radford et al., 2015): on Fashion-MNIST they reached after 5
epochs a Frechet distance the tutorial's Adam(1e-4) had not reached after 5 (28% vs 72% of the
noise value, measured with the chapter's CNN).

Every epoch, G draws the same 16 noise vectors (samples/epoch_NNN.png); at the end the frames
become progress.gif. Then the images are measured, not eyeballed, through a trained CNN
classifier (`dlbook.gan_scores`): the Frechet distance between its features of generated and real
test images (lower is better) and the classifier score (higher is better, at most 10), each beside
what real images and pixel noise get.
"""

import argparse
from pathlib import Path

from dlbook.cli import chapter_args, load_image_data, save_results
from dlbook.config import set_seed
from dlbook.gan_scores import (
    classifier_score,
    features_and_probabilities,
    frechet_distance,
    shuffled_pixels,
)
from dlbook.models.cnn import build_cnn
from dlbook.models.dcgan import NOISE_DIM, make_discriminator, make_generator
from dlbook.plots import plot_history
from dlbook.training import Trainer
from dlbook.training.gan import GANTrainer, save_gif, save_samples, to_tanh_range

import keras
import numpy as np

# --judge is this script's own flag, beside the flags every chapter script shares.
judge_flag = argparse.ArgumentParser(add_help=False)
judge_flag.add_argument("--judge", type=Path, default=None,
                        help="the trained classifier (.keras) whose features measure the images; "
                             "default: cnn.py's model for the same dataset")
args = chapter_args(__doc__, script=__file__, epochs=20, dataset="auto", own_flags=judge_flag)
if args.judge and not args.judge.is_file():  # said now, not after an hour of training
    raise SystemExit(f"--judge {args.judge}: no such file (cnn.py of this chapter makes one)")
set_seed(args.seed)

# Data: the training images, scaled from [0, 1] to [-1, 1]; the labels are not used.
data = load_image_data(args, validation_size=0)

# The two networks and their optimizers.
generator, discriminator = make_generator(), make_discriminator()
trainer = GANTrainer(generator, discriminator, keras.optimizers.Adam(2e-4, beta_1=0.5),
                     keras.optimizers.Adam(2e-4, beta_1=0.5), seed=args.seed)

# The same noise every epoch shows the generator's progress.
fixed_noise = np.random.default_rng(args.seed).normal(size=(16, NOISE_DIM)).astype(np.float32)
samples_dir = args.output_dir / "samples" / data.name  # per dataset, like the checkpoints


def after_epoch(epoch: int, logs: dict[str, float]) -> None:
    save_samples(generator, fixed_noise, samples_dir / f"epoch_{epoch:03d}.png")


history = trainer.fit(data.train.map(to_tanh_range), epochs=args.epochs,
                      checkpoint_dir=args.output_dir / "checkpoints" / data.name,
                      on_epoch_end=after_epoch)
plot_history(history, args.output_dir / "losses.png")
save_gif(sorted(samples_dir.glob("epoch_*.png")), args.output_dir / "progress.gif")
generator.save(args.output_dir / "generator.keras")

# The judge: the CNN classifier of chapter 5 trained on the same dataset, else a quick one.
judge_path = args.judge or args.output_dir.parent / "cnn" / f"cnn-{data.name}.keras"
if judge_path.is_file():
    classifier = keras.models.load_model(judge_path)
    print(f"Measuring with the CNN classifier of {judge_path}")
else:
    classifier_epochs = 1 if args.quick else 3
    print(f"No trained CNN at {judge_path} (chapters/ch05_practice/cnn.py makes it): training one "
          f"for {classifier_epochs} epochs, enough for a feature extractor")
    classifier = build_cnn(num_classes=len(data.class_names))
    Trainer(classifier, keras.optimizers.Adam(1e-3)).fit(data.train, epochs=classifier_epochs)

# Real test images in [0, 1], in two halves: the first half is the reference.
test_images = np.concatenate([images for images, _ in data.test.as_numpy_iterator()])
half = len(test_images) // 2
reference, other_real = test_images[:half], test_images[half : 2 * half]
noise = np.random.default_rng(args.seed + 1).normal(size=(half, NOISE_DIM)).astype(np.float32)
generated = (generator.predict(noise, batch_size=256, verbose=0) + 1.0) / 2.0

reference_features, _ = features_and_probabilities(classifier, reference)
real_features, real_probabilities = features_and_probabilities(classifier, other_real)
fake_features, fake_probabilities = features_and_probabilities(classifier, generated)
noise_features, _ = features_and_probabilities(classifier, shuffled_pixels(other_real, args.seed))

frechet_real = frechet_distance(real_features, reference_features)
frechet_fake = frechet_distance(fake_features, reference_features)
frechet_noise = frechet_distance(noise_features, reference_features)
score_real = classifier_score(real_probabilities)
score_fake = classifier_score(fake_probabilities)

print(f"\nFrechet distance to {half} real test images (lower is better):")
print(f"  other real test images  {frechet_real:10.3f}")
print(f"  DCGAN images            {frechet_fake:10.3f}   "
      f"({frechet_fake / frechet_noise:.1%} of the noise value)")
print(f"  shuffled-pixel noise    {frechet_noise:10.3f}")
print(f"Classifier score (higher is better, at most {len(data.class_names)}):")
print(f"  real test images        {score_real:10.3f}")
print(f"  DCGAN images            {score_fake:10.3f}   "
      f"({score_fake / score_real:.1%} of the real value)")
print(f"Samples, progress.gif, losses.png and checkpoints in {args.output_dir}/")

save_results(args, model="DCGAN", dataset=data.name, epochs=trainer.epochs_done,
             parameters=generator.count_params() + discriminator.count_params(),
             frechet_distance=frechet_fake, frechet_noise=frechet_noise,
             frechet_real=frechet_real, classifier_score=score_fake, judge=str(judge_path),
             classifier_score_real=score_real, epoch_seconds=trainer.epoch_seconds)
