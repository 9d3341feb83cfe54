"""What a message names of the store's kinds, read in its conversation (``assistant.reading``)."""

from assistant.reading import named_words, read_kinds, singled_out
from assistant.state import Need
from retrieval.kind_index import KindIndex
from retrieval.product import Product


def _index() -> KindIndex:
    return KindIndex(["box", "bag", "owl", "warmer", "tree", "decoration", "cutlery", "doll", "lantern"],
                     phrases=[("lunch", "box"), ("lunch", "bag"), ("hand", "warmer")])


def _product(pid: str, title: str, kind: str) -> Product:
    return Product(id=pid, title=title, price=2.0, currency="GBP", attributes={"kind": kind})


WARMERS = [_product("1", "HAND WARMER RED RETROSPOT", "warmer"), _product("2", "HAND WARMER UNION JACK", "warmer")]
NEED = Need(kind="hand warmer", kinds=["hand warmer"], query="hand warmers")


def test_a_kind_in_a_ruled_out_phrase_is_not_asked_for():
    kinds, _ = read_kinds(_index(), "im a builder so no dolly girls lol", NEED, WARMERS)
    assert kinds == []
    assert read_kinds(_index(), "a doll for my niece", NEED, WARMERS)[0] == ["doll"]


def test_the_x_one_names_a_product_of_the_need_not_a_new_need():
    assert read_kinds(_index(), "the owl one is adorable", NEED, WARMERS)[0] == []
    assert read_kinds(_index(), "ok owl one, add it", NEED, WARMERS)[0] == []
    # with no conversation yet, "owl" is what is asked for
    assert read_kinds(_index(), "the owl ones please", None, [])[0] == ["owl"]
    assert named_words("the owl one is adorable") == "owl"
    assert named_words("which one is cheaper") is None


def test_what_a_thing_comes_with_is_not_its_kind():
    assert read_kinds(_index(), "does it come with cutlery", NEED, WARMERS)[0] == []
    assert read_kinds(_index(), "a lunch box with cutlery", None, [])[0] == ["lunch box"]


def test_a_bare_kind_said_while_choosing_a_compound_keeps_its_first_word():
    need = Need(kind="lunch bag", kinds=["lunch bag"], query="lunch bag")
    shown = [_product("3", "LUNCH BAG SPACEBOY DESIGN", "bag")]
    assert read_kinds(_index(), "show me the hard boxes not the bags", need, shown)[0] == ["lunch box"]


def test_a_kind_on_screen_is_pointed_at_unless_the_message_asks_for_products():
    shown = [_product("4", "CHRISTMAS TREE STAR DECORATION", "decoration")]
    need = Need(kind="decoration", kinds=["decoration"], query="christmas decorations")
    assert read_kinds(_index(), "ooh the tree one is lovely", need, shown)[0] == []
    assert read_kinds(_index(), "the decoration is nice", need, shown)[0] == []
    assert read_kinds(_index(), "do you sell actual trees too?", need, shown)[0] == ["tree"]


def test_a_kind_the_parser_reads_a_search_for_is_asked_for_even_when_one_is_shown():
    shown = [*WARMERS, _product("5", "OFFICE MUG WARMER PINK", "mug")]
    index = KindIndex(["warmer", "mug"], phrases=[("hand", "warmer")])
    message = "and a mug for the white elephant, something funny"
    assert read_kinds(index, message, NEED, shown)[0] == []  # alone, it could point at the shown one
    assert read_kinds(index, message, NEED, shown, asked="mug")[0] == ["mug"]


def test_a_thing_the_titles_name_is_the_kind_when_the_store_has_no_such_kind():
    index = KindIndex(["warmer"], phrases=[("hand", "warmer")], title_words=["slipper", "green", "owl"])
    assert read_kinds(index, "and slippers? her feet are always freezing", NEED, WARMERS, asked="slippers")[0] \
        == ["slipper"]
    assert read_kinds(index, "and slippers?", NEED, WARMERS)[0] == []  # no search read: nothing asked
    assert read_kinds(index, "green ones?", NEED, WARMERS, asked="green")[0] == []  # a colour is no thing
    assert read_kinds(index, "any boots?", NEED, WARMERS, asked="boots")[0] == []  # the titles never say it
    # a refinement's words with a kind in hand are a look of it, not another thing
    tees = Need(kind="tshirt", kinds=["tshirt"], query="t shirt")
    index = KindIndex(["tshirt"], title_words=["fit", "oversized", "slipper"])
    assert read_kinds(index, "oversized fit", tees, [], asked="oversized fit", refining=True)[0] == []
    assert read_kinds(index, "oversized fit", tees, [], asked="oversized fit")[0] == ["fit"]  # searched for


