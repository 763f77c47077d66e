"""``build_binary_mlp``: defined on the page ``chapters/ch05_practice/mlp_binary.py`` (Section 5 ·
A multilayer perceptron for two classes).

This module is the page's cells marked ``#@save dlbook/models/mlp_binary.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/mlp_binary", globals())
