# %% [markdown]
# # Section 6 · Sentiment analysis of the sentences you type
#
# Tutorial: section 6 · 自然语言处理 (seeds 003 §6.2, 004 §6.2) · 语音识别 (seeds 003 §6.3, 004
# §6.3) · 未来应用展望 (seed 003 §6.4); section 3 · 算法应用领域 (seeds 000 §3.4, 003 §3.4)
#
# Among the applications of natural language processing that section 6 lists (translation,
# sentiment analysis, summarization, named entities, language models such as BERT), sentiment
# analysis is the one a small network learns on one machine: is a review positive or negative?
# Chapter 5's text classifier (`chapters/ch05_practice/text_classifier.py`) learns it and saves
# the model with its vocabulary, so that the file takes raw text. This page loads that file and
# classifies new sentences:
#
# ```sh
# make ch06-sentiment TEXT="the acting was superb and the story was not boring"
# python chapters/ch06_applications/sentiment.py --text "one sentence"
# printf 'one sentence\nanother\n' | python chapters/ch06_applications/sentiment.py
# ```
#
# Without any sentence it classifies a few examples. The model knows only the words of its
# training texts: IMDB's reviews, or offline the generated reviews of `dlbook.data.sentiment`,
# whose vocabulary is a few dozen words. Any other word counts as one unknown word.

# %%
import os
import stat
import sys
from pathlib import Path
from typing import Literal

from dlbook.cli import start_page
from dlbook.config import output_root
from dlbook.data.errors import InvalidDataError
from dlbook.data.text import resolve_text_dataset
from dlbook.models.loading import load_text_classifier
from dlbook.notebook import in_notebook

import keras
import numpy as np
import tensorflow as tf

# %% [markdown]
# ## Settings
#
# Each constant is also a flag of the page (`--text`, `--rnn`, `--model`, `--dataset`; `--help`
# lists them). The page trains nothing: `--quick` only makes it use the model of chapter 5's
# quick run.

# %%
TEXT: str | None = None  # sentences to classify, one per line (None: standard input)
RNN: Literal["lstm", "gru", "bilstm", "bigru"] = "lstm"  # chapter 5's model with this layer
MODEL: Path | None = None  # a saved text model (None: chapter 5's model of DATASET)
DATASET = "auto"  # what chapter 5's model learned: auto, synthetic, imdb, a table or folder

page = start_page("ch06_applications/sentiment", globals())

EXAMPLES = [
    "the acting was superb and the story was not boring",
    "the music was never good while the ending was dull",
    "the script was not bad and the cast was charming",
    "the pacing was tedious and the camera work was not clever",
    "the plot was good",
    "a wonderful film, I loved every minute of it",
]

# %% [markdown]
# ## The sentences
#
# From `TEXT`, one per line, else one per line of standard input when it is a pipe or a file
# (not in a notebook, whose standard input never ends), else the examples. An empty sentence, a
# pipe that brings none, or bytes that are not UTF-8 text stop the page with one line: nothing is
# classified in their place.

# %%
def piped() -> bool:
    """Whether standard input is a pipe or a file (not a terminal, /dev/null or a notebook's)."""
    if sys.stdin is None or in_notebook():
        return False
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except OSError:  # a stream without a file descriptor, as a test gives
        return not sys.stdin.isatty()
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


