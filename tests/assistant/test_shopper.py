"""The shopper's kind-first list: when the store has the kind asked for, only the kind is shown."""

from assistant.parse.schema import Slots
from assistant.shopping import Shopper
from assistant.handlers.shopping import _thing_asked
from retrieval.kind_index import KindIndex
from retrieval.product import Candidate, Product


class _Searcher:
    """A searcher that answers with a fixed ranking, whatever is asked."""

    def __init__(self, titles: list[str]):
        self.products = [Product(id=str(i), title=t, price=1.0, currency="GBP") for i, t in enumerate(titles)]

    def search(self, query, flt, k, lexical=None):
        return [Candidate(p, 1.0 - i / 100) for i, p in enumerate(self.products)]


def _vase(product: Product) -> bool:
    return "vase" in product.title


def test_only_the_kind_is_shown_when_the_store_has_it():
    shopper = Shopper(_Searcher(["table cover", "glass vase", "dress", "paper vase", "mug"]))
    found = shopper.search(Slots(query="flower vase"), "flower vase", None, None, of_kind=_vase)
    assert [c.product.title for c in found.candidates] == ["glass vase", "paper vase"]
    assert found.kind_hits == 2


def test_the_nearest_products_are_shown_when_the_store_has_none_of_the_kind():
    shopper = Shopper(_Searcher(["table cover", "dress", "mug"]))
    found = shopper.search(Slots(query="flower vase"), "flower vase", None, None, of_kind=_vase)
    assert [c.product.title for c in found.candidates] == ["table cover", "dress", "mug"]
    assert found.kind_hits == 0


def test_a_new_need_is_for_the_thing_named_after_the_asking_verb():
    index = KindIndex(["garden", "bunting", "school", "bottle", "box", "ring"], phrases=[("water", "bottle")])
    message = "lol worth a try. having a garden party and need bunting"
    assert _thing_asked(index, message, index.named(message)) == ["bunting"]
    message = "my son starts school in june, need a water bottle for him"
    assert _thing_asked(index, message, index.named(message)) == ["water bottle"]
    message = "jewellery box maybe, she leaves rings everywhere"
    assert _thing_asked(index, message, index.named(message)) == ["box"]


def test_a_new_need_is_for_the_kinds_the_parser_read_as_sought():
    index = KindIndex(["doorstop", "door"])
    message = "evening! looking for a doorstop, the back door keeps slamming"
    assert _thing_asked(index, message, index.named(message), ["doorstop"]) == ["doorstop"]
    assert _thing_asked(index, message, index.named(message), ["a hanger"]) == ["doorstop", "door"]  # names none
    index = KindIndex(["box", "ring"], phrases=[("jewellery", "box")])
    message = "jewellery box maybe, she leaves rings everywhere"  # each span read on its own
    assert _thing_asked(index, message, index.named(message), ["jewellery box", "rings"]) == ["jewellery box"]


def test_every_thing_named_after_the_asking_verb_is_the_need():
    index = KindIndex(["towel", "apron", "kitchen"], phrases=[("tea", "towel")])
    message = "just moved in and the kitchen is empty, i need tea towels, an apron"
    assert _thing_asked(index, message, index.named(message)) == ["tea towel", "apron"]


def test_ruling_out_a_look_rules_out_every_word_titles_use_for_it():
    shopper = Shopper(_Searcher(["BIG POLKADOT MUG", "RED RETROSPOT MUG", "GLAMOROUS MUG", "STRIPED MUG"]))
    found = shopper.search(Slots(query="mug"), "mug", None, None, avoid={"spots"})
    assert [c.product.title for c in found.candidates] == ["GLAMOROUS MUG", "STRIPED MUG"]
