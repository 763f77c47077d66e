"""``build_image_mlp``, ``build_mlp``: defined on the page ``chapters/ch05_practice/mlp_images.py``
(Section 5 · The MLP project: classifying images with dense layers only).

This module is the page's cells marked ``#@save dlbook/models/mlp.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/mlp_images", globals())
