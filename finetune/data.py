"""Training data for the turn parser: generated shopper turns + the Bitext support set.

Shopper turns fill the phrasings of ``templates`` with real catalogue values (categories,
brands, colours, materials, prices of Online Retail and Flipkart products), in many price
styles, casings, politeness forms and with typos. Products are split 80/10/10 by id hash and
the test split uses only the ``test`` template bank, so test phrasings *and* products are
unseen in training. Bitext utterances keep their annotated slots and are split by intent
(stratified, fixed seed).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.parse.schema import INTENTS, Span
from assistant.state import render_context
from finetune.templates import (BANKS, CHANGES, ORDINAL_WORDS, POLITE, PRICE_CUES, QUANTITIES, QUERIES, RANGE_CUES,
                                REFERENCES)
from retrieval.kind_index import KindIndex
from retrieval.product import Product
from shopassist.errors import ShopAssistError

SPLITS = ("train", "validation", "test")
SHOPPER_COUNTS = {"search": 2000, "refine": 1000, "compare": 400, "product_question": 450,
                  "add_to_cart": 450, "recommend_for_me": 250, "greeting": 150, "thanks": 150,
                  "out_of_scope": 300}
SPLIT_SHARE = {"train": 1.0, "validation": 0.1, "test": 0.15}
NEEDS_RESULTS = {"refine", "compare", "product_question", "add_to_cart"}
COLOURS = {"red", "blue", "green", "pink", "white", "black", "yellow", "purple", "orange", "grey", "gray",
           "brown", "gold", "silver", "beige", "cream", "ivory", "navy", "maroon", "multicolor", "turquoise"}
MATERIALS = {"wooden", "wood", "glass", "ceramic", "metal", "enamel", "zinc", "felt", "cotton", "paper",
             "tin", "porcelain", "silk", "leather", "wool", "plastic", "denim", "polyester", "linen",
             "gold", "silver", "steel", "rubber", "canvas", "velvet", "bamboo"}
GENDERS = {"women": ["women", "ladies", "women's", "her"], "men": ["men", "men's", "guys", "him"],
           "girls": ["girls", "a girl"], "boys": ["boys", "a boy"], "kids": ["kids", "children"],
           "baby": ["babies", "a baby", "baby girl", "baby boy"]}


@dataclass
class Example:
    """One parser training example: the message, the context flag and the gold parse."""

    text: str
    has_results: bool
    intent: str
    spans: list[Span] = field(default_factory=list)
    source: str = "shopper"
    template: str = ""
    product: str = ""
    context: str = ""  # the conversation's state line the parser reads first (``render_context``)

    @property
    def parser_input(self) -> bool | str:
        return self.context or self.has_results

    def to_json(self) -> dict:
        data = asdict(self)
        data["spans"] = [s.model_dump() for s in self.spans]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Example":
        return cls(**{**data, "spans": [Span(**s) for s in data["spans"]]})


def product_split(product_id: str) -> str:
    bucket = int(hashlib.sha1(product_id.encode()).hexdigest()[:8], 16) % 10
    return "test" if bucket == 0 else "validation" if bucket == 1 else "train"


@dataclass
class Facts:
    """The values a shopper could name for one product."""

    cats: list[str]
    brand: str | None
    colour: str | None
    material: str | None
    gender: str | None
    price: float | None
    currency: str
    product_id: str = ""

    @classmethod
    def of(cls, product: Product, vocab: CategoryVocab) -> "Facts":
        words = re.findall(r"[a-z][a-z\-']*", product.title.lower())
        attrs = {k: v.lower() for k, v in product.attributes.items()}
        colour = attrs.get("color", "").split(",")[0].strip() or next((w for w in words if w in COLOURS), None)
        material = next((attrs[k] for k in ("material", "fabric", "outer_material", "base_material")
                         if k in attrs and len(attrs[k].split()) <= 2), None) or \
            next((w for w in words if w in MATERIALS), None)
        gender = _gender(attrs.get("ideal_for", ""))
        return cls(vocab.for_product(product), product.brand, colour if colour in COLOURS else None,
                   material, gender, product.price, product.currency or "GBP", product.id)


def _gender(ideal_for: str) -> str | None:
    text = ideal_for.lower()
    for key in ("baby", "girls", "boys", "kids", "women", "men"):
        if key.rstrip("s") in text:
            return key
    return None


_STOP = {"of", "for", "with", "and", "in", "the", "a", "an", "on", "to", "x", "s", "set", "pack", "design"}


class CategoryVocab:
    """Product-type phrases that recur across the catalogue: category levels shared by
    several products (Flipkart) and title endings shared by several titles (Online Retail,
    whose titles end in the product noun: "... T-LIGHT HOLDER"). Labels drawn from recurring
    phrases are consistent, so the tagger can learn where a product type starts and ends."""

    def __init__(self, products: list[Product], min_count: int = 4):
        brands = {p.brand for p in products if p.brand}
        levels: Counter[str] = Counter()
        endings: Counter[str] = Counter()
        for product in products:
            if product.category:
                levels.update({c for c in product.category if len(c.split()) <= 3})
            else:
                nouns = _nouns(product.title)
                endings.update({" ".join(nouns[-n:]) for n in (1, 2) if len(nouns) >= n})
        self.phrases = {c for c, n in levels.items() if n >= min_count and not any(b in c for b in brands)}
        self.phrases |= {e for e, n in endings.items() if n >= min_count + 1 and len(e) > 2}

    def for_product(self, product: Product) -> list[str]:
        if product.category:
            found = [c for c in product.category if c in self.phrases]
            return found[-2:]  # the most specific ones
        nouns = _nouns(product.title)
        return [e for e in (" ".join(nouns[-2:]), nouns[-1] if nouns else "") if e in self.phrases]


def _nouns(title: str) -> list[str]:
    words = re.findall(r"[a-z][a-z\-']*", title.lower())
    return [w for w in words if w not in COLOURS and w not in MATERIALS and w not in _STOP]


# --------------------------------------------------------------------------- rendering
def render_price(amount: float, currency: str, rng: random.Random) -> str:
    value = _nice(amount, currency)
    text = f"{value:g}" if value != int(value) else f"{int(value)}"
    if currency == "INR":
        if value >= 1000 and value % 500 == 0 and rng.random() < 0.3:
            text = f"{value / 1000:g}k"
        style = rng.choice(["₹{}", "rs {}", "Rs. {}", "{} rupees", "{}", "{} inr", "INR {}"])
    else:
        style = rng.choice(["£{}", "{} pounds", "{} quid", "{}", "£{}.00", "{} gbp"] if value == int(value)
                           else ["£{}", "{} pounds", "{}", "£{}"])
    return style.format(text)


def _nice(amount: float, currency: str) -> float:
    if currency == "INR":
        step = 500 if amount > 5000 else 100 if amount > 500 else 50
    else:
        step = 5 if amount > 20 else 1 if amount > 3 else 0.5
    return max(step, round(amount / step) * step)


def render_reference(facts: Facts, rng: random.Random) -> str:
    kind = rng.choices(list(REFERENCES), weights=[6, 2, 1.5, 1, 1])[0]
    if kind == "name" and not (facts.brand or facts.cats):
        kind = "position"
    pattern = rng.choice(REFERENCES[kind])
    if kind == "name":
        pattern = "the {cat}" if "{brand}" in pattern and not facts.brand or not facts.cats else pattern
        return pattern.format(brand=facts.brand or "", cat=(facts.cats or ["item"])[0])
    n = rng.choice(ORDINAL_WORDS)
    return pattern.format(n=n, k=rng.randint(1, 5))


def typo(word: str, rng: random.Random) -> str:
    """One slip inside ``word`` (three letters or more): two letters swapped, one dropped or doubled."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["swap", "drop", "double"])
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


