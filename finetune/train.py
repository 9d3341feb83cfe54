"""LoRA fine-tuning of the turn parser (peft + accelerate; CPU unless a GPU is present).

``train_parser`` wraps the first ``layers`` blocks of the causal LM in a peft LoRA config,
adds the intent and tag heads, trains both on the examples of ``build-data`` and saves an
adapter folder that ``assistant.parse.parser.TurnParser`` loads. ``lora=False`` trains the heads on
the frozen, untuned LLM: the baseline the adapter is compared with.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from assistant.parse.model import TurnParserNet, collate, encode_turn, span_tags
from assistant.parse.parser import HEADS_FILE, META_FILE, load_backbone
from assistant.parse.schema import INTENTS, TAGS
from finetune.data import Example

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    """Knobs of one training run (all recorded in the adapter's ``parser.json``)."""

    epochs: float = 1.5
    batch_size: int = 32
    lr: float = 5e-4
    head_lr: float = 2e-3
    lora: bool = True
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    layers: int = 16
    warmup_steps: int = 30
    max_minutes: float = 55.0
    seed: int = 13
    threads: int | None = None
    compact_state: bool = False  # read the state line in its short form ("lunch bag|yes|-|search")
    init: str | None = None  # an adapter folder to go on training (its LoRA, heads and labels), not a fresh one


def featurise(tokenizer, examples: list[Example], compact: bool = False,
              intents: tuple[str, ...] = INTENTS) -> list[dict]:
    rows = []
    for ex in examples:
        enc = encode_turn(tokenizer, ex.text, ex.parser_input, compact)
        rows.append({"ids": enc.ids, "tag_start": enc.tag_start, "tags": span_tags(enc, ex.spans),
                     "intent": intents.index(ex.intent)})
    return rows


def build_net(llm: str, config: TrainConfig) -> tuple[TurnParserNet, object]:
    if config.init:
        return _continued_net(llm, Path(config.init), config)
    backbone, tokenizer = load_backbone(llm, config.layers)
    hidden = backbone.config.hidden_size
    if config.lora:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                          target_modules=LORA_TARGETS, bias="none")
        backbone = get_peft_model(backbone, lora)
    else:
        backbone.requires_grad_(False)
    return TurnParserNet(backbone, hidden, len(INTENTS)), tokenizer


def _continued_net(llm: str, folder: Path, config: TrainConfig) -> tuple[TurnParserNet, object]:
    """The adapter under ``folder`` made trainable again: its LoRA weights, its heads and so its
    own intents (an adapter trained before an intent was added keeps to the ones it knows)."""
    from peft import PeftModel
    from safetensors.torch import load_file

    meta = json.loads((folder / META_FILE).read_text())
    reads = "state-compact" if config.compact_state else "state"
    if not meta.get("lora", True):
        raise ValueError(f"{folder} holds heads on the untuned LLM (trained with --no-lora): no LoRA to go on from")
    if meta.get("layers") != config.layers \
            or meta.get("config", {}).get("lora_r") != config.lora_r or meta.get("input", "state") != reads:
        raise ValueError(f"{folder} was trained with other settings (layers {meta.get('layers')}, LoRA r "
                         f"{meta.get('config', {}).get('lora_r')}, input {meta.get('input')}); go on with the same ones")
    backbone, tokenizer = load_backbone(llm, meta["layers"])
    backbone = PeftModel.from_pretrained(backbone, folder, is_trainable=True)
    net = TurnParserNet(backbone, meta["hidden_size"], len(meta["intents"]))
    net.load_state_dict(load_file(folder / HEADS_FILE), strict=False)
    return net, tokenizer


def labels_of(config: TrainConfig) -> tuple[str, ...]:
    """The intents a run learns: all of them, or those of the adapter it goes on training."""
    if not config.init:
        return INTENTS
    return tuple(json.loads((Path(config.init) / META_FILE).read_text())["intents"])


