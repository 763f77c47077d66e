"""``add_windows``, ``check_conv_inputs``, ``conv2d``, ``conv2d_backward``, ``conv2d_loop``,
``pad``, ``padding_sizes``, ``sliding_windows``: defined on the page
``chapters/ch04_math/convolution.py`` (Section 4 · Convolution, cross-correlation and the Conv2D
layer).

This module is the page's cells marked ``#@save dlbook/scratch/conv.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/convolution", globals())
