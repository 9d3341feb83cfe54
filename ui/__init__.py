"""Gradio apps: the customer chat widget and the support-agent console."""

__all__: list[str] = []
