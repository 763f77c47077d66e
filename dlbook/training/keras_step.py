"""``TapeStepModel``: defined on the page ``chapters/ch05_practice/lenet_fit.py`` (Section 5.2 ·
The same LeNet step, run by `model.fit`).

This module is the page's cells marked ``#@save dlbook/training/keras_step.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/lenet_fit", globals())
