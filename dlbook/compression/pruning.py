"""``MaskFunction``, ``PolynomialSparsity``, ``Pruning``, ``UnprunableModelError``,
``magnitude_masks``, ``masks_keeping_the_ends``, ``prunable_kernels``, ``sparsity``: defined on
the page ``chapters/ch08_trends/pruning.py`` (Section 8 · Magnitude pruning: the CNN with 90% of
its weights set to zero).

This module is the page's cells marked ``#@save dlbook/compression/pruning.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch08_trends/pruning", globals())