class Filler:
    """Fills one template with one product's facts, tracking spans as it goes."""

    PLACEHOLDER = re.compile(r"\{(\w+)\}")
    SPAN_OF = {"cat": "category", "brand": "brand", "colour": "colour", "material": "material",
               "gender": "gender", "max": "max_price", "min": "min_price", "price": "price", "qty": "quantity",
               "ref": "reference", "ref2": "reference", "query": "query", "change": "price_change"}

    def __init__(self, bank: str, rng: random.Random):
        self.bank = bank
        self.rng = rng

    def can_fill(self, template: str, facts: Facts) -> bool:
        need = set(self.PLACEHOLDER.findall(template))
        need |= {"max"} if need & {"maxp", "minp", "pricep", "rangep"} else set()
        return all([
            "cat" not in need or bool(facts.cats), "brand" not in need or bool(facts.brand),
            "colour" not in need or bool(facts.colour), "material" not in need or bool(facts.material),
            "gender" not in need or bool(facts.gender),
            not need & {"max", "min", "price"} or facts.price is not None])

    def value(self, name: str, facts: Facts) -> str:
        rng = self.rng
        if name == "cat":
            return rng.choice(facts.cats)
        if name in ("brand", "colour", "material"):
            return getattr(facts, name)
        if name == "gender":
            return rng.choice(GENDERS[facts.gender])
        if name in ("max", "min", "price"):
            factor = {"max": rng.uniform(1.0, 1.8), "min": rng.uniform(0.3, 0.95), "price": rng.uniform(0.8, 1.2)}
            return render_price(facts.price * factor[name], facts.currency, rng)
        if name == "qty":
            return rng.choice(QUANTITIES)
        if name in ("ref", "ref2"):
            return render_reference(facts, rng)
        if name == "query":
            return rng.choice(QUERIES[self.bank])
        if name == "change":
            return rng.choice(CHANGES["lower"] * 3 + CHANGES["higher"])
        raise KeyError(name)

    def segments(self, name: str, facts: Facts) -> list[tuple[str, str | None]]:
        """``(text, span type or None)`` pieces of one placeholder: a price phrase is a cue
        ("no more than") plus the tagged amount; anything else is one tagged piece."""
        if name in PRICE_CUES:
            kind = {"maxp": "max", "minp": "min", "pricep": "price"}[name]
            cue = self.rng.choice(PRICE_CUES[name])
            before, _, after = cue.partition("{}")
            return [(before, None), (self.value(kind, facts), self.SPAN_OF[kind]), (after, None)]
        if name == "rangep":
            cue = self.rng.choice(RANGE_CUES)
            a, b, c = cue.split("{}")
            return [(a, None), (self.value("min", facts), "min_price"), (b, None),
                    (self.value("max", facts), "max_price"), (c, None)]
        return [(self.value(name, facts), self.SPAN_OF[name])]

    def fill(self, template: str, facts: Facts, intent: str) -> Example:
        text, spans, pos = "", [], 0
        for match in self.PLACEHOLDER.finditer(template):
            text += template[pos:match.start()]
            for piece, kind in self.segments(match.group(1), facts):
                if kind:
                    spans.append(Span(start=len(text), end=len(text) + len(piece), type=kind, text=piece))
                text += piece
            pos = match.end()
        text += template[pos:]
        example = self._vary(text, spans, intent, template)
        example.product = facts.product_id if set(self.PLACEHOLDER.findall(template)) else ""
        return example

    def _vary(self, text: str, spans: list[Span], intent: str, template: str) -> Example:
        rng = self.rng
        if intent not in ("greeting", "thanks", "out_of_scope"):
            polite = POLITE[self.bank]
            prefix, suffix = rng.choice(polite["prefix"]), rng.choice(polite["suffix"])
            if re.match(_QUESTION_START, text, re.I):
                prefix = prefix if prefix.strip(", ") in ("hi", "hey", "hello") else ""
            if not text.endswith("?") or suffix != "?":
                text = prefix + text + suffix
                spans = [s.model_copy(update={"start": s.start + len(prefix), "end": s.end + len(prefix)})
                         for s in spans]
        if rng.random() < 0.2:
            text, spans = _add_typo(text, spans, rng)
        roll = rng.random()
        text = text.lower() if roll < 0.35 else text.upper() if roll < 0.4 else text[:1].upper() + text[1:]
        spans = [s.model_copy(update={"text": text[s.start:s.end]}) for s in spans]
        has_results = rng.random() < (0.95 if intent in NEEDS_RESULTS else 0.5)
        return Example(text, has_results, intent, spans, "shopper", f"{self.bank}:{template}")


