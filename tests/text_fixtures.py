"""Tables of labelled texts as users have them, written for the tests (and the measurements of
the text page): the common IMDB CSV download and the SMS Spam Collection's TSV.

    python tests/text_fixtures.py imdb.csv 5000     # a 5,000-review CSV in the IMDB layout
"""

import csv
import sys
from pathlib import Path

import numpy as np

OPENINGS = [
    "I watched this film last night with my family.",
    "Saw this at a festival in 2009, and I still remember it.",
    "My wife rented this one, so I gave it a chance.",
    "I went in knowing nothing about it.",
    "This was on TV late at night; I stayed up to see the end.",
    "After reading the book, I had to see the film.",
]
PLOT = [
    "The story follows a young teacher who moves to a small town in Maine.",
    "It is set in 1970s New York, in the world of small-time boxing.",
    "Two brothers, a farm, a drought, and a secret their father kept.",
    "The plot, such as it is, concerns a heist at a casino.",
    "A retired detective is pulled back for \"one last case\".",
    "It runs a little over two hours.",
]
POSITIVE = [
    "The performances are superb, especially the lead.",
    "A beautiful, moving film; the last scene had me in tears.",
    "The script is witty and sharp, and the pacing never drags.",
    "One of the best films I have seen this year: 9/10.",
    "The photography is gorgeous and the music fits every scene.",
    "I loved it, and I will watch it again.",
    "Highly recommended, a \"must see\" for anyone who loves cinema.",
]
NEGATIVE = [
    "The acting is wooden and the dialogue is laughable.",
    "A boring, predictable mess; I nearly walked out.",
    "The script makes no sense, and the ending is an insult.",
    "One of the worst films I have ever sat through: 2/10.",
    "Even the music is bad, and the editing is a disaster.",
    "Avoid it, and save your money.",
    "The so-called \"twist\" is obvious from the first ten minutes.",
]
BREAKS = [" ", " ", " ", "<br /><br />", "\n\n", "\n"]


def imdb_review(rng: np.random.Generator, positive: bool) -> str:
    """A review of a few sentences: an opening, some plot, an opinion (now and then one sentence
    of the other opinion), with the line breaks and HTML breaks the IMDB reviews have."""
    own, other = (POSITIVE, NEGATIVE) if positive else (NEGATIVE, POSITIVE)
    sentences = [rng.choice(OPENINGS), *rng.choice(PLOT, size=rng.integers(1, 3), replace=False),
                 *rng.choice(own, size=rng.integers(1, 4), replace=False)]
    if rng.random() < 0.3:
        contrary = str(rng.choice(other))
        if not contrary.startswith("I "):
            contrary = contrary[0].lower() + contrary[1:]
        sentences.insert(int(rng.integers(1, len(sentences))), f"Still, {contrary}")
    text = sentences[0]
    for sentence in sentences[1:]:
        text += rng.choice(BREAKS) + sentence
    return text


def write_imdb_csv(path: Path, count: int, seed: int = 0, empty_columns: int = 3) -> Path:
    """``count`` reviews in the layout of the common IMDB CSV: a ``review,sentiment`` header
    followed by empty columns, quoted reviews (commas, doubled quotes, line breaks inside), the
    label ``positive`` or ``negative``."""
    rng = np.random.default_rng(seed)
    with Path(path).open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["review", "sentiment", *[""] * empty_columns])
        for number in range(count):
            positive = number % 2 == 0
            writer.writerow([imdb_review(rng, positive), "positive" if positive else "negative",
                             *[""] * empty_columns])
    return Path(path)


SMS = [
    ("ham", "Go until jurong point, crazy.. Available only in bugis n great world la e buffet"),
    ("ham", '"Wen u miss someone, the person is definitely special for u" gdeve..'),
    ("spam", "WINNER!! As a valued network customer you have been selected to receive a £900 "
             "prize reward! To claim call 09061701461."),
    ("ham", "I'm gonna be home soon and i don't want to talk about this stuff anymore tonight"),
    ("ham", 'Today is "song dedicated day.." Which song will u dedicate for me?'),
    ("spam", 'Did you hear about the new "Divorce Barbie"? It comes with all of Ken\'s stuff!'),
    ("ham", '"Pete can you please ring meive hardly gotany credit"'),
    ("ham", 'Hi. Wk been ok - on hols now! Does that cause prob for u?"'),
    ("spam", "FreeMsg Hey there darling it's been 3 week's now and no word back! Txt STOP to end"),
    ("ham", "Ok lar... Joking wif u oni..."),
    ("ham", '"Happy new year to all of u'),
    ("ham", 'c u at the party then"'),
]
"""Messages in the SMS Spam Collection's style: a quote may open a message and close in its
middle, open it and never close, or close without opening: no CSV quoting."""


def write_sms_tsv(path: Path, copies: int = 5) -> Path:
    """The SMS Spam Collection's layout: ``label<TAB>message`` lines, no header, no quoting."""
    lines = [f"{label}\t{message}" for _ in range(copies) for label, message in SMS]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(path)


if __name__ == "__main__":
    print(write_imdb_csv(Path(sys.argv[1]), int(sys.argv[2])))
