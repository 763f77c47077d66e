# %% [markdown]
# # Section 2 · The family tree of neural networks, one model per branch
#
# Tutorial: section 2 · 核心概念与联系 (seed 000 §2) · 神经网络 (seed 001 §2.1) · 核心概念概述 (seed
# 003 §2.1) · 经典CNN架构 (seed 004 §2.4.3)
#
# Section 2 places deep learning inside machine learning: a model that learns its own
# representation of the data, layer after layer, where classical methods need features made by
# hand. Its networks are layers of neurons (input, hidden, output) joined by weights that
# backpropagation fits. Seed 001 calls such a network a directed acyclic graph (有向无环图). That
# holds for a feed-forward network, whose signal only moves forward; a recurrent network, the
# third branch below, feeds its state back into itself, a cycle, and is acyclic only once it is
# unrolled over the steps of a sequence.
#
# Seed 000 draws the family tree of the networks. The same nodes and edges, each node with its
# English name, drawn left to right:
#
# ```mermaid
# graph LR
#     DL["深度学习<br/>deep learning"] --> ANN["人工神经网络<br/>artificial neural networks"]
#     ANN --> FF["前馈神经网络<br/>feed-forward networks"]
#     ANN --> CNN["卷积神经网络<br/>convolutional networks"]
#     ANN --> RNN["循环神经网络<br/>recurrent networks"]
#     ANN --> GAN["生成对抗网络<br/>generative adversarial networks"]
#     ANN --> OT["其他类型网络<br/>other kinds of network"]
#     FF --> FC["全连接层<br/>fully connected layers"]
#     FF --> AF["激活函数<br/>activation functions"]
#     CNN --> CL["卷积层<br/>convolution layers"]
#     CNN --> PL["池化层<br/>pooling layers"]
#     RNN --> LSTM["LSTM单元<br/>LSTM cells"]
#     RNN --> GRU["GRU单元<br/>GRU cells"]
#     GAN --> GEN["生成模型<br/>generator"]
#     GAN --> DIS["判别模型<br/>discriminator"]
# ```
#
# The other kinds are a bare leaf of the tree. Seed 000's text below it names two newer
# structures, attention mechanisms and graph neural networks, and this book gives each a page of
# its own (`attention.py`, `graph_network.py`). Classic CNN architectures are not in the tree
# either: they are a heading of seed 004 (经典CNN架构), and LeNet, the one the tutorial trains, is
# built below.
#
# Seed 003 draws a second diagram, which ties the main notions to deep learning (again its nodes
# and edges, with English names):
#
# ```mermaid
# graph LR
#     DL["深度学习<br/>deep learning"] --> NN["神经网络<br/>neural networks"]
#     DL --> BP["反向传播<br/>backpropagation"]
#     DL --> LF["损失函数<br/>loss functions"]
#     DL --> OF["过拟合<br/>overfitting"]
#     NN --> NL["多层非线性映射<br/>multilayer non-linear mapping"]
#     BP --> PT["训练参数<br/>training the parameters"]
#     PT --> MO["模型优化<br/>model optimization"]
#     OF --> RG["正则化技术<br/>regularization"]
# ```
#
# The seed's caption calls these the core concepts of a large language model (大语言模型), a slip:
# the diagram shows deep learning's, and nothing in it is particular to language models.
#
# This page builds one model of every named branch of the tree from `dlbook.models`, the models
# the later chapters train, prints its summary and counts its parameters, by Keras and by formula.

# %%
from dlbook.cli import start_page
from dlbook.models import (
    LeNet,
    TextClassifier,
    build_cnn,
    build_image_mlp,
    make_discriminator,
    make_generator,
)
from dlbook.plots import plot_stacked_bars

import keras
import tensorflow as tf

page = start_page("ch02_concepts/family_tree", globals())

# %%
images = tf.zeros((2, 28, 28, 1))  # two blank images to call each image model on
parameters = {}  # each model, by the branch it stands for

# %% [markdown]
# ## Feed-forward: fully connected layers and activation functions
#
# Every unit of a dense layer reads every output of the layer before: $h = f(W x + b)$. A layer
# of $m$ inputs and $n$ units holds $W$ ($n \times m$) and $b$ ($n$): $(m + 1)\,n$ parameters.
# `build_image_mlp` flattens a 28x28 image into 784 inputs, then dense 256 and 128 (ReLU), then
# 10 logits.

