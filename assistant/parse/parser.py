"""``TurnParser``: message (+ whether results are on screen) → ``TurnParse``.

An adapter folder holds what fine-tuning produced: ``parser.json`` (labels, layers used,
scores, the command that made it), ``heads.safetensors`` and, unless it was trained as a
frozen-backbone baseline, a peft LoRA adapter. The base LLM comes from settings, so any
causal LM folder or hub id works with an adapter trained on it. Everything loads lazily,
once, on the first parse.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import torch

from assistant.parse.model import TurnParserNet, collate, decode_spans, encode_turn, truncate_layers
from assistant.parse.normalise import spans_to_slots, tidy_spans
from assistant.parse.schema import INTENTS, TAGS, TurnParse
from shopassist.errors import ModelNotFoundError
from shopassist.settings import Settings

DEFAULT_ADAPTER = Path(__file__).resolve().parents[1] / "turn_parser"  # assistant/turn_parser (package data)
META_FILE = "parser.json"
HEADS_FILE = "heads.safetensors"


def adapter_folder(settings: Settings) -> Path:
    folder = DEFAULT_ADAPTER if settings.parser_adapter == "default" else Path(settings.parser_adapter).expanduser()
    if not (folder / META_FILE).is_file():
        raise ModelNotFoundError(
            f"no turn-parser adapter at {folder} (setting `parser_adapter`); "
            "train one with `shopassist finetune train`")
    return folder


def load_backbone(llm: str, layers: int):
    """The base LLM without its LM head, cut to ``layers`` blocks; returns (model, tokenizer)."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(llm)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModel.from_pretrained(llm, dtype=torch.float32)
    return truncate_layers(model, layers), tokenizer


def load_net(llm: str, folder: Path) -> tuple[TurnParserNet, object, dict]:
    from peft import PeftModel
    from safetensors.torch import load_file

    meta = json.loads((folder / META_FILE).read_text())
    # An adapter trained before newer intents were added still works: it names its own.
    if not set(meta["intents"]) <= set(INTENTS) or tuple(meta["tags"]) != TAGS:
        raise ModelNotFoundError(f"the adapter at {folder} was trained for another label set; retrain it")
    backbone, tokenizer = load_backbone(llm, meta["layers"])
    if backbone.config.hidden_size != meta["hidden_size"]:
        raise ModelNotFoundError(
            f"the adapter at {folder} was trained on {meta['base_model']} (hidden size {meta['hidden_size']}); "
            f"the `llm` setting gives hidden size {backbone.config.hidden_size}")
    if meta.get("lora", True):
        backbone = PeftModel.from_pretrained(backbone, folder).merge_and_unload()
    net = TurnParserNet(backbone, meta["hidden_size"], len(meta["intents"]))
    net.load_state_dict(load_file(folder / HEADS_FILE), strict=False)
    return net.eval(), tokenizer, meta


class TurnParser:
    """Parses customer turns in one forward pass each.

    Example:
        >>> parser = TurnParser.from_settings(settings)
        >>> parser.parse("red dresses under £30").slots.max_price
        30.0
    """

    def __init__(self, llm: str, folder: Path, threads: int | None = None):
        self.llm = llm
        self.folder = folder
        self.threads = threads
        self._loaded: tuple[TurnParserNet, object, dict] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "TurnParser":
        from shopassist.llm_assets import resolve_llm

        folder = adapter_folder(settings)
        return cls(resolve_llm(settings), folder, settings.torch_threads)

    @property
    def meta(self) -> dict:
        return self._load()[2]

    def _load(self) -> tuple[TurnParserNet, object, dict]:
        with self._lock:
            if self._loaded is None:
                if self.threads:
                    torch.set_num_threads(self.threads)
                self._loaded = load_net(self.llm, self.folder)
            return self._loaded

    def parse(self, message: str, has_results: bool = False) -> TurnParse:
        return self.parse_many([message], [has_results])[0]

    def parse_many(self, messages: list[str], has_results: list[bool], batch_size: int = 32) -> list[TurnParse]:
        net, tokenizer, meta = self._load()
        intents = meta["intents"]
        out: list[TurnParse] = []
        for i in range(0, len(messages), batch_size):
            encoded = [encode_turn(tokenizer, m, r) for m, r in
                       zip(messages[i:i + batch_size], has_results[i:i + batch_size])]
            batch = collate([{"ids": e.ids} for e in encoded], tokenizer.pad_token_id)
            with torch.inference_mode():
                logits = net(**batch)
            probs = logits["intent_logits"].softmax(-1)
            tag_ids = logits["tag_logits"].argmax(-1)
            for row, enc in enumerate(encoded):
                tags = tag_ids[row, enc.tag_start:enc.tag_start + len(enc.offsets)].tolist()
                spans = tidy_spans(enc.message, decode_spans(enc, tags))
                ranked = probs[row].argsort(descending=True).tolist()
                best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
                out.append(TurnParse(intent=intents[best], slots=spans_to_slots(spans),
                                     confidence=round(float(probs[row, best]), 4), spans=spans,
                                     runner_up=intents[second] if second is not None else None))
        return out
