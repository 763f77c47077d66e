# %% [markdown]
# # Section 2 · The neuron, the perceptron and the multilayer perceptron
#
# Tutorial: section 2 · 感知机 (seed 004 §2.1.2) · 多层感知机（MLP） (seed 004 §2.1.3) ·
# 核心概念与联系 (seed 002 §2)
#
# Section 2 builds deep learning up from one artificial neuron: it takes a weighted sum of its
# inputs, adds a bias and passes the result through an activation function. With a step function
# as the activation, the neuron is Rosenblatt's **perceptron**, the first network that learnt its
# weights from examples:
#
# $$\hat y = \begin{cases} 1 & \text{if } w \cdot x + b > 0 \\ 0 & \text{otherwise.}\end{cases}$$
#
# Its decision boundary, $w \cdot x + b = 0$, is a straight line. This page shows what follows:
# the perceptron learns AND and OR, whose classes a line can separate, and never learns XOR,
# whose classes no line separates, however long it trains. One hidden layer between input and
# output (a **multilayer perceptron**) is enough to solve XOR.

# %%
from dlbook.cli import start_page
from dlbook.models import build_mlp
from dlbook.plots import plot_decision_boundaries

import keras
import numpy as np
import tensorflow as tf

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--hidden-units 2`; `--help` lists them). The page
# takes a second, so `--quick` changes nothing.

# %%
EPOCHS = 100  # passes of the perceptron rule over the four examples, at most
LEARNING_RATE = 0.1  # eta of the perceptron rule
HIDDEN_UNITS = 8  # ReLU units of the MLP's hidden layer
MLP_STEPS = 500  # steps of Adam that train the MLP on XOR
QUICK = {}

page = start_page("ch02_concepts/perceptron", globals())

# %% [markdown]
# ## Three truth tables
#
# Two binary inputs, four examples each. AND is 1 only for $(1, 1)$, OR is 1 unless both inputs
# are 0, XOR is 1 when exactly one input is 1.

# %%
inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
targets = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}
for name, y in targets.items():
    rows = zip(inputs.astype(int).tolist(), y, strict=True)
    print(f"{name:>3}: " + "  ".join(f"{a},{b} -> {t}" for (a, b), t in rows))

# %% [markdown]
# ## The perceptron learning rule
#
# Go through the examples one at a time, in a new random order each epoch. When the perceptron
# gets example $x$ wrong, move the weights towards the right answer:
#
# $$w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y).$$
#
# A correct answer changes nothing ($y - \hat y = 0$). The weights start small and random,
# $\eta =$ `LEARNING_RATE` (0.1). An epoch is one pass over the four examples; training has
# converged when an epoch makes no mistake. The convergence theorem says
# this happens after finitely many mistakes whenever a line separates the classes. The rule also
# keeps the best weights it has met, counted over the four examples after each update (the
# "pocket" variant), so that on XOR we can ask what the best line it ever found achieves.

# %%
def perceptron_predict(w: np.ndarray, b: float, x: np.ndarray) -> np.ndarray:
    return (x @ w + b > 0).astype(int)


def train_perceptron(x: np.ndarray, y: np.ndarray, epochs: int, rate: float = 0.1,
                     seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    w, b = rng.normal(scale=0.1, size=x.shape[1]), rng.normal(scale=0.1)
    best = {"accuracy": np.mean(perceptron_predict(w, b, x) == y), "w": w.copy(), "b": b}
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for i in rng.permutation(len(x)):
            xi, yi = x[i], y[i]
            error = yi - perceptron_predict(w, b, xi)
            if error:
                w += rate * error * xi
                b += rate * error
                mistakes += 1
                accuracy = np.mean(perceptron_predict(w, b, x) == y)
                if accuracy > best["accuracy"]:
                    best = {"accuracy": accuracy, "w": w.copy(), "b": b}
        if mistakes == 0:
            return {"converged_at": epoch, **best}
    return {"converged_at": None, **best}


perceptrons = {}
for name, y in targets.items():
    perceptrons[name] = result = train_perceptron(inputs, y, EPOCHS, LEARNING_RATE, page.seed)
    when = (f"converged after {result['converged_at']} epoch(s)" if result["converged_at"]
            else f"not converged after {EPOCHS} epoch(s)")
    print(f"{name:>3}: {when}; best accuracy {result['accuracy']:.2f} with w = "
          f"{np.round(result['w'], 3)}, b = {result['b']:+.3f}")
page.record(perceptron_epochs_to_converge={n: r["converged_at"] for n, r in perceptrons.items()},
            perceptron_best_accuracy={n: r["accuracy"] for n, r in perceptrons.items()})

# %% [markdown]
# AND and OR converge within a few epochs. XOR never does: the rule keeps correcting one
# mistake by making another, and the best line it meets gets 3 of the 4 examples right.
#
# No other line does better. A line would need $b \le 0$ for $(0, 0)$, $w_2 + b > 0$ and
# $w_1 + b > 0$ for $(0, 1)$ and $(1, 0)$, and $w_1 + w_2 + b \le 0$ for $(1, 1)$. Adding the
# middle two gives $w_1 + w_2 + 2b > 0$, so $w_1 + w_2 + b > -b \ge 0$: a contradiction. A
# search over 100,000 random lines says the same.

# %%
rng = np.random.default_rng(page.seed)
lines = rng.normal(size=(100_000, 3))  # w1, w2, b
random_line_accuracy = ((inputs @ lines[:, :2].T + lines[:, 2] > 0).astype(int)
                        == targets["XOR"][:, None]).mean(axis=0)
print(f"best of 100,000 random lines on XOR: accuracy {random_line_accuracy.max():.2f}")
page.record(best_random_line_accuracy_xor=random_line_accuracy.max())

# %% [markdown]
# ## A hidden layer solves XOR
#
# A multilayer perceptron puts a layer of neurons between inputs and output,
# $h = \mathrm{ReLU}(W_1 x + b_1)$, $\hat y = \sigma(w_2 \cdot h + b_2)$. Each hidden unit draws
# its own line; the output combines them, so the boundary can bend. It is trained by gradient
# descent on the cross-entropy (sections 3 and 4), not by the perceptron rule: the step function
# has no useful derivative, which is why networks use smooth activations.
#
# `dlbook.models.build_mlp` builds it: `HIDDEN_UNITS` (8) hidden ReLU units and one output logit
# $z$ (the sigmoid is inside the loss, `from_logits=True`). `MLP_STEPS` (500) steps of Adam on the
# four examples, all at once, each step the tape step of section 3.

# %%
mlp = build_mlp((2,), (HIDDEN_UNITS,), 1, name="xor_mlp")
loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam(0.05)
xor_targets = targets["XOR"][:, None].astype(np.float32)


@tf.function
def train_step():
    with tf.GradientTape() as tape:
        loss = loss_fn(xor_targets, mlp(inputs, training=True))
    gradients = tape.gradient(loss, mlp.trainable_variables)
    optimizer.apply_gradients(zip(gradients, mlp.trainable_variables, strict=True))
    return loss


mlp_losses = [float(train_step()) for _ in range(MLP_STEPS)]
logits = mlp(inputs).numpy()[:, 0]
mlp_accuracy = float(np.mean((logits > 0).astype(int) == targets["XOR"]))
print(f"MLP on XOR: loss {mlp_losses[0]:.3f} -> {mlp_losses[-1]:.4f}, accuracy {mlp_accuracy:.2f}")
print("outputs sigma(z):", np.round(keras.ops.sigmoid(logits).numpy(), 3))
page.record(mlp_accuracy_xor=mlp_accuracy, mlp_final_loss_xor=mlp_losses[-1])

# %% [markdown]
# ## What to look at
#
# `decision_boundaries.png` shades each model's answer over the plane (red: class 1). The
# perceptron's boundaries on AND and OR are straight lines; on XOR the best line leaves one
# point on the wrong side. The MLP's boundary is made of several straight pieces, one per active
# hidden unit, and puts $(0, 1)$ and $(1, 0)$ in a band of their own.

# %%
panels = [(f"perceptron, {name}: accuracy {r['accuracy']:.2f}",
           lambda p, r=r: perceptron_predict(r["w"], r["b"], p), inputs, targets[name])
          for name, r in perceptrons.items()]
panels.append((f"MLP ({HIDDEN_UNITS} hidden units), XOR: accuracy {mlp_accuracy:.2f}",
               lambda p: keras.ops.sigmoid(mlp(p)[:, 0]).numpy(),
               inputs, targets["XOR"]))
plot_decision_boundaries(panels, page.output_dir / "decision_boundaries.png")
print(f"Plot in {page.output_dir}/decision_boundaries.png")
