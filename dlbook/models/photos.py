"""``augmentation``, ``mobilenet_classifier``, ``small_cnn``, ``unfreeze_top``: defined on the page
``chapters/ch06_applications/own_photos.py`` (Section 6 · Your own photos: a network trained on
ImageNet, fine-tuned).

This module is the page's cells marked ``#@save dlbook/models/photos.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch06_applications/own_photos", globals())
