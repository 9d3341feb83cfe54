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


def _popular(*rows: tuple[str, float]) -> list[Candidate]:
    return [Candidate(Product(id=str(i), title=t, price=p, currency="GBP"), 0.0, reason="popular")
            for i, (t, p) in enumerate(rows)]


def test_gift_picks_keep_the_budget_skip_wrapping_and_show_one_of_each_kind():
    from assistant.shopping import gift_picks

    popular = _popular(("RED LUNCH BAG", 1.65), ("BLUE LUNCH BAG", 1.65), ("GIFT WRAP ROSES", 0.42),
                       ("CAKE STAND 3 TIER", 12.75), ("WOODEN PHOTO FRAME", 4.95), ("BIRTHDAY CARD", 0.39),
                       ("HOT WATER BOTTLE", 4.25))
    picked = gift_picks(popular, 3, max_price=5.0, kind_of=lambda p: p.title.split()[-1].lower())
    assert [c.product.title for c in picked] == ["RED LUNCH BAG", "WOODEN PHOTO FRAME", "HOT WATER BOTTLE"]


def test_gift_picks_put_products_for_someone_else_last():
    from assistant.shopping import gift_picks

    popular = _popular(("WOMENS SCARF", 5.0), ("CHILDRENS APRON", 3.0), ("MENS WALLET", 9.0), ("TEA TOWEL", 2.0))
    picked = gift_picks(popular, 4, gender="men")
    assert [c.product.title for c in picked][:2] == ["MENS WALLET", "TEA TOWEL"]


class _GiftShop:
    """The gift handler's host: best sellers from a fixed list, no store, no model."""

    def __new__(cls, products: list[Product], recommend: bool = True, said: list[str] = ()):
        from assistant.handlers.shopping import ShoppingHandlers

        class Host(ShoppingHandlers):
            searched: list[str] = []

            def _tools(self, session):
                picks = (lambda user, k, sid: [(p.id, "popular with customers right now") for p in products][:k])
                return Shopper(_Searcher(list(said))), picks if recommend else None

            def lookup(self, ids):
                return {p.id: p for p in products if p.id in ids}

            def kinds(self):
                return KindIndex(["bag", "stand", "frame", "wallet", "scarf"], title_words=["baby", "bib"])

            def _new_search(self, session, parse, message, kinds):
                from assistant.handlers.base import Act
                from assistant.state import Need
                self.searched.append(message)
                held = session.state.need  # the real search keeps who the need is for
                session.state.need = Need(query=message, for_whom=held.for_whom if held else None)
                return Act("Here is what I found: ...", products[:1])
        return Host()


def test_gift_ideas_are_best_sellers_in_budget_with_a_question_and_the_gift_is_kept():
    from assistant.parse.schema import TurnParse
    from assistant.session import Session

    products = [Product(id=str(i), title=t, price=p, currency="GBP") for i, (t, p) in enumerate(
        [("WOMENS SCARF", 5.0), ("CAKE STAND", 12.0), ("RED LUNCH BAG", 1.65), ("BLUE LUNCH BAG", 1.65),
         ("MENS WALLET", 4.0), ("PHOTO FRAME", 3.0)])]
    session = Session(id="s")
    act = _GiftShop(products)._gift_ideas(session, TurnParse(intent="gift_help"), "present for my dad, under £6", [])
    assert [p.title for p in act.products] == ["RED LUNCH BAG", "MENS WALLET", "PHOTO FRAME", "WOMENS SCARF"]
    assert "What is he into?" in act.reply
    need = session.state.need
    assert need.gift and need.for_whom == "dad" and need.max_price == 6 and need.kind is None


def test_gift_ideas_with_nothing_said_about_the_person_are_best_sellers():
    from assistant.parse.schema import TurnParse
    from assistant.session import Session

    products = [Product(id=str(i), title=t, price=3.0) for i, t in enumerate(["CAKE STAND", "PHOTO FRAME"])]
    shop = _GiftShop(products, said=["BABY BIB"])
    act = shop._gift_ideas(Session(id="s"), TurnParse(intent="gift_help"), "need a present for my dad", [])
    assert [p.title for p in act.products] == ["CAKE STAND", "PHOTO FRAME"]


def test_gift_ideas_start_with_what_the_words_say_then_the_best_sellers():
    from assistant.parse.schema import TurnParse
    from assistant.session import Session

    products = [Product(id=str(i), title=t, price=3.0) for i, t in enumerate(["CAKE STAND", "PHOTO FRAME"])]
    shop = _GiftShop(products, said=["BABY BIB", "BABY GIFT SET", "BIRTHDAY CARD"])
    act = shop._gift_ideas(Session(id="s"), TurnParse(intent="gift_help"), "my mate just had a baby boy", [])
    titles = [p.title for p in act.products]
    assert titles[:2] == ["BABY BIB", "BABY GIFT SET"] and "BIRTHDAY CARD" not in titles  # a card wraps a gift
    assert "CAKE STAND" in titles


def test_gift_ideas_search_the_words_on_a_store_with_no_sales_history():
    from assistant.parse.schema import TurnParse
    from assistant.session import Session

    shop = _GiftShop([Product(id="1", title="MENS WALLET", price=4.0)], recommend=False)
    session = Session(id="s")
    act = shop._gift_ideas(session, TurnParse(intent="gift_help"), "present for my dad", [])
    assert shop.searched == ["present for my dad"] and act.action == "search"
    assert act.reply.endswith("and I'll find something more personal.") and "What is he into?" in act.reply
    assert session.state.pending.kind == "interests" and session.state.need.for_whom == "dad"


