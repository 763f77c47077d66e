"""``avg_pool2d``, ``avg_pool2d_backward``, ``max_pool2d``, ``max_pool2d_backward``,
``pooling_windows``: defined on the page ``chapters/ch04_math/pooling.py`` (Section 4 · Max
pooling and average pooling).

This module is the page's cells marked ``#@save dlbook/scratch/pooling.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/pooling", globals())
