"""The kinds a categorised store sells, read from its category levels."""

from retrieval.kind_index import KindIndex
from retrieval.lexicon import singular
from retrieval.product import Product


def _product(i: int, title: str, *levels: str, brand: str | None = None) -> Product:
    return Product(id=str(i), title=title, category=("home", *levels), brand=brand, price=10.0)


def _store() -> list[Product]:
    return [
        _product(1, "cotton bath mat blue", "bath linen", "bath mats"),
        _product(2, "rubber bath mat grey", "bath linen", "bath mats"),
        *[_product(10 + i, f"crokrok nylon car mat for model {i}", "car interior", "car mats") for i in range(4)],
        # A tree ending in the product's own title: its words ("size") are no kind.
        *[_product(20 + i, f"ezyprnt golf ball size {i} cm", "golf", "golf balls", f"ezyprnt golf ball size {i} cm")
          for i in range(4)],
        *[_product(30 + i, f"aaliya women's top {i}", "tops", "aaliya tops", brand="aaliya") for i in range(3)],
    ]


def test_a_level_that_is_the_products_own_title_names_no_kind():
    index = KindIndex.from_products(_store())
    assert "size" not in index.vocabulary and index.named("usually size 11") == []
    assert "ball" in index.vocabulary


def test_a_short_level_the_shop_made_is_a_kind_and_its_words_a_phrase():
    index = KindIndex.from_products(_store())
    assert index.named("need bath mats for the guest bathroom") == ["bath mat"]
    assert index.level_of("bath mat") == "bath mats"  # not the store's commoner "car mats"
    assert index.level_of("mat") == "car mats"


def test_a_brands_own_level_makes_no_phrase():
    index = KindIndex.from_products(_store())
    assert ("aaliya", "top") not in index.phrases
    assert index.named("a top for my gf") == ["top"]


def test_a_phrase_of_the_store_written_as_one_word_names_it():
    index = KindIndex(["bag", "box", "ring", "bell"], phrases=[("lunch", "box")])
    assert index.named("lunchboxes for the kids") == ["lunch box"]
    assert index.named("a bagpipe") == []
    assert index.named("brb doorbell") == [] and index.named("ok thank you, ordering now") == []


def test_plurals_in_f_meet_their_singulars():
    from retrieval.lexicon import singular
    assert [singular(w) for w in ("shelves", "knives", "scarves", "boxes", "sleeves", "valves")] == \
        ["shelf", "knife", "scarf", "box", "sleeve", "valve"]


def test_plurals_in_ies_of_words_in_ie_meet_their_singulars():
    from retrieval.lexicon import singular
    from assistant.query import stem
    assert [singular(w) for w in ("neckties", "cookies", "hoodies", "parties", "berries")] == \
        ["necktie", "cookie", "hoodie", "party", "berry"]
    assert stem("neckties") == stem("necktie") and stem("berries") == "berry"


def test_plurals_in_ses_meet_their_singulars():
    from retrieval.lexicon import singular
    assert [singular(w) for w in ("horses", "houses", "purses", "cases", "vases", "glasses", "dresses", "lenses",
                                  "buses", "canvases")] == \
        ["horse", "house", "purse", "case", "vase", "glass", "dress", "lens", "bus", "canvas"]


def test_a_short_level_that_starts_its_titles_is_still_a_category():
    products = [_product(i, f"car sun shade for model {i}", "car interior", "car sun shades") for i in range(3)]
    index = KindIndex.from_products(products)
    assert "sun shade" in index.named("need a car sun shade") and index.level_of("sun shade") == "car sun shades"



def test_a_kind_after_a_seeking_for_is_sought_and_after_any_other_for_is_a_purpose():
    index = KindIndex(["doorstop", "door", "bag", "teapot", "table", "vase"], phrases=[("lunch", "bag")])
    assert index.named("looking for a doorstop, the back door keeps slamming") == ["doorstop", "door"]
    assert index.named("im looking for a lunch bag") == ["lunch bag"]
    assert index.named("shopping for a teapot for my mum") == ["teapot"]
    assert index.named("a vase for the dining table") == ["vase"]  # the table is what it is for
    assert index.named("looking for something for the kitchen table") == []


def _bags_and_belts() -> list[Product]:
    group = "bags wallets belts"
    return [
        *[_product(40 + i, f"ligans men formal leather belt {i}", group, "belts") for i in range(3)],
        *[_product(50 + i, f"alessia hand-held bag {i}", group, "bags") for i in range(3)],
        *[_product(60 + i, f"bagged leather wallet {i}", group, "wallets") for i in range(3)],
        *[_product(70 + i, f"plain bag {i}", "bags") for i in range(2)],
    ]


