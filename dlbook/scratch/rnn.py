"""``Params``, ``check_sequence``, ``rnn_backward``, ``rnn_forward``, ``rnn_params_from_keras``:
defined on the page ``chapters/ch04_math/rnn.py`` (Section 4 · The recurrent network and back-
propagation through time).

This module is the page's cells marked ``#@save dlbook/scratch/rnn.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/rnn", globals())