def test_gift_picks_within_a_budget_leave_out_products_without_a_price():
    from assistant.shopping import gift_picks

    popular = _popular(("WOMENS SCARF", None), ("TEA TOWEL", 2.0))
    assert [c.product.title for c in gift_picks(popular, 5, max_price=6.0)] == ["TEA TOWEL"]
    assert [c.product.title for c in gift_picks(popular, 5)] == ["WOMENS SCARF", "TEA TOWEL"]


def test_a_measure_asked_for_meets_the_same_measure_in_other_units():
    from assistant.shopping import carries, measures, prefer_attributes
    assert measures("1 litre") == measures("platex classy 1000 ml bottle") == {"ml:1000"}
    assert measures("15cm") == {"mm:150"} and measures("size 11") == set()
    small = Product(id="s", title="freelance vacuum bottles 350 ml bottle", price=699.0)
    litre = Product(id="l", title="platex classy 1000 ml bottle", price=380.0)
    assert carries(litre, "1 litre") and not carries(small, "1 litre")
    ranked = prefer_attributes([Candidate(small, 1.0), Candidate(litre, 0.9)], {"size": "1 litre"})
    assert [c.product.id for c in ranked] == ["l", "s"]


def test_a_name_of_only_set_or_pack_words_points_at_nothing_shown():
    from assistant.parse.schema import Reference
    from assistant.shopping import resolve
    shown = [Product(id="a", title="SET OF 3 REGENCY CAKE TINS", price=4.95),
             Product(id="b", title="CLASSIC CAFE SUGAR DISPENSER", price=1.25)]
    assert resolve(Reference(kind="name", text="the pantry set"), shown, None) is None
    assert resolve(Reference(kind="name", text="the regency set"), shown, None).id == "a"


def test_a_name_whose_last_word_the_product_lacks_is_not_it():
    from assistant.parse.schema import Reference
    from assistant.shopping import resolve
    shown = [Product(id="a", title="WHITE BIRD GARDEN DESIGN MUG", price=8.69),
             Product(id="c", title="REGENCY TEAPOT ROSES", price=9.95)]
    assert resolve(Reference(kind="name", text="the bird feeder"), shown, None) is None
    assert resolve(Reference(kind="name", text="tea pot"), shown, None).id == "c"
    assert resolve(Reference(kind="name", text="the white bird"), shown, None).id == "a"


def test_the_cart_says_its_total_when_every_line_has_one_price():
    from assistant.replies import cart_contents, cart_total
    lines = [(Product(id="a", title="MUG", price=2.5, currency="GBP"), 2.0),
             (Product(id="b", title="CARD", price=0.42, currency="GBP"), 1.0)]
    assert cart_total(lines) == 5.42 and "Total: £5.42" in cart_contents(lines)
    ranged = [(Product(id="c", title="TOP", price=5.0, price_max=9.0, currency="GBP"), 1.0)]
    assert cart_total(ranged) is None and "Total" not in cart_contents(ranged)


def test_a_name_read_by_its_head_word_in_the_singular_and_before_for():
    from assistant.parse.schema import Reference
    from assistant.shopping import resolve
    shown = [Product(id="a", title="WHITE BIRD GARDEN DESIGN MUG", price=8.69),
             Product(id="c", title="SWEETHEART BIRD HOUSE", price=4.15),
             Product(id="b", title="A PRETTY THANK YOU CARD", price=0.42)]
    assert resolve(Reference(kind="name", text="the bird houses"), shown, None).id == "c"
    assert resolve(Reference(kind="name", text="the card for dad"), shown, None).id == "b"
    assert resolve(Reference(kind="name", text="bird house thingy"), shown, None).id == "c"


def test_no_total_across_currencies():
    from assistant.replies import cart_total
    lines = [(Product(id="a", title="MUG", price=10.0, currency="GBP"), 2.0),
             (Product(id="b", title="TOP", price=1000.0, currency="INR"), 1.0)]
    assert cart_total(lines) is None


def test_a_number_that_is_a_shown_price_points_at_that_product_and_counts_nothing():
    from assistant.shopping import priced_ones
    shown = [Product(id=str(i), title=t, price=p, currency="INR")
             for i, (t, p) in enumerate([("c&s leggings", 499.0), ("medha leggings", 999.0), ("amadore leggings", 399.0)])]
    hits, prices = priced_ones("399 wala ok hai, add", shown)
    assert [p.title for p in hits] == ["amadore leggings"] and prices == {399.0}
    assert priced_ones("the ₹999 one is nice", shown)[0][0].title == "medha leggings"
    assert priced_ones("2 of them please", shown) == ([], set())  # a count, no price
    assert priced_ones("is there a 299 one?", shown) == ([], set())  # no shown product costs it


def test_a_typo_of_a_title_word_is_no_thing_the_shop_lacks():
    from assistant.handlers.shopping import _misspelt
    assert _misspelt("neckless", ["st", "tropez", "necklace"]) and _misspelt("lipstic", ["lipstick", "pen"])
    assert not _misspelt("diapers", ["papers"]) and not _misspelt("earrings", ["rings"])
    assert not _misspelt("kettle", ["settle", "bottle"])
