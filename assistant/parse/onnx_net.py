"""The turn-parser network run by ONNX Runtime: the same merged fp32 graph, about twice as
fast on this class of CPU as torch eager for a few packed turns.

The graph takes packed turns (one row, positions restarting per turn) with their
block-diagonal causal mask given explicitly, so it holds no shape-dependent mask logic and
serves any number and length of turns. It is exported once per LLM and adapter into the
cache folder, and checked against the torch network before use.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from assistant.parse.model import TurnParserNet, pack, unpack

_INPUTS = ["input_ids", "position_ids", "mask"]


def cache_file(cache_dir: Path, llm: str, adapter: Path) -> Path:
    """One graph per LLM folder and adapter (and per version of their weights)."""
    files = [p for folder in (Path(llm), Path(adapter)) if folder.is_dir()
             for p in sorted(folder.iterdir()) if p.suffix in (".safetensors", ".bin", ".json")]
    stamp = "|".join(f"{p.resolve()}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return Path(cache_dir) / f"turn-parser-{hashlib.sha1(stamp.encode()).hexdigest()[:16]}.onnx"


def block_mask(lengths: list[int]) -> np.ndarray:
    """(1, 1, T, T) booleans: each turn attends to its own earlier tokens only."""
    total = sum(lengths)
    mask = np.zeros((total, total), dtype=bool)
    start = 0
    for n in lengths:
        mask[start:start + n, start:start + n] = np.tril(np.ones((n, n), dtype=bool))
        start += n
    return mask[None, None]


def packed_inputs(sequences: list[list[int]]) -> dict[str, np.ndarray]:
    ids, positions, lengths = pack(sequences)
    return {"input_ids": np.array([ids], dtype=np.int64), "position_ids": np.array([positions], dtype=np.int64),
            "mask": block_mask(lengths)}


class _Graph(torch.nn.Module):
    def __init__(self, net: TurnParserNet):
        super().__init__()
        self.net = net

    def forward(self, input_ids, position_ids, mask):
        hidden = self.net.backbone(input_ids=input_ids, position_ids=position_ids, attention_mask=mask,
                                   use_cache=False).last_hidden_state[0]
        return self.net.intent_head(hidden), self.net.tag_head(hidden)


def export(net: TurnParserNet, target: Path) -> Path:
    example = {k: torch.from_numpy(v) for k, v in packed_inputs([[1, 2, 3, 4], [5, 6, 7]]).items()}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")  # replicas may export at once
    axes = {"input_ids": {1: "tokens"}, "position_ids": {1: "tokens"}, "mask": {2: "tokens", 3: "tokens"},
            "intent_logits": {0: "tokens"}, "tag_logits": {0: "tokens"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about branches the explicit mask never takes
        torch.onnx.export(_Graph(net.eval()), tuple(example[k] for k in _INPUTS), str(tmp), dynamo=False,
                          opset_version=17, input_names=_INPUTS, output_names=["intent_logits", "tag_logits"],
                          dynamic_axes=axes)
    tmp.replace(target)
    return target


class OnnxParserNet:
    """``forward_packed`` as ``TurnParserNet`` has it, by ONNX Runtime.

    Args:
        onnx_file: the exported graph.
        threads: intra-op threads (None: ONNX Runtime's choice, one per core).
    """

    def __init__(self, onnx_file: Path, threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle pool threads would spin waiting for work, taking the cores that other turns'
        # searches, parses and the web server need; a server runs many sessions at once.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])

    def forward_packed(self, sequences: list[list[int]]) -> tuple[torch.Tensor, list[torch.Tensor]]:
        intent, tags = self.session.run(None, packed_inputs(sequences))
        return unpack(torch.from_numpy(intent), torch.from_numpy(tags), [len(s) for s in sequences])

    def agrees_with(self, net: TurnParserNet, probes: list[list[int]], tolerance: float = 1e-3) -> bool:
        """Same logits as the torch network (within ``tolerance``) on packed probe turns."""
        with torch.inference_mode():
            want_intent, want_tags = net.forward_packed(probes)
        got_intent, got_tags = self.forward_packed(probes)
        return bool((got_intent - want_intent).abs().max() <= tolerance and
                    all((g - w).abs().max() <= tolerance for g, w in zip(got_tags, want_tags)))


def open_onnx_net(net: TurnParserNet, cache_dir: Path, llm: str, adapter: Path, probes: list[list[int]],
                  threads: int | None = None) -> OnnxParserNet | None:
    """The ONNX runner for ``net``, exported on first use; None (the caller keeps torch) when
    export fails or the graph disagrees with the network."""
    import logging

    log = logging.getLogger(__name__)
    target = cache_file(cache_dir, llm, adapter)
    try:
        if not target.is_file():
            export(net, target)
        runner = OnnxParserNet(target, threads)
        if runner.agrees_with(net, probes):
            return runner
        log.warning("the ONNX turn parser disagrees with torch on probe turns; parsing with torch")
    except Exception as exc:  # noqa: BLE001 (any model a user points at may not export)
        log.warning("could not run the turn parser with ONNX Runtime (%s); parsing with torch", exc)
    return None
