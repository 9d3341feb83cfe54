"""The turn-parser network: a LoRA-adapted causal LM with an intent head and a span tagger.

One forward pass parses a turn, so latency is one prefill of a few dozen tokens instead of
decoding a JSON string token by token. The input is

    context + "\\n" + message + "\\n" + message

where the context is the conversation's state in one line ("for: lunch bag; results on screen:
yes; asked: offer_add; last: offer_add"), or, for adapters trained before
it, "Results on screen: yes|no". Tags are read from the second copy of the message: in a causal model a token only sees
what came before it, so the echo lets every tag see the whole message ("20 or less" tags
"20" as a maximum only once "or less" has been read). The intent comes from the last token.

Only the first ``layers`` transformer blocks are used: middle layers carry most of what a
classifier needs, and dropping the rest halves both training and parsing time.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from assistant.parse.schema import TAGS, Span
from assistant.state import compact_context

PREFIX = {True: "Results on screen: yes\n", False: "Results on screen: no\n"}
MAX_MESSAGE_CHARS = 600
MAX_MESSAGE_TOKENS = 96
MAX_CONTEXT_CHARS = 200


@dataclass
class Encoded:
    """Token ids of one turn and where the tagged copy of the message sits."""

    ids: list[int]
    tag_start: int
    offsets: list[tuple[int, int]]  # character span in the message of each tagged token
    message: str


def encode_turn(tokenizer, message: str, context: bool | str, compact: bool = False) -> Encoded:
    """``context``: whether results are on screen (adapters trained on that flag alone), or the
    conversation's state in one line (``assistant.state.render_context``), read in its short form
    with ``compact`` (``assistant.state.compact_context``)."""
    message = message[:MAX_MESSAGE_CHARS]
    if compact and isinstance(context, str):
        context = compact_context(context)
    enc = tokenizer(message, add_special_tokens=False, return_offsets_mapping=True,
                    truncation=True, max_length=MAX_MESSAGE_TOKENS)
    line = f"{context[:MAX_CONTEXT_CHARS]}\n" if isinstance(context, str) else PREFIX[bool(context)]
    prefix = tokenizer(line, add_special_tokens=False)["input_ids"]
    sep = tokenizer("\n", add_special_tokens=False)["input_ids"]
    ids = prefix + enc["input_ids"] + sep + enc["input_ids"]
    offsets = [_strip_offset(message, s, e) for s, e in enc["offset_mapping"]]
    return Encoded(ids, len(prefix) + len(enc["input_ids"]) + len(sep), offsets, message)


def _strip_offset(message: str, start: int, end: int) -> tuple[int, int]:
    # Byte-level BPE tokens carry their leading space; a span starts at the word.
    while start < end and message[start].isspace():
        start += 1
    return start, end


def span_tags(encoded: Encoded, spans: list[Span]) -> list[int]:
    """BIO tag ids for the tagged tokens, from character spans (training labels).
    Tokens with no characters of their own (a bare space before a digit) are ignored."""
    tags: list[int] = []
    previous: Span | None = None
    for start, end in encoded.offsets:
        if start >= end:
            tags.append(-100)
            continue
        hit = next((s for s in spans if start < s.end and end > s.start), None)
        if hit is None:
            tags.append(0)
        else:
            prefix = "I" if hit is previous else "B"
            tags.append(TAGS.index(f"{prefix}-{hit.type}"))
        previous = hit
    return tags


def decode_spans(encoded: Encoded, tag_ids: list[int]) -> list[Span]:
    """Tag ids back to character spans, a word at a time: a word takes the tag of its first
    sub-word token, so a span never starts or ends inside a word ("mangalsutra" is one
    word even when the tokenizer splits it in three)."""
    spans: list[Span] = []
    current: tuple[str, int, int] | None = None
    for start, end, tag in _words(encoded.offsets, tag_ids, encoded.message):
        if tag == "O":
            if current:
                spans.append(_span(encoded.message, current))
                current = None
            continue
        prefix, kind = tag.split("-", 1)
        if current and prefix == "I" and current[0] == kind:
            current = (kind, current[1], end)
        else:
            if current:
                spans.append(_span(encoded.message, current))
            current = (kind, start, end)
    if current:
        spans.append(_span(encoded.message, current))
    return spans


def _words(offsets: list[tuple[int, int]], tag_ids: list[int], message: str) -> list[tuple[int, int, str]]:
    """``(start, end, tag)`` per word: tokens that touch (no space between) form one word,
    except that punctuation stands alone ("£2-£3" is three words, "this?" two)."""
    words: list[list] = []
    previous_punct, previous_number = True, False
    for (start, end), tag_id in zip(offsets, tag_ids):
        if start >= end:
            continue
        piece = message[start:end].strip()
        inside_number = piece in (".", ",") and message[start - 1:start].isdigit() and message[end:end + 1].isdigit()
        punct = all(ch in _PUNCT for ch in piece) and not inside_number
        joins = not punct and (not previous_punct or previous_number)
        if words and start == words[-1][1] and (joins or inside_number):
            words[-1][1] = end
            if words[-1][2] == "O" and tag_id:  # "$12" with only "12" tagged
                words[-1][2] = "B-" + TAGS[tag_id].split("-", 1)[1]
        else:
            words.append([start, end, TAGS[tag_id]])
        previous_punct, previous_number = punct, inside_number
    return [(s, e, t) for s, e, t in words]


_PUNCT = set(",.?!;:-/()[]{}\"'&+*=<>|~")


def _span(message: str, part: tuple[str, int, int]) -> Span:
    kind, start, end = part
    return Span(start=start, end=end, type=kind, text=message[start:end])


class TurnParserNet(nn.Module):
    """Backbone (optionally LoRA-wrapped) + two linear heads.

    ``forward`` takes right-padded ids; ``last`` is each row's last real position and
    ``tag_labels`` holds -100 wherever no tag is predicted.
    """

    def __init__(self, backbone: nn.Module, hidden_size: int, n_intents: int, n_tags: int = len(TAGS)):
        super().__init__()
        self.backbone = backbone
        self.dropout = nn.Dropout(0.1)
        self.intent_head = nn.Linear(hidden_size, n_intents)
        self.tag_head = nn.Linear(hidden_size, n_tags)

    def forward(self, input_ids, attention_mask, last, intent_labels=None, tag_labels=None) -> dict:
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
        out = {"intent_logits": self.intent_head(self.dropout(pooled)),
               "tag_logits": self.tag_head(self.dropout(hidden))}
        if intent_labels is not None and tag_labels is not None:
            intent_loss = nn.functional.cross_entropy(out["intent_logits"], intent_labels)
            tag_loss = nn.functional.cross_entropy(out["tag_logits"].flatten(0, 1), tag_labels.flatten(),
                                                   ignore_index=-100)
            out["loss"] = intent_loss + tag_loss
        return out

    def forward_packed(self, sequences: list[list[int]]) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Several turns in one row with no padding: ``(intent logits per turn, tag logits per
        turn)``. Positions restart at each turn and, given no attention mask, the model's mask
        builder makes attention block-diagonal (each turn sees only itself), so every turn gets
        what it gets alone while no compute goes to pad tokens (half of a padded batch's tokens
        on real messages). ``packing_works`` checks that a backbone honours this."""
        ids, positions, lengths = pack(sequences)
        hidden = self.backbone(input_ids=torch.tensor([ids]), position_ids=torch.tensor([positions]),
                               use_cache=False).last_hidden_state[0]
        return unpack(self.intent_head(hidden), self.tag_head(hidden), lengths)

    def packing_works(self, tolerance: float = 1e-3) -> bool:
        """Whether packed turns get the same outputs as alone on this backbone (a model whose
        mask builder ignores restarting positions would let turns see each other)."""
        probes = [[1, 2, 3, 4, 5], [6, 7, 8]]
        with torch.inference_mode():
            intents, tags = self.forward_packed(probes)
            for row, ids in enumerate(probes):
                alone = self.backbone(input_ids=torch.tensor([ids])).last_hidden_state[0]
                if (self.tag_head(alone) - tags[row]).abs().max() > tolerance or \
                        (self.intent_head(alone[-1]) - intents[row]).abs().max() > tolerance:
                    return False
        return True

    def heads_state(self) -> dict[str, torch.Tensor]:
        return {f"intent_head.{k}": v for k, v in self.intent_head.state_dict().items()} | \
               {f"tag_head.{k}": v for k, v in self.tag_head.state_dict().items()}


