"""Shared base of the shopping assistant: settings, errors and model assets.

Everything here is imported by the layers above (retrieval, assistant, finetune, ui)
and imports none of them; only ``shopassist.cli`` sits on top of everything.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
