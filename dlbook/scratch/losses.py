"""``binary_cross_entropy``, ``binary_cross_entropy_gradient``, ``check_same_shape``,
``cross_entropy``, ``cross_entropy_gradient``, ``kl_divergence``, ``kl_divergence_gradient``,
``mse``, ``mse_gradient``, ``one_hot``, ``softmax_cross_entropy``,
``softmax_cross_entropy_gradient``: defined on the page ``chapters/ch04_math/losses.py``
(Section 4 · Softmax and the loss functions).

This module is the page's cells marked ``#@save dlbook/scratch/losses.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/losses", globals())
