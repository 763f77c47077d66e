# %% [markdown]
# # Section 2 · Attention: a branch of the family tree, written out
#
# Tutorial: section 2 · 核心概念与联系 (seed 000 §2); section 7 · 相关论文推荐 (seed 003 §7.3)
#
# Section 2's family tree ends in a bare leaf, other kinds of network; seed 000's text names two
# newer ones, attention mechanisms (注意力机制) and graph neural networks, and seed 003's section 7
# lists *Attention Is All You Need* among its founding papers. Attention lets every position
# of a sequence look up the positions that matter to it, wherever they are, instead of carrying
# everything through one recurrent state. Scaled dot-product attention compares each **query**
# $q_i$ with every **key** $k_j$, turns the similarities into weights with a softmax, and
# averages the **values** $v_j$ with those weights:
#
# $$\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{Q K^\top}{\sqrt{d}}
# \Big)\, V,$$
#
# with one query, key or value per row and $d$ the length of a key. Dividing by $\sqrt{d}$ keeps
# the scores of random vectors near unit size, so the softmax does not saturate as $d$ grows.
#
# The page writes it in a few lines, checks it against `keras.layers.MultiHeadAttention`, then
# trains it on a lookup task that needs it and shows where it looks.

# %%
from dlbook.cli import start_page
from dlbook.data.sequences import key_value_lookup
from dlbook.plots import plot_heatmap
from dlbook.training import keras_verbose