def _optimizer(net: TurnParserNet, config: TrainConfig) -> torch.optim.Optimizer:
    heads = [p for n, p in net.named_parameters() if n.startswith(("intent_head", "tag_head"))]
    body = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith(("intent_head", "tag_head"))]
    groups = [{"params": heads, "lr": config.head_lr}] + ([{"params": body, "lr": config.lr}] if body else [])
    return torch.optim.AdamW(groups, weight_decay=0.01)


def train_parser(llm: str, llm_name: str, train: list[Example], out: Path, config: TrainConfig,
                 progress: bool = True) -> dict:
    """Trains, saves the adapter under ``out`` and returns the training summary."""
    from accelerate import Accelerator
    from transformers import get_linear_schedule_with_warmup

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    net, tokenizer = build_net(llm, config)
    intents = labels_of(config)
    kept = [ex for ex in train if ex.intent in intents]  # an intent the adapter lacks is not taught to it here
    rows = featurise(tokenizer, kept, config.compact_state, intents)
    loader = torch.utils.data.DataLoader(rows, batch_size=config.batch_size, shuffle=True,
                                         collate_fn=lambda b: collate(b, tokenizer.pad_token_id))
    steps = max(1, math.ceil(len(loader) * config.epochs))
    optimizer = _optimizer(net, config)
    schedule = get_linear_schedule_with_warmup(optimizer, min(config.warmup_steps, steps // 10), steps)
    accelerator = Accelerator()
    net, optimizer, loader, schedule = accelerator.prepare(net, optimizer, loader, schedule)
    net.train()
    log, step, started = [], 0, time.monotonic()
    bar = tqdm(total=steps, desc="training parser", disable=not progress, file=sys.stderr)
    stopped_early = False
    while step < steps and not stopped_early:
        for batch in loader:
            loss = net(**batch)["loss"]
            accelerator.backward(loss)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if step % 10 == 0 or step == steps:
                log.append({"step": step, "loss": round(loss.item(), 4),
                            "seconds": round(time.monotonic() - started, 1)})
            if step >= steps:
                break
            if time.monotonic() - started > config.max_minutes * 60:
                stopped_early = True
                break
    bar.close()
    net = accelerator.unwrap_model(net).eval()
    summary = {"steps": step, "planned_steps": steps, "stopped_early": stopped_early,
               "seconds": round(time.monotonic() - started, 1), "examples": len(rows),
               "left_out": len(train) - len(kept), "final_loss": log[-1]["loss"] if log else None}
    save_adapter(net, tokenizer, out, llm_name, config, summary, log, intents)
    return summary


def save_adapter(net: TurnParserNet, tokenizer, out: Path, llm_name: str, config: TrainConfig,
                 summary: dict, log: list[dict], intents: tuple[str, ...] = INTENTS) -> None:
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    if config.lora:
        net.backbone.save_pretrained(out)
    save_file({k: v.detach().cpu().contiguous() for k, v in net.heads_state().items()}, out / HEADS_FILE)
    meta = {"intents": list(intents), "tags": list(TAGS), "layers": config.layers, "lora": config.lora,
            "base_model": llm_name, "hidden_size": net.intent_head.in_features,
            "config": asdict(config), "training": summary, "command": " ".join(sys.argv[1:]) or None,
            # reads the conversation's state line (``assistant.state.render_context``), maybe short
            "input": "state-compact" if config.compact_state else "state"}
    (out / META_FILE).write_text(json.dumps(meta, indent=2))
    (out / "train_log.json").write_text(json.dumps(log))
    (out / "README.md").write_text(  # replaces peft's generic model card
        f"# Turn-parser adapter\n\nBase model: `{llm_name}` (first {config.layers or 'all'} blocks), "
        f"{'LoRA r=' + str(config.lora_r) if config.lora else 'frozen (heads only)'}.\n"
        f"Trained on {summary['examples']} examples for {summary['steps']} steps in {summary['seconds']:.0f} s.\n\n"
        f"Command: `shopassist {meta['command'] or 'finetune train'}`\n\nScores are in `parser.json`.\n")