_QUESTION_START = r"(do|can|could|would|what|how|which|is|does|got|have|where|please|hi|who|any)\b"


def _add_typo(text: str, spans: list[Span], rng: random.Random) -> tuple[str, list[Span]]:
    """One typo in a word outside the spans (so span offsets stay valid)."""
    words = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]{4,}", text)
             if not any(m.start() < s.end and m.end() > s.start for s in spans)]
    if not words:
        return text, spans
    start, end = rng.choice(words)
    new = typo(text[start:end], rng)
    shift = len(new) - (end - start)
    text = text[:start] + new + text[end:]
    return text, [s.model_copy(update={"start": s.start + shift, "end": s.end + shift}) if s.start >= end else s
                  for s in spans]


def shopper_examples(products: list[Product], split: str, seed: int, scale: float = 1.0,
                     vocab: CategoryVocab | None = None) -> list[Example]:
    rng = random.Random(f"{seed}-{split}")
    bank = "test" if split == "test" else "train"
    filler = Filler(bank, rng)
    vocab = vocab or CategoryVocab(products)
    pool = [Facts.of(p, vocab) for p in products if product_split(p.id) == split]
    out: list[Example] = []
    for intent, count in SHOPPER_COUNTS.items():
        templates = BANKS[bank][intent]
        for _ in range(max(1, int(count * SPLIT_SHARE[split] * scale))):
            template = rng.choice(templates)
            for _attempt in range(50):
                facts = rng.choice(pool)
                if filler.can_fill(template, facts):
                    out.append(filler.fill(template, facts, intent))
                    break
    return out


