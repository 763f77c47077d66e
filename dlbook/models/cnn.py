"""``build_cnn``: defined on the page ``chapters/ch05_practice/cnn.py`` (Section 5 · A
convolutional network trained with `compile` and `fit`).

This module is the page's cells marked ``#@save dlbook/models/cnn.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/cnn", globals())
