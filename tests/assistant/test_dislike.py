"""What a dislike of shown products rules out (``handlers.shopping._disliked``)."""

from assistant.handlers.shopping import _disliked
from assistant.parse.schema import Reference, Slots, TurnParse
from assistant.state import Need
from retrieval.product import Product

TREES = [Product(id=str(i), title=t, price=2.0) for i, t in
         enumerate(["BLACK CHRISTMAS TREE 120CM", "WHITE CHRISTMAS TREE 60CM", "TARTAN CHRISTMAS TREE"])]
NEED = Need(kind="christmas tree", kinds=["tree"], query="christmas tree")


def _parse(**slots) -> TurnParse:
    return TurnParse(intent="dislike", slots=Slots(**slots), confidence=0.8)


def test_named_words_are_ruled_out_but_never_the_need_itself():
    words, gone = _disliked(_parse(attributes={"colour": "black"}), TREES, NEED)
    assert words == ["black"] and gone == set()
    words, _ = _disliked(_parse(references=[Reference(kind="name", text="tartan trees")]), TREES, NEED)
    assert words == ["tartan"]  # "trees" is what is being shopped for


def test_products_pointed_at_by_place_are_left_out():
    words, gone = _disliked(_parse(references=[Reference(kind="position", index=2)]), TREES, NEED)
    assert words == [] and gone == {"2"}