# --------------------------------------------------------------------------- Bitext
BITEXT_SPANS = {"order_id", "invoice_id", "account_type", "person_name", "delivery_city",
                "delivery_country", "refund_amount"}


def bitext_examples(path: Path, seed: int) -> dict[str, list[Example]]:
    import pandas as pd

    frame = pd.read_csv(path)
    rng = random.Random(seed)
    by_intent: dict[str, list[Example]] = {}
    for row in frame.itertuples():
        text, spans = str(row.instruction), []
        if isinstance(row.entity_type, str) and row.entity_type in BITEXT_SPANS:
            start, end = int(row.start_offset), int(row.end_offset)
            if text[start:end] == row.entity_value:
                spans = [Span(start=start, end=end, type=row.entity_type, text=row.entity_value)]
        example = Example(text, rng.random() < 0.3, row.intent, spans, "bitext", row.intent)
        by_intent.setdefault(row.intent, []).append(example)
    splits: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for intent in sorted(by_intent):
        items = by_intent[intent]
        rng.shuffle(items)
        n_test, n_val = round(len(items) * 0.2), round(len(items) * 0.05)
        splits["test"] += items[:n_test]
        splits["validation"] += items[n_test:n_test + n_val]
        splits["train"] += items[n_test + n_val:]
    return splits


# --------------------------------------------------------------------------- hand-written
WRITTEN_DIR = Path(__file__).resolve().parent / "written"
_MARKUP = re.compile(r"\[([^\[\]]+)\]\(([a-z_]+)\)")


def unmark(marked: str) -> tuple[str, list[Span]]:
    """``"under [£20](max_price)"`` → ``("under £20", [Span(6, 9, "max_price", "£20")])``."""
    text, spans, last = "", [], 0
    for match in _MARKUP.finditer(marked):
        text += marked[last:match.start()]
        start = len(text)
        text += match.group(1)
        spans.append(Span(start=start, end=len(text), type=match.group(2), text=match.group(1)))
        last = match.end()
    return text + marked[last:], spans


