"""The synthetic sentiment task: its labels follow the negation rule, and its words alone say
nothing about them."""

from collections import Counter

from dlbook.data import sentiment

import numpy as np
import pytest


@pytest.fixture(scope="module")
def task():
    return sentiment.read_sentiment(train_size=4000, test_size=1000)


def label_by_the_rule(review):
    """Read a review as a person would: the negated adjective is flipped, and the review has the
    sentiment of its two (agreeing) clauses."""
    words = review.split()
    polarities = []
    for position, word in enumerate(words):
        if word in sentiment.POSITIVE or word in sentiment.NEGATIVE:
            polarity = 1 if word in sentiment.POSITIVE else -1
            before = words[max(position - 2, 0):position]
            if any(negation in before for negation in sentiment.NEGATIONS):
                polarity = -polarity
            polarities.append(polarity)
    assert len(polarities) == 2 and polarities[0] == polarities[1], review
    return int(polarities[0] > 0)


def test_sizes_classes_and_no_review_in_both_splits(task):
    (train_texts, train_labels), (test_texts, test_labels), class_names = task
    assert class_names == ["negative", "positive"]
    assert (len(train_texts), len(test_texts)) == (4000, 1000)
    assert len(set(train_texts)) == 4000 and not set(train_texts) & set(test_texts)
    assert train_labels.dtype == np.int32
    assert 0.45 < train_labels.mean() < 0.55 and 0.45 < test_labels.mean() < 0.55


def test_every_label_follows_the_negation_rule(task):
    for texts, labels in task[:2]:
        assert [label_by_the_rule(review) for review in texts] == labels.tolist()


def test_every_review_holds_one_adjective_of_each_kind_and_one_negation(task):
    for review in task[0][0]:
        words = review.split()
        assert sum(word in sentiment.POSITIVE for word in words) == 1
        assert sum(word in sentiment.NEGATIVE for word in words) == 1
        assert sum(word in sentiment.NEGATIONS for word in words) == 1


def test_the_words_alone_say_nothing_about_the_label(task):
    """Each word is as frequent in positive as in negative reviews (up to sampling noise)."""
    texts, labels = task[0]
    counts = [Counter(word for review in texts[labels == label] for word in set(review.split()))
              for label in (0, 1)]
    sizes = np.bincount(labels)
    for word in counts[0] | counts[1]:
        rates = [counts[label][word] / sizes[label] for label in (0, 1)]
        assert abs(rates[0] - rates[1]) < 0.04, (word, rates)


def test_the_same_task_every_time():
    first, second = (sentiment.read_sentiment(train_size=50, test_size=10) for _ in range(2))
    assert first[0][0].tolist() == second[0][0].tolist()
    assert first[1][1].tolist() == second[1][1].tolist()
