"""LoRA training of the turn parser's LLM: data building, training, adapter evaluation."""

__all__: list[str] = []
