"""Whether the code runs as a notebook: inside a running Jupyter kernel.

A notebook runner (nbclient) imports ``ipykernel`` without being a kernel, so a page run by the
same process afterwards is still a script; only a kernel has an initialised `IPKernelApp`.
"""

from __future__ import annotations

import sys


def in_notebook() -> bool:
    """True inside a running Jupyter kernel; False in a script, even one that imported it."""
    kernel_app = sys.modules.get("ipykernel.kernelapp")
    return kernel_app is not None and kernel_app.IPKernelApp.initialized()
