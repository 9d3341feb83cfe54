"""The dialogue engine: turn parser (LLM + LoRA) → tools → grounded replies.

Imports retrieval/ and shopassist/ only; never ui/, finetune/ or eval/.
"""

__all__: list[str] = []