def written_examples(folder: Path = WRITTEN_DIR, repeat: Mapping[str, int] | None = None) -> dict[str, list[Example]]:
    """The hand-written messages (``*.jsonl`` lines ``{"text", "intent", "has_results"}`` with
    ``[span](type)`` markup), split 80/10/10 into train/validation/test by a hash of the text.
    The development set under ``eval/devset``, written apart from them, is the harder test.
    ``repeat`` names files (by stem) whose training lines count that many times: new lines taught
    to an adapter that goes on training would otherwise be a drop in the rest."""
    splits: dict[str, list[Example]] = {s: [] for s in SPLITS}
    unknown = set(repeat or {}) - {p.stem for p in folder.glob("*.jsonl")}
    if unknown:
        raise ValueError(f"no written file named {sorted(unknown)} in {folder}")
    for path in sorted(folder.glob("*.jsonl")):
        times = (repeat or {}).get(path.stem, 1)
        for line in path.open(encoding="utf-8"):
            if not line.strip():
                continue
            row = json.loads(line)
            text, spans = unmark(row["text"])
            bucket = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % 10
            split = {0: "validation", 1: "test"}.get(bucket, "train")
            given = row.get("context")
            context = render_context(given.get("kind"), bool(given.get("shown")), given.get("pending"),
                                     given.get("last")) if isinstance(given, dict) else ""
            example = Example(text, bool(row.get("has_results")), row["intent"], spans, "written",
                              f"written:{row['intent']}", context=context)
            splits[split] += [example] * (times if split == "train" else 1)
    return splits


