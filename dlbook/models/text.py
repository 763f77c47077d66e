"""``TextClassifier``, ``sequence_reader``: defined on the page
``chapters/ch05_practice/text_classifier.py`` (Section 5 · A simple RNN for text
classification).

This module is the page's cells marked ``#@save dlbook/models/text.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/text_classifier", globals())