# %%
mlp = build_image_mlp()
mlp.summary()
by_formula = (784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10
print(f"parameters: Keras {mlp.count_params():,}, (m + 1) n summed over the layers "
      f"{by_formula:,}; output {tuple(mlp(images).shape)}")
parameters["feed-forward MLP"] = mlp

# %% [markdown]
# ## Convolutional: convolution layers and pooling layers
#
# A convolution layer slides small kernels over the image: each of its $c_\text{out}$ kernels
# sees a $k \times k$ window of all $c_\text{in}$ channels, so the layer has
# $(k^2 c_\text{in} + 1)\,c_\text{out}$ parameters, whatever the image size. Pooling layers have
# none. `build_cnn` is section 5's CNN (ending in logits, with dlbook's dropout, which adds no
# weights); `LeNet` is the network of section 5.2's listing (ending in logits), a LeNet-like
# network: `lenet.py` says how it differs from the LeNet-5 of LeCun et al. (1998).

# %%
cnn = build_cnn()
cnn.summary()
print(f"parameters: Keras {cnn.count_params():,}; first convolution (3*3*1 + 1)*32 = "
      f"{(3 * 3 * 1 + 1) * 32}, second (3*3*32 + 1)*64 = {(3 * 3 * 32 + 1) * 64:,}; "
      f"output {tuple(cnn(images).shape)}")
parameters["convolutional CNN"] = cnn

lenet = LeNet()
lenet_inputs = keras.Input((28, 28, 1))
keras.Model(lenet_inputs, lenet.call(lenet_inputs), name="lenet").summary()
outputs = lenet(images)  # a subclassed model is built by its first call
print(f"parameters: Keras {lenet.count_params():,}; output {tuple(outputs.shape)}")
parameters["convolutional LeNet-5"] = lenet

# %% [markdown]
# ## Recurrent: LSTM and GRU cells
#
# A recurrent layer reads a sequence one step at a time and carries a state $h_t$ from step to
# step. An LSTM cell computes four things from $[h_{t-1}, x_t]$, the forget, input and output
# gates and the candidate cell, each with a dense layer: $4\,(u\,(u + d) + u)$ parameters for
# $u$ units and $d$ inputs. A GRU computes three (update and reset gates, candidate); Keras's
# GRU keeps two bias vectors for each (`reset_after=True`), so $3\,(u\,(u + d) + 2u)$.
# `TextClassifier` is dlbook's version of section 5's text model: words -> embedding (64) -> LSTM
# or GRU (64) -> dense 64 -> one logit per class (the listing: ten softmax units). It holds its
# vocabulary in a `TextVectorization` layer; two sentences are enough to build one here.

# %%
units, inputs_per_step = 64, 64
formula = {"lstm": 4 * (units * (units + inputs_per_step) + units),
           "gru": 3 * (units * (units + inputs_per_step) + 2 * units)}
for kind in ("lstm", "gru"):
    text_model = TextClassifier(num_classes=2, rnn=kind)
    text_model.adapt(tf.data.Dataset.from_tensor_slices(["a fine film", "a dull film"]).batch(2))
    text_model.network.summary()
    recurrent = text_model.network.layers[1]
    logits = text_model(tf.constant(["a fine film", "dull"]))
    print(f"{kind.upper()} layer: Keras {recurrent.count_params():,}, formula {formula[kind]:,}; "
          f"output for two sentences {tuple(logits.shape)}")
    parameters[f"recurrent {kind.upper()}"] = text_model.network
page.record(recurrent_formula_matches=all(
    parameters[f"recurrent {kind.upper()}"].layers[1].count_params() == formula[kind]
    for kind in formula))

# %% [markdown]
# ## Generative adversarial networks: a generator and a discriminator
#
# The generator turns 100 random numbers into an image with transposed convolutions, which
# enlarge the image as a convolution shrinks it; the discriminator is a CNN that gives one logit,
# "real" when positive. They are trained against each other (chapter 5's DCGAN page).

# %%
generator, discriminator = make_generator(), make_discriminator()
generator.summary()
discriminator.summary()
fakes = generator(tf.random.normal((2, 100)), training=False)
print(f"generator: noise (2, 100) -> images {tuple(fakes.shape)} in "
      f"[{float(tf.reduce_min(fakes)):.2f}, {float(tf.reduce_max(fakes)):.2f}]; discriminator: "
      f"-> logits {tuple(discriminator(fakes).shape)}")
parameters["GAN generator"] = generator
parameters["GAN discriminator"] = discriminator

# %% [markdown]
# ## Where the parameters are
#
# `parameters.png` splits each model's parameters by kind of layer. Most of the MLP's sit in its
# first dense layer (784 inputs); the CNN keeps its convolutions small and spends its parameters
# on the dense layer after them; the text models spend most of theirs on the embedding, one
# vector of 64 numbers per word of a 10,000-word vocabulary.

# %%
KINDS = {"Dense": "dense", "Conv2D": "convolution", "Conv2DTranspose": "convolution",
         "LSTM": "recurrent", "GRU": "recurrent", "Embedding": "embedding",
         "BatchNormalization": "normalization"}


def parameters_by_kind(model: keras.Model) -> dict[str, int]:
    counts: dict[str, int] = {}
    for layer in model.layers:
        if layer.count_params():
            kind = KINDS.get(type(layer).__name__, "other")
            counts[kind] = counts.get(kind, 0) + layer.count_params()
    return counts


table = {name: parameters_by_kind(model) for name, model in parameters.items()}
for name, counts in table.items():
    print(f"{name:<24} {sum(counts.values()):>9,}  " + ", ".join(
        f"{kind} {count:,}" for kind, count in counts.items()))
page.record(parameters={name: sum(counts.values()) for name, counts in table.items()},
            parameters_by_kind=table)
plot_stacked_bars(table, page.output_dir / "parameters.png", title="Parameters per model, by "
                  "kind of layer", xlabel="parameters")
print(f"Plot in {page.output_dir}/parameters.png")
