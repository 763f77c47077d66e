"""``GAN``: defined on the page ``chapters/ch05_practice/dcgan.py`` (Section 5 · A GAN at work:
section 2's generator and discriminator, trained).

This module is the page's cells marked ``#@save dlbook/training/gan.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch05_practice/dcgan", globals())