import keras
import numpy as np
import tensorflow as tf
from keras import layers

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--train-lookups 5000`; `--help` lists them).
# `--quick` trains one epoch on 2,048 lookups.

# %%
EPOCHS = 5  # epochs of training on the lookup task
BATCH_SIZE = 128  # lookups per gradient step
TRAIN_LOOKUPS = 20_000  # training examples of the lookup task
DIM = 32  # length of the model's embeddings, queries, keys and values
LEARNING_RATE = 3e-3  # Adam's rate
QUICK = {"EPOCHS": 1, "TRAIN_LOOKUPS": 2_048}

page = start_page("ch02_concepts/attention", globals())

# %% [markdown]
# ## Scaled dot-product attention

# %%
def scaled_dot_product_attention(queries, keys, values):
    """softmax(Q K^T / sqrt(d)) V for [batch, positions, d] tensors; returns it and the weights."""
    scores = tf.matmul(queries, keys, transpose_b=True) / tf.sqrt(float(keys.shape[-1]))
    weights = tf.nn.softmax(scores, axis=-1)  # each query's weights over the keys sum to 1
    return tf.matmul(weights, values), weights


# %% [markdown]
# ## Checked against `keras.layers.MultiHeadAttention`
#
# Keras's layer runs $h$ attentions side by side ("heads"). Head $i$ first projects its inputs,
# $Q_i = X_q W^Q_i$, $K_i = X_k W^K_i$, $V_i = X_k W^V_i$ (plus biases), applies the formula,
# and a last projection $W^O$ mixes the heads back into one output. Taking the layer's own
# weights, the function above reproduces its weights and output: 3 queries attending over 5
# positions, 2 heads of $d = 8$.

# %%
rng = np.random.default_rng(page.seed)
query_inputs = rng.normal(size=(2, 3, 16)).astype(np.float32)
key_inputs = rng.normal(size=(2, 5, 16)).astype(np.float32)
mha = layers.MultiHeadAttention(num_heads=2, key_dim=8)
keras_output, keras_weights = mha(query_inputs, key_inputs, return_attention_scores=True)
wq, bq, wk, bk, wv, bv, wo, bo = (w.numpy() for w in mha.weights)

output = bo
head_weights = []
for head in range(2):
    q = query_inputs @ wq[:, head] + bq[head]
    k = key_inputs @ wk[:, head] + bk[head]
    v = key_inputs @ wv[:, head] + bv[head]
    attended, weights = scaled_dot_product_attention(q, k, v)
    output = output + attended.numpy() @ wo[head]
    head_weights.append(weights.numpy())
weight_error = float(np.abs(np.stack(head_weights, axis=1) - keras_weights.numpy()).max())
output_error = float(np.abs(output - keras_output.numpy()).max())
print(f"attention weights {keras_weights.shape}: largest difference {weight_error:.1e}")
print(f"outputs {keras_output.shape}: largest difference {output_error:.1e}")
page.record(multi_head_attention_weight_difference=weight_error,
            multi_head_attention_output_difference=output_error)

# %% [markdown]
# ## A task that needs attention: look up a key
#
# Each example is a small dictionary of 8 (key, value) pairs, keys drawn from 16 symbols and
# values from 10 digits, plus a query that is one of the keys; the answer is the value stored
# under it. Where the pair sits changes from one example to the next, so the model must find it
# by content. Guessing gets 1 in 10 right.

# %%
train = key_value_lookup(TRAIN_LOOKUPS, seed=page.seed)
test = key_value_lookup(2_000, seed=page.seed + 1)
print(f"{len(train)} training and {len(test)} test lookups; e.g. keys {train.keys[0]}, values "
      f"{train.values[0]}, query {train.query[0]} -> answer {train.answer[0]}")

# %% [markdown]
# ## The model: one attention layer
#
# Keys and query are embedded in the same table (a query *is* a key), values in another. The
# query attends over the 8 pairs with the function above, the result is read by a dense layer
# into 10 logits. Nothing in the model knows about positions: attention finds the pair by
# comparing the query with each key.

# %%
class LookupAttention(keras.Model):
    def __init__(self, num_keys: int, num_values: int, dim: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.key_embedding = layers.Embedding(num_keys, dim)
        self.value_embedding = layers.Embedding(num_values, dim)
        self.to_query, self.to_key, self.to_value = (layers.Dense(dim) for _ in range(3))
        self.classify = layers.Dense(num_values)

    def attend(self, inputs):
        keys, values, query = inputs
        return scaled_dot_product_attention(
            self.to_query(self.key_embedding(query[:, None])),  # [batch, 1, dim]
            self.to_key(self.key_embedding(keys)),              # [batch, pairs, dim]
            self.to_value(self.value_embedding(values)))

    def call(self, inputs):
        attended, _ = self.attend(inputs)
        return self.classify(attended[:, 0])


model = LookupAttention(train.num_keys, train.num_values, DIM)
model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(train.inputs, train.answer, epochs=EPOCHS, batch_size=BATCH_SIZE,
                    validation_split=0.1, verbose=keras_verbose())
_, test_accuracy = model.evaluate(test.inputs, test.answer, verbose=0)
print(f"test accuracy {test_accuracy:.4f} (guessing: {1 / test.num_values:.2f}); "
      f"{model.count_params():,} parameters")
page.record(test_accuracy=test_accuracy, chance_accuracy=1 / test.num_values,
            parameters=model.count_params())

# %% [markdown]
# ## Where the query looks
#
# The attention weights of a test example say how much each pair contributes to the answer. If
# the model has learnt the task, nearly all the weight sits on the pair whose key is the query.

# %%
_, weights = model.attend(test.inputs)
weights = weights.numpy()[:, 0]  # [examples, pairs]
looks_right = float(np.mean(weights.argmax(axis=1) == test.position))
weight_on_right_pair = float(np.mean(weights[np.arange(len(test)), test.position]))
print(f"largest weight on the queried pair: {looks_right:.1%} of test examples; mean weight "
      f"there {weight_on_right_pair:.3f} (uniform: {1 / weights.shape[1]:.3f})")
page.record(largest_weight_on_queried_pair=looks_right,
            mean_weight_on_queried_pair=weight_on_right_pair)

# %% [markdown]
# ## What to look at
#
# `attention.png`: one row per test example (its query and answer), one column per position of
# its 8 pairs; the pair holding the queried key is framed in white. The bright cell of each row
# is where the weight goes.

# %%
shown = 12
plot_heatmap(weights[:shown], page.output_dir / "attention.png",
             title=f"Attention weights of {shown} test lookups (queried pair framed)",
             xlabel="pair position in the sequence", ylabel="example: query -> answer",
             x_ticks=[str(p + 1) for p in range(weights.shape[1])],
             y_ticks=[f"key {q} -> {a}" for q, a in zip(test.query[:shown], test.answer[:shown],
                                                         strict=True)],
             marked=[(row, test.position[row]) for row in range(shown)],
             colorbar_label="attention weight")
print(f"Plot in {page.output_dir}/attention.png")
