"""``Activation``, ``get_activation``, ``leaky_relu``, ``leaky_relu_derivative``, ``linear``,
``linear_derivative``, ``relu``, ``relu_derivative``, ``sigmoid``, ``sigmoid_derivative``,
``softmax``, ``softmax_backward``, ``tanh``, ``tanh_derivative``: defined on the page
``chapters/ch04_math/neuron.py`` (Section 4 · A neuron, a layer of neurons and the activation
functions).

This module is the page's cells marked ``#@save dlbook/scratch/activations.py``, run here by
`dlbook.pages.run_saved_cells`: the code is written once, on the page that teaches it.
"""

from dlbook.pages import run_saved_cells

run_saved_cells("ch04_math/neuron", globals())