def test_a_level_grouping_several_kinds_says_nothing_when_a_deeper_level_says_which():
    index = KindIndex.from_products(_bags_and_belts())
    belt, bag = _bags_and_belts()[0], _bags_and_belts()[3]
    assert not index.of_kind(belt, ["bag"])  # a belt under "Bags, Wallets & Belts" is no bag
    assert index.of_kind(belt, ["belt"]) and index.of_kind(bag, ["bag"])
    lone = _product(80, "travel thing", "bags wallets belts")  # nothing deeper: the group is all it says
    assert index.of_kind(lone, ["bag"]) and index.of_kind(lone, ["belt"])


def test_a_kind_written_as_one_word_matches_a_title_writing_it_as_two():
    index = KindIndex.from_products(_store())
    letter = Product(id="k", title="LETTER 'A' BLING KEY RING", price=1.25)
    assert index.of_kind(letter, ["keyring"]) and not index.of_kind(letter, ["ring binder"])


def test_words_the_titles_use_are_met_in_any_form():
    index = KindIndex(["kit"], title_words=["knitting", "hanging", "evening", "horse", "glass"])
    assert index.described(["knits", "horses", "glasses", "priya", "ugh"]) == ["knits", "horses", "glasses"]
    assert index.described(["hang", "even"]) == []  # a bare word does not meet one with an ending


def test_a_size_word_the_titles_keep_before_a_kind_is_a_product_line():
    motifs = ("red retrospot", "owls", "pink polkadot", "vintage paisley", "alphabet", "toys", "apples", "pears",
              "woodland", "doiley")
    products = [Product(id=str(i), title=f"jumbo bag {motif}", price=2.0, attributes={"kind": "bag"})
                for i, motif in enumerate(motifs)]
    products += [Product(id=str(20 + i), title=f"big mug {motif}", price=2.0, attributes={"kind": "mug"})
                 for i, motif in enumerate(("owls", "hearts", "stars", "spots"))]
    products += [Product(id=str(10 + i), title=f"{motif} shoulder bag", price=3.0, attributes={"kind": "bag"})
                 for i, motif in enumerate(("floral", "felt", "denim", "suki", "beaded"))]
    index = KindIndex.from_products(products)
    assert index.named("do u sell those big jumbo bags, the foldy ones") == ["jumbo bag"]
    assert index.named("a big bag for the beach") == ["bag"]
    assert index.named("any big mugs") == ["mug"]  # four titles make no line


def test_a_kind_word_before_style_says_how_it_looks():
    index = KindIndex(["jack", "bunting", "dinosaur", "lamp", "mug"], phrases=[("union", "jack")])
    assert index.named("union jack style") == [] and index.named("dinosaur themed lamp pls") == ["lamp"]
    assert index.named("a mug design for my mum") == ["mug"]
    assert index.named("union jack bunting") == ["bunting"]


def test_a_brand_that_opens_the_title_says_nothing_of_the_kind():
    index = KindIndex.from_products(_store())
    top = Product(id="t", title="riot jeans casual short sleeve printed women's top", brand="riot jeans",
                  category=("clothing", "tops"), price=419.0)
    jeans = Product(id="j", title="jeans co slim fit men's jeans", brand="jeans co", category=("clothing",), price=799.0)
    jean = singular("jeans")  # kinds are read in the singular, as the index reads titles
    assert not index.of_kind(top, [jean]) and index.of_kind(top, ["top"])
    assert index.of_kind(jeans, [jean])
    ring = Product(id="r", title="kiara jewellery silver ring", brand="kiara jewellery",
                   category=("jewellery", "rings"), price=299.0)
    assert index.of_kind(ring, ["jewellery"]) and index.of_kind(ring, ["ring"])  # its category says jewellery


def test_two_words_the_titles_write_as_one_name_that_kind():
    products = [*[_product(130 + i, f"chalkboard kitchen organiser {i}", "kitchen", "chalkboards") for i in range(3)],
                *[_product(140 + i, f"white chalk sticks {i}", "crafts", "chalk") for i in range(3)],
                *[_product(150 + i, f"coir doormat welcome {i}", "home", "doormats") for i in range(3)],
                *[_product(160 + i, f"aaliya a-line kurta {i}", "clothing", "aline") for i in range(3)]]
    index = KindIndex.from_products(products)
    assert index.named("a chalk board for the kitchen") == ["chalkboard"]
    assert index.named("door mat please") == ["doormat"]
    assert index.named("chalk for the kids") == ["chalk"]
    assert "aline" in index.vocabulary and index.named("a line of chalk") == ["chalk"]  # "a line" is no a-line
    assert index.named("kitchen chalk board") == ["chalkboard"]  # the last word names the thing, joined or not
    assert index.named("door mat style chalk") == ["chalk"]  # a look, joined or not


def test_of_two_kinds_named_the_narrower_is_asked_for():
    products = [*[_product(i, f"abc women flats {i}", "footwear", "womens footwear", "flats") for i in range(4)],
                *[_product(10 + i, f"xyz boots {i}", "footwear", "womens footwear", "boots") for i in range(4)],
                *[_product(20 + i, f"lmn sling bag {i}", "bags", "sling bags") for i in range(3)],
                *[_product(30 + i, f"lmn hand bag {i}", "bags", "hand bags") for i in range(3)]]
    index = KindIndex.from_products(products)
    assert index.narrowest(["footwear", "flat"]) == ["flat"]
    assert index.narrowest(["bag", "sling bag"]) == ["sling bag"]
    assert index.narrowest(["flat", "boot"]) == ["flat", "boot"]


