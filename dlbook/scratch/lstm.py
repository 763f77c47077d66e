"""``lstm_backward``, ``lstm_cell_backward``, ``lstm_cell_forward``, ``lstm_forward``,
``lstm_params_from_keras``: defined on the page ``chapters/ch04_math/lstm_gru.py`` (Section 4 ·
The LSTM cell, gate by gate (and the GRU)).

This module is the page's cells marked ``#@save dlbook/scratch/lstm.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/lstm_gru", globals())