def pack(sequences: list[list[int]]) -> tuple[list[int], list[int], list[int]]:
    """Turns' token ids as one row: ``(ids, positions restarting at each turn, lengths)``."""
    lengths = [len(s) for s in sequences]
    return [t for s in sequences for t in s], [i for n in lengths for i in range(n)], lengths


def unpack(intent_logits: torch.Tensor, tag_logits: torch.Tensor,
           lengths: list[int]) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """A packed row's per-token outputs back per turn: the intent at each turn's last token,
    the tags of each turn's tokens."""
    ends = torch.tensor(lengths).cumsum(0) - 1
    return intent_logits[ends], list(tag_logits.split(lengths))


def truncate_layers(backbone: nn.Module, layers: int) -> nn.Module:
    """Keeps the first ``layers`` blocks (0 or more than exist keeps all)."""
    total = len(backbone.layers)
    if 0 < layers < total:
        backbone.layers = backbone.layers[:layers]
        backbone.config.num_hidden_layers = layers
        if getattr(backbone.config, "layer_types", None):
            backbone.config.layer_types = backbone.config.layer_types[:layers]
    return backbone


def collate(batch: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pads ids; tag labels sit at their positions, -100 elsewhere."""
    width = max(len(b["ids"]) for b in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    tags = torch.full((len(batch), width), -100, dtype=torch.long)
    for row, b in enumerate(batch):
        n = len(b["ids"])
        ids[row, :n] = torch.tensor(b["ids"])
        mask[row, :n] = 1
        if "tags" in b:
            tags[row, b["tag_start"]:b["tag_start"] + len(b["tags"])] = torch.tensor(b["tags"], dtype=torch.long)
    out = {"input_ids": ids, "attention_mask": mask,
           "last": torch.tensor([len(b["ids"]) - 1 for b in batch])}
    if "intent" in batch[0]:
        out["intent_labels"] = torch.tensor([b["intent"] for b in batch])
        out["tag_labels"] = tags
    return out
