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
from assistant.parse.schema import INTENTS, SUPPORT_INTENTS, TAGS, TALK_INTENTS, TurnParse
from assistant.state import render_context, shows_results
from shopassist.errors import ModelNotFoundError
from shopassist.settings import Settings

DEFAULT_ADAPTER = Path(__file__).resolve().parents[1] / "turn_parser"  # assistant/turn_parser (package data)
META_FILE = "parser.json"
HEADS_FILE = "heads.safetensors"
# Turns the ONNX graph is checked on against the torch network before it serves.
PROBES = [("red dresses under £30", False), ("is the second one dishwasher safe?", True),
          ("where is my order 536365", False), ("hi", False)]
PACK_TOKENS = 512  # tokens per packed row: attention over a pack grows with its length squared


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

    def __init__(self, llm: str, folder: Path, threads: int | None = None, packing: bool = True,
                 onnx_cache: Path | None = None):
        self.llm = llm
        self.packing = packing  # several turns in one unpadded row (when the backbone allows)
        self._packs_ok = False
        self.onnx_cache = onnx_cache  # packed rows run by ONNX Runtime, its graph cached here
        self.runner = None  # what runs packed rows: the ONNX graph, or None for the torch network
        self.folder = folder
        self.threads = threads
        self._loaded: tuple[TurnParserNet, object, dict] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "TurnParser":
        from shopassist.llm_assets import resolve_llm

        folder = adapter_folder(settings)
        cache = settings.home / "models" / "parser-onnx" if settings.parser_backend == "onnx" else None
        return cls(resolve_llm(settings), folder, settings.torch_threads, settings.parse_packing, cache)

    @property
    def meta(self) -> dict:
        return self._load()[2]

    def _load(self) -> tuple[TurnParserNet, object, dict]:
        with self._lock:
            if self._loaded is None:
                if self.threads:
                    torch.set_num_threads(self.threads)
                self._loaded = load_net(self.llm, self.folder)
                self._packs_ok = self._loaded[0].packing_works()
                if self._packs_ok and self.onnx_cache is not None:
                    self.runner = self._onnx(*self._loaded[:2])
            return self._loaded

    def _onnx(self, net: TurnParserNet, tokenizer):
        from assistant.parse.onnx_net import open_onnx_net

        reads_state, compact = _reads(self._loaded[2] if self._loaded else {})
        probes = [encode_turn(tokenizer, text, _context(has, reads_state), compact).ids for text, has in PROBES]
        return open_onnx_net(net, self.onnx_cache, self.llm, self.folder, probes, self.threads)

    def parse(self, message: str, has_results: bool | str = False) -> TurnParse:
        """``has_results``: whether results are on screen, or the conversation's state in one
        line (``DialogueState.render()``), which an adapter trained on states reads whole."""
        return self.parse_many([message], [has_results])[0]

    def parse_many(self, messages: list[str], has_results: list[bool | str], batch_size: int = 32) -> list[TurnParse]:
        net, tokenizer, meta = self._load()
        reads_state, compact = _reads(meta)
        out: list[TurnParse] = []
        for i in range(0, len(messages), batch_size):
            encoded = [encode_turn(tokenizer, m, _context(r, reads_state), compact) for m, r in
                       zip(messages[i:i + batch_size], has_results[i:i + batch_size])]
            with torch.inference_mode():
                if self.packing and self._packs_ok:
                    runner = self.runner or net
                    scored = [pair for pack in _packs(encoded, PACK_TOKENS) for pair in zip(
                        *runner.forward_packed([e.ids for e in pack]))]
                else:
                    logits = net(**collate([{"ids": e.ids} for e in encoded], tokenizer.pad_token_id))
                    scored = list(zip(logits["intent_logits"], logits["tag_logits"]))
            out += [self._parse(enc, intent, tags, meta["intents"]) for enc, (intent, tags) in zip(encoded, scored)]
        return out

    @staticmethod
    def _parse(enc, intent_logits: torch.Tensor, tag_logits: torch.Tensor, intents: list[str]) -> TurnParse:
        probs = intent_logits.softmax(-1)
        tags = tag_logits[enc.tag_start:enc.tag_start + len(enc.offsets)].argmax(-1).tolist()
        spans = tidy_spans(enc.message, decode_spans(enc, tags))
        ranked = probs.argsort(descending=True).tolist()
        support, talk = _share(probs, intents, SUPPORT_INTENTS), _share(probs, intents, TALK_INTENTS)
        if support > 0.5 and intents[ranked[0]] not in SUPPORT_INTENTS:
            # Support is likelier than shopping, though no one support intent beats the top
            # shopping one ("cancel everything, i've changed my mind"): the domain first, then
            # the intent within it.
            likeliest = next(i for i in ranked if intents[i] in SUPPORT_INTENTS)
            ranked = [likeliest] + [i for i in ranked if i != likeliest]
        best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
        return TurnParse(intent=intents[best], slots=spans_to_slots(spans), confidence=round(float(probs[best]), 4),
                         spans=spans, runner_up=intents[second] if second is not None else None,
                         support_share=round(support, 4), talk_share=round(talk, 4))


def _share(probs: torch.Tensor, intents: list[str], group: tuple[str, ...]) -> float:
    """The probability summed over one group of intents (support, talk)."""
    return float(sum(probs[i] for i, name in enumerate(intents) if name in group))


def _reads(meta: dict) -> tuple[bool, bool]:
    """Whether the adapter reads the state line, and whether in its short form."""
    given = meta.get("input")
    return given in ("state", "state-compact"), given == "state-compact"


def _context(given: bool | str, reads_state: bool) -> bool | str:
    """What the adapter was trained to read: the state line, or the results-on-screen flag."""
    if not reads_state:
        return shows_results(given)
    return given if isinstance(given, str) else render_context(None, bool(given), None, None)


def _packs(encoded: list, limit: int) -> list[list]:
    """Consecutive turns in groups of at most ``limit`` tokens (a longer turn alone): attention
    over a pack costs its length squared, so packs stay short."""
    packs: list[list] = []
    size = 0
    for enc in encoded:
        if packs and size + len(enc.ids) <= limit:
            packs[-1].append(enc)
            size += len(enc.ids)
        else:
            packs.append([enc])
            size = len(enc.ids)
    return packs
