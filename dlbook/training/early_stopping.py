"""``EarlyStopping``: defined on the page ``chapters/ch03_algorithm/six_steps.py`` (Section 3 · The
algorithm in six steps, on one batch).

This module is the page's cells marked ``#@save dlbook/training/early_stopping.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch03_algorithm/six_steps", globals())