def input_lines() -> list[str]:
    """The non-blank lines of standard input, which must be UTF-8 text."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InvalidDataError(
            f"standard input, line {line}: byte 0x{data[error.start]:02x} is not UTF-8 text; "
            "convert it first (e.g. iconv -f latin1 -t utf-8)") from error
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InvalidDataError("standard input holds no sentence; give one per line, or pass "
                               "text=SENTENCE")
    return lines


if TEXT is None:
    sentences = input_lines() if piped() else EXAMPLES
elif not (sentences := [line.strip() for line in TEXT.splitlines() if line.strip()]):
    raise InvalidDataError(f"text={TEXT!r}: no words to classify; give a sentence")

# %% [markdown]
# ## The saved model and its classes
#
# `text_classifier.py` saves `<dataset>-<rnn>.keras` under `outputs/ch05_practice/text_classifier/`
# (`text_classifier-quick/` for a `--quick` run) and, beside it, a record of the data that trained
# it: the dataset, a fingerprint of its texts and the class names in the order of the model's
# outputs. `load_text_classifier` loads the file in safe mode and checks it against that record:
# a model of another dataset, one whose classes are not recorded, or one that takes no raw text
# (no `TextVectorization` layer: numbers in, not words) stops the page here, in one line.

# %%
dataset = (None if MODEL is not None and DATASET == "auto"
           else Path(resolve_text_dataset(DATASET, page.data_dir)).stem)
model_path = MODEL or (output_root() / "ch05_practice" / ("text_classifier-quick" if page.quick
                                                          else "text_classifier")
                       / f"{dataset}-{RNN}.keras")
model, vectorizer, class_names = load_text_classifier(
    model_path, f"train it first with `make ch05-text-classifier DATASET={DATASET}"
    f"{' QUICK=1' if page.quick else ''}`, or pass model=FILE", dataset)
print(f"{model_path}: {model.count_params():,} parameters, classes {', '.join(class_names)}, "
      f"a vocabulary of {vectorizer.vocabulary_size():,} words")

# %% [markdown]
# ## Class probabilities
#
# The model returns one score (logit) per class; the softmax turns them into probabilities,
# $p_k = e^{z_k} / \sum_j e^{z_j}$. The words the model does not know are counted as `[UNK]`
# (its token 1): a sentence made of them is a guess, and its probabilities say so.

# %%
batches = [tf.constant(sentences[start:start + 256]) for start in range(0, len(sentences), 256)]
probabilities = np.concatenate([keras.ops.softmax(model(batch)).numpy() for batch in batches])
tokens = np.concatenate([vectorizer(batch).numpy() for batch in batches])
answers = []
for sentence, p, sequence in zip(sentences, probabilities, tokens, strict=True):
    words, unknown = int((sequence > 0).sum()), int((sequence == 1).sum())
    answers.append({"text": sentence, "class": class_names[p.argmax()],
                    "probabilities": dict(zip(class_names, p.tolist(), strict=True)),
                    "words": words, "unknown_words": unknown})
    shown = "  ".join(f"p({name})={value:.3f}" for name, value in zip(class_names, p, strict=True))
    note = f"  [{unknown} of {words} words unknown]" if unknown else ""
    print(f"{shown}  -> {class_names[p.argmax()]:<9} {sentence!r}{note}")
page.record(model=str(model_path), classes=class_names, sentences=answers)

# %% [markdown]
# ## Speech, the outlook, and the fields of section 3
#
# Section 6 goes on to speech recognition and synthesis (smart speakers, voice assistants), and seed
# 002 to game agents and self-driving cars. Seed 003 ends the section with an outlook: healthcare
# (diagnosis, drug discovery), education (recommendations fitted to each student, homework graded
# automatically), the running of cities (incidents spotted, public opinion read, emergencies
# coordinated), and industry, public governance and media. Section 3's list of fields (seeds 000 and
# 003) adds recommendation, finance, game AI, robot control and, in seed 000, astronomy. This
# chapter runs only what a real dataset on this machine can show honestly. There is no recorded
# speech here, and no ratings of real users: a speech model trained on generated sounds, or a
# recommender trained on ratings drawn from a formula, would only learn back the formula, and its
# accuracy would say nothing about speech or about people. The methods themselves are the ones of
# the pages before: a spoken word becomes an image (its spectrogram, frequency against time) that a
# CNN like chapter 5's classifies, or a sequence that a recurrent network reads like a sentence; a
# recommender learns an embedding vector per user and per item, like the word embeddings of the text
# model, and predicts a rating from their dot product. With a dataset of your own (Speech Commands,
# MovieLens), those pages are the place to start.
