"""``MLP``, ``evaluate``, ``fit``, ``glorot_uniform``, ``train_epoch``: defined on the page
``chapters/ch04_math/mlp_from_scratch.py`` (Section 4 · The formulas at work: a two-layer MLP
trained from scratch in NumPy).

This module is the page's cells marked ``#@save dlbook/scratch/mlp.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/mlp_from_scratch", globals())
