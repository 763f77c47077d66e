"""``LeNet``: defined on the page ``chapters/ch05_practice/lenet.py`` (Section 5.2 · LeNet-5
trained with a GradientTape loop).

This module is the page's cells marked ``#@save dlbook/models/lenet.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/lenet", globals())
