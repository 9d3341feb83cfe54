"""Derived kinds for catalogues without categories: the title word that names the thing."""

import numpy as np

from retrieval.kinds import KIND, derive_kinds, needs_kinds, with_kinds
from retrieval.product import Product

AXES = ["mug", "candle", "bag"]


class AxisEncoder:
    """A title points mostly at the kind it names; a print or colour word points nowhere useful."""

    name = "axes"

    def encode(self, texts, batch_size=64, show_progress=False):
        out = np.full((len(texts), len(AXES) + 1), 0.05, dtype=np.float32)
        for i, text in enumerate(texts):
            for j, axis in enumerate(AXES):
                if axis in text.lower():
                    out[i, j] += 1.0
            out[i, -1] += 0.3 * ("retrospot" in text.lower() or "heart" in text.lower())
        return out / np.linalg.norm(out, axis=1, keepdims=True)


TITLES = ["RED RETROSPOT MUG", "HEART MUG", "POLKADOT MUG", "RETROSPOT CANDLE", "HEART CANDLE LARGE",
          "PILLAR CANDLE", "JUMBO BAG RETROSPOT", "HEART BAG", "LUNCH BAG RETROSPOT", "RETROSPOT HEART"]


def products(with_category=False):
    return [Product(id=str(i), title=t, price=1.0, category=("Home",) if with_category else ())
            for i, t in enumerate(TITLES)]


def test_each_title_gets_the_word_naming_what_it_is():
    kinds = derive_kinds(products(), AxisEncoder())
    assert [kinds[str(i)] for i in range(9)] == ["mug"] * 3 + ["candle"] * 3 + ["bag"] * 3
    assert kinds["9"] in {"retrospot", "heart"}  # no kind word in it: the best of what it has


def test_kinds_are_added_only_where_the_catalogue_has_no_categories():
    plain = with_kinds(products(), AxisEncoder())
    assert plain[0].attributes[KIND] == "mug" and needs_kinds(products())
    assert with_kinds(products(with_category=True), AxisEncoder()) == products(with_category=True)
    assert not needs_kinds(products(with_category=True)) and not needs_kinds([])
    own = [products()[0].model_copy(update={"attributes": {KIND: "cup"}})] + products()[1:]
    assert with_kinds(own, AxisEncoder())[0].attributes[KIND] == "cup"  # the store's own value stays


def test_kinds_of_unchanged_titles_are_reused_not_derived_again(tmp_path):
    class Counting(AxisEncoder):
        calls = 0

        def encode(self, texts, batch_size=64, show_progress=False):
            Counting.calls += 1
            return super().encode(texts, batch_size, show_progress)

    cache = tmp_path / "kinds.json"
    first = with_kinds(products(), Counting(), cache=cache)
    calls = Counting.calls
    again = with_kinds(products(), Counting(), cache=cache)
    assert Counting.calls == calls and [p.attributes for p in again] == [p.attributes for p in first]
    renamed = products()
    renamed[0] = renamed[0].model_copy(update={"title": "RED RETROSPOT CANDLE"})
    assert with_kinds(renamed, Counting(), cache=cache)[0].attributes[KIND] == "candle"
    assert Counting.calls > calls  # a changed title derives afresh
    cache.write_text("{not json")
    assert with_kinds(products(), Counting(), cache=cache)[0].attributes[KIND] == "mug"  # a broken cache is ignored
