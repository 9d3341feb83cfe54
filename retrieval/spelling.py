"""Misspelt query words corrected to words the catalogue itself uses.

People type "umberella", "alram clok" and "braclet". The dense encoder splits an unknown word
into sub-word pieces that mean little, and BM25 finds nothing, so a typo in the one word that
matters loses the whole search. Indexing records the catalogue's words and how often each is
used; a query word that is neither a catalogue word nor a word the embedder's tokenizer knows
whole is replaced by the closest catalogue word (Damerau-Levenshtein: one edit, two for long
words, only a missing letter for four-letter ones, a changed letter only when it is a
neighbouring key or another vowel; the commonest wins a tie). Real words the catalogue lacks ("footie",
"pressie") stay as typed, and so do short words, numbers and codes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from retrieval.product import Product
from retrieval.state_files import write_json

MIN_LENGTH = 4  # "pls", "bf": too short to tell a typo from an abbreviation
SHORT_WORD = 5  # below this length only a missing letter is corrected
LONG_WORD = 8  # from this length on, two edits are still the same word
CACHE_SIZE = 20_000
MIN_USES = 2  # a word one product uses once is as likely a typo in the catalogue itself
_WORD = re.compile(r"[a-z]+")
# Contractions typed without their apostrophe are words, not typos: "shes" is not "shoes".
UNAPOSTROPHISED = {
    "im", "ive", "id", "ill", "youre", "youve", "youd", "youll", "hes", "shes", "its", "were", "theyre", "theyve",
    "theyd", "theyll", "weve", "wed", "well", "thats", "whats", "wheres", "whos", "hows", "theres", "heres",
    "dont", "doesnt", "didnt", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "isnt", "arent", "wasnt",
    "werent", "hasnt", "havent", "hadnt", "aint", "lets", "mums", "dads", "grans", "nans",
}


def catalogue_words(products: Iterable[Product]) -> Counter[str]:
    """How many times each word appears in titles, brands, category levels and attribute values."""
    counts: Counter[str] = Counter()
    for product in products:
        text = " ".join([product.title, product.brand or "", *product.category, *product.attributes.values()])
        counts.update(_WORD.findall(text.lower()))
    return counts


def words_path(state_dir: Path, collection: str) -> Path:
    return state_dir / "collections" / f"{collection}.words.json"


def save_words(state_dir: Path, collection: str, counts: Counter[str]) -> None:
    write_json(words_path(state_dir, collection), dict(counts.most_common()))


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
_VOWELS = set("aeiouy")


def _near_keys(a: str, b: str) -> bool:
    (ra, ca), (rb, cb) = _KEY.get(a, (9, 9)), _KEY.get(b, (-9, -9))
    return abs(ra - rb) <= 1 and abs(ca - cb) <= 1


def _plausible_slip(typed: str, word: str) -> bool:
    """A one-letter substitution is a typo when the letters are neighbouring keys or both
    vowels (a slip of the finger or of the ear); other edits (a letter dropped, doubled or
    swapped) always are."""
    if len(typed) != len(word):
        return True
    diff = [(a, b) for a, b in zip(typed, word) if a != b]
    if len(diff) != 1:
        return True  # two letters swapped
    a, b = diff[0]
    return (a in _VOWELS and b in _VOWELS) or _near_keys(a, b)


class Speller:
    """``correct(text)`` → the text with misspelt words replaced (case of the rest kept).

    Example:
        >>> Speller(Counter({"umbrella": 5, "clock": 9}), known=set()).correct("umberella for my girl")
        'umbrella for my girl'
    """

    def __init__(self, counts: Counter[str], known: set[str]):
        self._counts = counts
        self._choices = [w for w, n in counts.items() if n >= MIN_USES and len(w) >= MIN_LENGTH - 1]
        self._known = known | UNAPOSTROPHISED
        self._cache: dict[str, str] = {}

    @classmethod
    def for_collection(cls, state_dir: Path, collection: str, known: set[str]) -> "Speller | None":
        """None when the collection was indexed before word counts were kept (re-index to add them)."""
        path = words_path(state_dir, collection)
        try:
            return cls(Counter(json.loads(path.read_text())), known)
        except (OSError, ValueError):
            return None

    def correct(self, text: str) -> str:
        return re.sub(r"[A-Za-z]+", lambda m: self._fix(m.group(0)), text)

    def compounds(self, text: str) -> list[str]:
        """Catalogue words that two neighbouring words of ``text`` make when written as one
        ("chalk board" → chalkboard, "key ring" → keyring), which word matching would miss."""
        words = re.findall(r"[a-z]+", text.lower())
        return list(dict.fromkeys(a + b for a, b in zip(words, words[1:])
                                  if self._counts.get(a + b, 0) >= MIN_USES and len(a) > 1 and len(b) > 1))

    def _fix(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < MIN_LENGTH or lower in self._counts or lower in self._known or self._plural(lower):
            return word
        if lower not in self._cache:
            if len(self._cache) >= CACHE_SIZE:  # queries come from browsers: keep memory bounded
                self._cache.clear()
            self._cache[lower] = self._closest(lower) or lower
        fixed = self._cache[lower]
        return word if fixed == lower else fixed

    def _plural(self, word: str) -> bool:
        return word.endswith("s") and (word[:-1] in self._counts or (word.endswith("es") and word[:-2] in self._counts))

    def _closest(self, word: str) -> str | None:
        limit = 2 if len(word) >= LONG_WORD else 1
        found = process.extract(word, self._choices, scorer=DamerauLevenshtein.distance,
                                score_cutoff=limit, limit=10)
        if len(word) < SHORT_WORD:  # "clok", "womn": a dropped letter; "wala", "haal" are words
            found = [hit for hit in found if len(hit[0]) == len(word) + 1]
        elif len(word) < LONG_WORD:  # "jeens" is "jeans", but "skool" is not "stool"
            found = [hit for hit in found if _plausible_slip(word, hit[0])]
        if not found:
            return None
        return min(found, key=lambda hit: (hit[1], -self._counts[hit[0]]))[0]
