"""A synthetic sentiment task that only a model reading word order can solve (section 2: a
recurrent network reads a sequence in order).

Each review has two clauses, one with a positive adjective and one with a negative adjective,
and exactly one of the two adjectives is negated:

    "the plot was not very dull and the music was superb"    -> positive
    "the plot was dull while the music was never superb"     -> negative

The rule: "not" (or "never") flips the adjective after it, so "not good" is negative and "not
dull" is positive; the two clauses then always agree, and the review has their sentiment. Which
adjective the negation stands before decides the label, and only the order of the words tells:
every review holds one positive adjective, one negative adjective and one negation, drawn
independently of the label, so its bag of words says nothing about the label. An order-blind model
(the mean of the word embeddings) is at chance, 50%, whatever it learns.
"""

from __future__ import annotations

from dlbook.data.pipeline import Split

import numpy as np

CLASS_NAMES = ["negative", "positive"]
SUBJECTS = ("the plot", "the acting", "the music", "the script", "the ending", "the cast",
            "the dialogue", "the pacing", "the camera work", "the story")
POSITIVE = ("good", "great", "superb", "moving", "funny", "clever", "charming", "gripping")
NEGATIVE = ("bad", "dull", "awful", "boring", "clumsy", "silly", "tedious", "weak")
NEGATIONS = ("not", "never")
INTENSIFIERS = ("", "very", "really", "so")
VERBS = ("was", "is")
JOINERS = ("and", "while")

TRAIN_SIZE, TEST_SIZE = 10_000, 2_000
DATA_SEED = 0
"""The task is one fixed dataset: its reviews do not depend on a run's seed."""


def clause(subject: str, verb: str, negation: str, intensifier: str, adjective: str) -> str:
    """``"the plot was not very dull"``: one opinion, ``negation`` and ``intensifier`` optional."""
    return " ".join(word for word in (subject, verb, negation, intensifier, adjective) if word)


def reviews(count: int, rng: np.random.Generator) -> Split:
    """``count`` reviews drawn at random, and their labels (1 positive, 0 negative), by the rule
    of the module's docstring.

    The positive and the negative clause come in a random order, and the negation goes to one
    of them at random: the label is 1 exactly when the negated adjective is the negative one.
    """
    def draw(options: tuple[str, ...], *shape: int) -> np.ndarray:
        return np.asarray(options)[rng.integers(len(options), size=(count, *shape))]

    first = rng.integers(len(SUBJECTS), size=count)
    second = (first + rng.integers(1, len(SUBJECTS), size=count)) % len(SUBJECTS)
    subjects = np.asarray(SUBJECTS)[np.stack([first, second], axis=1)]
    adjectives = np.stack([draw(POSITIVE), draw(NEGATIVE)], axis=1)
    labels = rng.integers(2, size=count).astype(np.int32)  # 1: the negative clause is negated
    negations = np.where(np.stack([labels == 0, labels == 1], axis=1), draw(NEGATIONS, 2), "")
    verbs, intensifiers, joiners = draw(VERBS, 2), draw(INTENSIFIERS, 2), draw(JOINERS)
    reverse = rng.integers(2, size=count).astype(bool)
    texts = []
    for i in range(count):
        clauses = [clause(subjects[i, k], verbs[i, k], negations[i, k], intensifiers[i, k],
                          adjectives[i, k]) for k in (0, 1)]
        if reverse[i]:
            clauses.reverse()
        texts.append(f" {joiners[i]} ".join(clauses))
    return np.array(texts, dtype=object), labels


def make_reviews(count: int, rng: np.random.Generator, exclude: frozenset[str] = frozenset()
                 ) -> Split:
    """``count`` distinct reviews (none of them in ``exclude``) and their labels."""
    kept: dict[str, int] = {}
    while len(kept) < count:
        for text, label in zip(*reviews(count, rng), strict=True):
            if text not in exclude and len(kept) < count:
                kept.setdefault(text, int(label))
    return np.array(list(kept), dtype=object), np.array(list(kept.values()), dtype=np.int32)


def read_sentiment(train_size: int = TRAIN_SIZE, test_size: int = TEST_SIZE
                   ) -> tuple[Split, Split, list[str]]:
    """The task's training and test reviews (no review in both) and its class names."""
    rng = np.random.default_rng(DATA_SEED)
    train = make_reviews(train_size, rng)
    test = make_reviews(test_size, rng, exclude=frozenset(train[0]))
    return train, test, list(CLASS_NAMES)