# --------------------------------------------------------------------------- build
# Shares of each source in the mix: the written messages in full, the regular template and
# Bitext phrasings thinned so they do not drown the way real people write.
TEMPLATE_SHARE = 0.5
BITEXT_SHARE = 0.8
def build_dataset(products: list[Product], bitext_path: Path, out: Path, seed: int = 13,
                  scale: float = 1.0, repeat: Mapping[str, int] | None = None) -> dict:
    """Writes ``train/validation/test.jsonl`` and ``stats.json`` under ``out``; returns the stats."""
    out.mkdir(parents=True, exist_ok=True)
    bitext = bitext_examples(bitext_path, seed)
    written = written_examples(repeat=repeat)
    stats: dict = {"seed": seed, "scale": scale, "repeat": dict(repeat or {}), "splits": {}}
    vocab = CategoryVocab(products)
    kinds = sorted(KindIndex.from_products(products).vocabulary)
    for split in SPLITS:
        thin = 1.0 if split == "test" else None  # the test split keeps its full size, to compare with earlier runs
        rows = (shopper_examples(products, split, seed, scale * (thin or TEMPLATE_SHARE), vocab)
                + _scaled(bitext[split], scale * (thin or BITEXT_SHARE), seed) + _scaled(written[split], scale, seed))
        rows = with_contexts(rows, kinds, random.Random(f"{seed}:{split}"))
        random.Random(seed).shuffle(rows)
        with (out / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
        stats["splits"][split] = {"examples": len(rows), "by_source": dict(Counter(r.source for r in rows)),
                                  "by_intent": dict(sorted(Counter(r.intent for r in rows).items()))}
    (out / "stats.json").write_text(json.dumps(stats, indent=2))
    return stats


# A share of new requests is given a state line with another kind on screen: real customers ask
# for a second thing mid-conversation, and a parser that only ever saw searches on an empty
# screen reads every product named later as a refinement of the first.
NEW_NEED_INTENTS = ("search", "gift_help")
NEW_NEED_WHILE_SHOWN = 0.35
# The assistant's last action, as a state line says it, for turns made up without a conversation.
_LAST_SHOWN = ("search", "refine", "more", "answer", "chat", "compare")
_LAST_NONE = (None, None, "chat", "support", "deals")


def with_contexts(rows: list[Example], kinds: list[str], rng: random.Random) -> list[Example]:
    """Gives each example without a conversation (templates, Bitext, older written lines) a
    plausible state line: with results on screen, something being shopped for and the last
    action that showed it; without, mostly nothing yet. Examples written in a conversation
    keep theirs: they are where the state decides the reading ("yes please" after an offer)."""
    for row in rows:
        if row.context:
            continue
        if row.has_results:
            kind = _span_kind(row) or (rng.choice(kinds) if kinds else None)
            row.context = render_context(kind, True, None, rng.choice(_LAST_SHOWN))
        elif row.intent in NEW_NEED_INTENTS and kinds and rng.random() < NEW_NEED_WHILE_SHOWN:
            # a new need asked while another is on screen ("crackers while i think about it")
            row.context = render_context(rng.choice(kinds), True, None, rng.choice(_LAST_SHOWN))
        else:
            kind = rng.choice(kinds) if kinds and rng.random() < 0.2 else None
            row.context = render_context(kind, False, None, rng.choice(_LAST_NONE))
    return rows


def _span_kind(row: Example) -> str | None:
    found = next((s.text for s in row.spans if s.type in ("category", "query")), None)
    return found.lower() if found and row.intent != "search" else None


def phrasing_banks(bitext_path: Path) -> set[str]:
    """The phrasing banks ``build_dataset`` draws its examples from, named as the intent registry
    (``assistant.intents``) names them: ``templates:<intent>`` for each generated shopper intent
    with templates in both banks (train and test), ``bitext:<intent>`` for each intent labelled in
    the Bitext file. Reads only the Bitext intent column; builds nothing."""
    import pandas as pd

    names = {f"templates:{intent}" for intent in SHOPPER_COUNTS
             if all(BANKS[bank].get(intent) for bank in ("train", "test"))}
    intents = pd.read_csv(bitext_path, usecols=["intent"])["intent"].dropna().unique()
    written = {ex.intent for rows in written_examples().values() for ex in rows}
    return names | {f"bitext:{intent}" for intent in intents} | {f"written:{intent}" for intent in written}


def _scaled(rows: list[Example], scale: float, seed: int) -> list[Example]:
    """A ``scale`` share of the rows, drawn per intent so that no intent drops out."""
    if scale >= 1 or not rows:
        return rows
    rng, out = random.Random(seed), []
    by_intent: dict[str, list[Example]] = {}
    for row in rows:
        by_intent.setdefault(row.intent, []).append(row)
    for intent in sorted(by_intent):
        group = by_intent[intent]
        out += rng.sample(group, max(1, round(len(group) * scale)))
    return out


def read_examples(path: Path) -> list[Example]:
    rows = [Example.from_json(json.loads(line)) for line in path.open(encoding="utf-8") if line.strip()]
    unknown = {r.intent for r in rows} - set(INTENTS)
    if unknown:
        raise ValueError(f"{path}: unknown intents {sorted(unknown)}")
    return rows


def build_bundled_dataset(data_dir: Path, out: Path, seed: int = 13, scale: float = 1.0,
                          repeat: Mapping[str, int] | None = None) -> dict:
    """``build_dataset`` from the bundled Online Retail, Flipkart and Bitext files."""
    from retrieval.adapters import load_flipkart, load_online_retail

    paths = {"online retail": data_dir / "online_retail" / "online_retail.csv.gz",
             "flipkart": data_dir / "flipkart" / "products.csv",
             "bitext": data_dir / "bitext_support" / "bitext_customer_support_sample.csv"}
    missing = [f"{k} ({p})" for k, p in paths.items() if not p.is_file()]
    if missing:
        raise ShopAssistError(f"bundled data not found: {', '.join(missing)}; set `data_dir`")
    products = load_online_retail(paths["online retail"])[0] + load_flipkart(paths["flipkart"])[0]
    return build_dataset(products, paths["bitext"], out, seed, scale, repeat)
