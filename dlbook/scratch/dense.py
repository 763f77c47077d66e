"""``check_inputs``, ``dense_backward``, ``dense_forward``, ``gradient_descent_step``: defined on
the page ``chapters/ch04_math/backprop.py`` (Section 4 · Back-propagation: the chain rule, the
delta rule, a gradient-descent step).

This module is the page's cells marked ``#@save dlbook/scratch/dense.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/backprop", globals())