def test_shorts_are_a_kind_and_short_stays_a_length():
    products = [_product(40 + i, f"denim shorts {i}", "clothing", "shorts") for i in range(3)] + \
        [_product(50 + i, f"short dress {i}", "clothing", "dresses") for i in range(3)]
    index = KindIndex.from_products(products)
    assert index.named("shorts would be nice") == ["shorts"]
    assert index.named("a short dress for the party") == ["dress"]


def test_a_kind_people_name_another_way_is_the_stores_kind():
    index = KindIndex(["dress", "headphone", "slipper", "napkin", "bag"])
    assert index.named("need a party frock for her") == ["dress"]
    assert index.named("ok np. earphones then, wired is fine") == ["headphone"]
    assert index.named("flip-flops for the beach") == ["slipper"]
    assert index.named("some serviettes") == ["napkin"]
    assert index.named("a pram for my niece") == []  # a word for a kind the store does not sell names none


def test_a_thing_two_titles_name_is_a_head_kind():
    products = [_product(60, "nirlon classic kadhai 2.5 l", "kitchen", "pans"),
                _product(61, "nirlon induction kadhai 1.5 l", "kitchen", "pans"),
                _product(62, "prestige tawa 25 cm", "kitchen", "pans")]
    index = KindIndex.from_products(products)
    assert index.head_kind("a kadhai") == "kadhai"
    assert index.head_kind("a tawa") is None  # one title is chance


def test_an_occasion_is_when_a_thing_is_for_not_the_thing():
    index = KindIndex(["christmas", "birthday", "tree", "card"], phrases=[("birthday", "card")])
    assert index.named("need a birthday present for the wife") == []
    assert index.named("do they come in red? thinking ahead to christmas") == []
    assert index.named("a christmas tree for the hall") == ["tree"]
    assert index.named("a birthday card for my dad") == ["birthday card"]


def test_a_place_said_in_the_singular_is_the_place_not_a_kind():
    index = KindIndex(["school", "bag", "garden", "tool", "kitchen", "scale"],
                      phrases=[("school", "bag"), ("garden", "tool"), ("kitchen", "scale")])
    assert index.named("she's into baking and has a tiny kitchen") == []
    assert index.named("he basically lives in his garden") == []
    assert index.named("school bags for my son") == ["school bag"]
    assert index.named("garden tools for the grandkids") == ["garden tool"]


def test_a_synonym_is_a_whole_store_phrase_and_never_beats_the_titles_own_word():
    index = KindIndex(["shade", "cup", "lamp"], title_words=["tumbler"])
    assert index.named("a lampshade for my bedroom") == ["lamp"]  # a lamp, never a car sun shade
    assert index.named("hi do you have a tumbler") == ["tumbler"]  # TUMBLER titles: their own word


def _titled(i: int, title: str, kind: str) -> Product:
    """A product of a store without categories, with the kind derived from its title."""
    return Product(id=str(i), title=title, price=2.0, attributes={"kind": kind})


def test_a_kind_word_before_a_thing_the_titles_name_with_it_is_that_thing():
    products = [
        *[_titled(i, f"{theme} tea cosy", "tea") for i, theme in enumerate(["owl", "rose", "spot"])],
        *[_titled(10 + i, f"{theme} tea tin", "tea") for i, theme in enumerate(["owl", "rose", "spot"])],
        *[_titled(20 + i, f"{colour} watering can", "watering") for i, colour in enumerate(["red", "pink", "blue"])],
        *[_titled(30 + i, f"{theme} christmas decoration", "christmas") for i, theme in enumerate(["owl", "star", "bell"])],
        _titled(40, "owl tea towel", "tea"), _titled(41, "rose tea pot", "tea"),
    ]
    index = KindIndex.from_products(products)
    assert "cosy" not in index.vocabulary and "tea" in index.vocabulary
    assert index.named("a tea cosy for my nan") == ["tea cosy"]
    assert index.named("have you got a watering can") == ["watering can"]
    assert index.named("nice tea for her") == ["tea"]  # no thing after it
    assert index.named("tea, cosy please") == ["tea"]  # not in one breath
    assert index.named("a tea towel") == ["tea"]  # one title says "tea towel": chance, not a thing the store sells
    assert not any(" " in k for k in index.named("christmas decoration"))  # an occasion heads no compound


def test_a_categorised_store_glues_no_look_to_a_kind():
    """Its titles put looks after things ("batting gloves (youth, silver)"): no compound there."""
    products = [_product(i, f"turbo batting gloves youth {c}", "sports", "gloves") for i, c in enumerate("abc")]
    index = KindIndex.from_products(products)
    assert index.named("batting gloves youth size") == ["batting glove"]