def test_a_word_the_needs_own_titles_use_describes_the_need_not_a_new_kind():
    index = KindIndex(["bag"], phrases=[("lunch", "bag")], title_words=["space", "slipper", "album"],
                      titles={"bag": ["lunch bag spaceboy design", "jumbo bag spaceboy", "lunch bag album"]})
    need = Need(kind="lunch bag", kinds=["lunch bag"], query="lunch bag")
    assert read_kinds(index, "hes 4 and obsessed with rockets and space lol", need, [], asked="space")[0] == []
    assert read_kinds(index, "and slippers for his nan?", need, [], asked="slippers")[0] == ["slipper"]
    # one title of the kind using the word is chance, not a description
    assert read_kinds(index, "got a photo album for gig tickets", need, [], asked="photo album")[0] == ["album"]


JEANS = [Product(id="j1", title="Men Slim Fit Silver Streak Denim Jeans", brand="Numero Uno", price=999.0),
         Product(id="j2", title="Men Slim Fit Blue Denim Jeans", brand="Parinaaz", price=899.0),
         Product(id="j3", title="Men Regular Fit Black Jeans", brand="Roadster", price=799.0)]


def test_a_shown_product_is_picked_out_by_words_only_it_has():
    assert singled_out("silver streak denim is sick", JEANS) == "silver streak denim"
    assert singled_out("parinaaz wala is nice", JEANS) == "parinaaz"
    assert singled_out("the roadster ones look decent", JEANS) == "roadster"


def test_words_every_shown_product_has_or_two_products_have_pick_out_nothing():
    assert singled_out("these jeans are lovely", JEANS) is None  # jeans: every title
    assert singled_out("the slim fit ones", JEANS) is None  # two of them
    assert singled_out("silver streak or roadster?", JEANS) is None  # two named: no single pick
    assert singled_out("love these", [Product(id="l", title="I LOVE LONDON MUG"), *JEANS[:1]]) is None
    assert singled_out("nothing silver please", JEANS) is None  # ruled out, not picked
    assert singled_out("silver streak is sick", JEANS[:1]) is None  # one shown: "it" already means it


def test_words_the_titles_use_are_read_with_typos_corrected_but_kinds_only_as_typed():
    index = KindIndex(["umbrella", "flower"], title_words=["umbrella", "flower", "girl"])
    typed = "umberella for my little girl"
    assert read_kinds(index, typed, None) == ([], ["girl"])
    assert read_kinds(index, typed, None, spelled="umbrella for my little girl") == ([], ["umbrella", "girl"])
    kinds, described = read_kinds(index, "something flowery", NEED, spelled="something flower")
    assert kinds == [] and described == ["flower"]


def test_a_refinements_word_that_the_needs_titles_use_is_a_look_not_a_kind():
    index = KindIndex(["bag", "spaceboy", "shorts"], phrases=[("lunch", "bag")],
                      titles={"bag": ["lunch bag spaceboy design", "jumbo bag spaceboy", "lunch bag apple"]})
    need = Need(kind="lunch bag", kinds=["lunch bag"], query="lunch bag")
    shown = [_product("3", "LUNCH BAG SPACEBOY DESIGN", "bag"), _product("6", "SHORTS SPACEBOY", "shorts")]
    assert read_kinds(index, "spaceboy pls", need, shown, asked="spaceboy", refining=True)[0] == []
    assert read_kinds(index, "spaceboy pls", need, shown, asked="spaceboy")[0] == ["spaceboy"]  # a search for it
    assert read_kinds(index, "shorts would be nice", need, shown, asked="shorts", refining=True)[0] == ["shorts"]


def test_a_pastime_someone_likes_is_no_head_kind():
    index = KindIndex(["set"], title_words=["cooking", "bunting"])
    assert read_kinds(index, "i need a gift for someone who likes cooking", None, [], asked="cooking")[0] == []
    assert read_kinds(index, "need bunting for the party", None, [], asked="bunting")[0] == ["bunting"]


def test_the_thing_a_modifier_follows_is_the_head_not_the_modifiers_word():
    index = KindIndex(["keyboard"], title_words=["headset", "mic"], heads=["headset", "mic"])
    keyboards = Need(kind="keyboard", kinds=["keyboard"], query="keyboard")
    said = "Headset with mic for calls. I'm on zoom all day"
    assert read_kinds(index, said, keyboards, asked="headset mic")[0] == ["headset"]
    assert read_kinds(index, "a mic", keyboards, asked="mic")[0] == ["mic"]  # no modifier: the last word
