# %% [markdown]
# # Section 2 · A graph neural network on a real graph
#
# Tutorial: section 2 · 核心概念与联系 (seed 000 §2)
#
# Graph neural networks (图神经网络) are the second of the newer structures that seed 000's text
# adds to section 2's family tree, beside attention: networks for data that is a graph (people and
# who knows whom, atoms and bonds) rather than a grid or a sequence.
# The simplest, the graph convolutional network (Kipf and Welling, 2017), updates each node from
# its neighbours. One layer is
#
# $$H' = \mathrm{ReLU}\big(\hat A\, H\, W\big), \qquad
# \hat A = D^{-1/2} (A + I)\, D^{-1/2},$$
#
# where $A$ is the adjacency matrix, $I$ adds each node to its own neighbourhood, $D$ is the
# diagonal matrix of the node degrees in $A + I$, and $W$ holds the weights, shared by every
# node as a convolution's kernel is shared by every pixel. $\hat A H$ mixes each node's features
# with its neighbours': row $i$ of it is $\sum_j H_j / \sqrt{d_i d_j}$ over $i$ and its neighbours
# $j$, a weighted sum, not an average (a row of $\hat A$ sums to 1 when all the degrees are
# equal, not in general), in which a neighbour with many edges counts less; $W$ transforms the
# result.
#
# The graph is Zachary's karate club (shipped with `networkx`): 34 members, an edge between two
# who met outside the club. The club split in two; we give the network the side of **two**
# members only, the instructor (node 0) and the administrator (node 33), and ask it for the other
# 32. This is semi-supervised learning: the unlabelled nodes help through the edges.

# %%
from dlbook.cli import start_page
from dlbook.data.graphs import load_karate_club
from dlbook.plots import plot_graph_panels

import keras
import networkx as nx
import numpy as np
import tensorflow as tf

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--hidden-features 4`; `--help` lists them). The
# whole run takes a second or two, so `--quick` changes nothing.

# %%
EPOCHS = 200  # steps of Adam, each on the whole graph
HIDDEN_FEATURES = 16  # features of each node after the first graph convolution
LEARNING_RATE = 0.01  # Adam's rate
QUICK = {}

page = start_page("ch02_concepts/graph_network", globals())

# %%
graph = load_karate_club()
print(graph)
labelled = np.array([0, 33])
unlabelled = np.setdiff1d(np.arange(graph.num_nodes), labelled)

# %% [markdown]
# ## $\hat A$, the normalized adjacency with self-loops

# %%
a_tilde = graph.adjacency + np.eye(graph.num_nodes, dtype=np.float32)
inverse_sqrt_degree = 1 / np.sqrt(a_tilde.sum(axis=1))
a_hat = tf.constant(inverse_sqrt_degree[:, None] * a_tilde * inverse_sqrt_degree[None, :])
print(f"degrees (with the self-loop) from {a_tilde.sum(axis=1).min():.0f} to "
      f"{a_tilde.sum(axis=1).max():.0f}; A_hat is symmetric: "
      f"{bool(np.allclose(a_hat, tf.transpose(a_hat)))}")

# %% [markdown]
# ## Two graph convolutions
#
# The members have no features of their own, so each node's feature vector is its one-hot
# identity, $X = I$. The network is two layers:
#
# $$H = \mathrm{ReLU}(\hat A X W_1), \qquad Z = \hat A H W_2,$$
#
# $Z$ holding two logits per node. After two layers, a node's output depends on everyone within
# two edges of it. The loss is the cross-entropy on the two labelled nodes only. The whole graph
# is one batch, so an epoch is one step of Adam; `EPOCHS` (200) of them take a second.

# %%
def make_weights() -> list[tf.Variable]:
    glorot = keras.initializers.GlorotUniform(seed=page.seed)
    return [tf.Variable(glorot((graph.num_nodes, HIDDEN_FEATURES))),
            tf.Variable(glorot((HIDDEN_FEATURES, len(graph.class_names))))]


def graph_convolutions(a_hat, x, weights):
    w1, w2 = weights
    h = tf.nn.relu(a_hat @ x @ w1)
    return a_hat @ h @ w2, h  # logits, hidden features


def train(a_hat, epochs: int) -> tuple[list[tf.Variable], list[float]]:
    weights = make_weights()
    optimizer = keras.optimizers.Adam(LEARNING_RATE)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            logits, _ = graph_convolutions(a_hat, features, weights)
            loss = loss_fn(graph.labels[labelled], tf.gather(logits, labelled))
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
        return loss

    return weights, [float(step()) for _ in range(epochs)]


def accuracy_on_unlabelled(a_hat, weights) -> float:
    logits, _ = graph_convolutions(a_hat, features, weights)
    predicted = np.argmax(logits.numpy(), axis=1)
    return float(np.mean(predicted[unlabelled] == graph.labels[unlabelled]))


features = tf.eye(graph.num_nodes)
untrained = make_weights()
weights, losses = train(a_hat, EPOCHS)
gcn_accuracy = accuracy_on_unlabelled(a_hat, weights)
print(f"GCN, {EPOCHS} epochs: loss on the 2 labelled nodes {losses[0]:.3f} -> "
      f"{losses[-1]:.4f}; accuracy on the 32 others {gcn_accuracy:.3f}")
page.record(gcn_accuracy_unlabelled=gcn_accuracy)

# %% [markdown]
# ## The same network without the graph
#
# Replace $\hat A$ by $I$ and the two layers become an ordinary MLP applied to each node on its
# own. With one-hot features and two labelled nodes it has nothing to go on for the others: the
# edges are what carry the two labels through the club.

# %%
identity = tf.eye(graph.num_nodes)
mlp_weights, mlp_losses = train(identity, EPOCHS)
mlp_accuracy = accuracy_on_unlabelled(identity, mlp_weights)
print(f"MLP (A_hat = I), {EPOCHS} epochs: loss {mlp_losses[-1]:.4f}; accuracy on the 32 "
      f"others {mlp_accuracy:.3f}")
page.record(mlp_accuracy_unlabelled=mlp_accuracy)

# %% [markdown]
# ## What to look at
#
# `karate_club.png`, three panels. Left: the club drawn by a force layout, coloured by the side
# each member joined, the two labelled members as stars, misclassified members circled. Middle
# and right: each member placed at its 16 hidden features $H$, projected onto their two main
# directions (PCA), before and after training. With random weights the two sides already lean
# apart, since each node's features mix its neighbours'; training on two labels pulls them
# to two ends.

# %%
def principal_plane(h: np.ndarray) -> np.ndarray:
    centred = h - h.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    return centred @ directions[:2].T


layout = nx.spring_layout(nx.from_numpy_array(graph.adjacency), seed=page.seed)
predicted = np.argmax(graph_convolutions(a_hat, features, weights)[0].numpy(), axis=1)
wrong = [int(node) for node in unlabelled if predicted[node] != graph.labels[node]]
print(f"misclassified members: {wrong}")
page.record(misclassified=wrong)
plot_graph_panels({
    "the karate club (force layout)": np.array([layout[n] for n in range(graph.num_nodes)]),
    "hidden features H, untrained (PCA)":
        principal_plane(graph_convolutions(a_hat, features, untrained)[1].numpy()),
    f"hidden features H after {EPOCHS} epochs (PCA)":
        principal_plane(graph_convolutions(a_hat, features, weights)[1].numpy()),
}, graph.edges, graph.labels, graph.class_names, page.output_dir / "karate_club.png",
    labelled=labelled, wrong=wrong)
print(f"Plot in {page.output_dir}/karate_club.png")
