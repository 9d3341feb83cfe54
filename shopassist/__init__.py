"""Shared base of the shopping assistant: settings, errors and model assets.

Everything here is imported by the layers above (retrieval, assistant, finetune, ui)
and imports none of them; only ``shopassist.cli`` sits on top of everything.
"""

import os

# torch (SASRec+) and LightGBM (the reranker) each bring an OpenMP runtime; with the default
# busy-waiting, one's idle threads spin on the cores the other needs, and a 5 ms rerank
# sometimes took 60-90 ms. Passive waiting removes that tail (measured: rerank p95 66 → 6 ms).
# Set before either library starts its threads; a value the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
__all__ = ["__version__"]
