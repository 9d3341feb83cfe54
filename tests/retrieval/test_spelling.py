"""Misspelt query words are corrected to the catalogue's own words, and only those."""

from collections import Counter

from retrieval.product import Product
from retrieval.spelling import Speller, catalogue_words, save_words

TITLES = ["ALARM CLOCK BAKELIKE RED", "ALARM CLOCK BAKELIKE GREEN", "RED UMBRELLA", "BLUE UMBRELLA",
          "CHRISTMAS WRAPPING PAPER", "CHRISTMAS WRAPPING PAPER GOLD", "BIRTHDAY CARD", "BIRTHDAY CARD CAT",
          "WALL CLOCK", "SANTA MUG", "SANTA BAG"]


def speller(known=frozenset({"for", "my", "little", "girl", "pls", "bedside", "wall"})) -> Speller:
    products = [Product(id=str(i), title=t, price=1.0) for i, t in enumerate(TITLES)]
    return Speller(catalogue_words(products), set(known))


def test_typos_in_the_words_that_matter_are_corrected():
    fix = speller().correct
    assert fix("alram clok for my bedside") == "alarm clock for my bedside"
    assert fix("umberella for my little girl") == "umbrella for my little girl"
    assert fix("chrismas wraping paper") == "christmas wrapping paper"
    assert fix("bithday cards pls") == "birthday cards pls"


def test_real_words_short_words_numbers_and_case_are_left_alone():
    fix = speller().correct
    assert fix("RED Umbrella 16gb x2") == "RED Umbrella 16gb x2"  # catalogue words keep the customer's case
    assert fix("wala") == "wala"  # four letters: only a dropped letter is a typo, not "wall"
    assert fix("bf") == "bf"
    assert fix("footie") == "footie"  # nothing in the catalogue is one edit away


def test_contractions_without_apostrophes_are_words():
    fix = Speller(Counter({"shoes": 9, "cart": 4}), set()).correct
    assert fix("for my gran shes into birds") == "for my gran shes into birds"
    assert fix("i cant find it") == "i cant find it"
    assert fix("sheos") == "shoes"


def test_a_changed_letter_must_be_a_slip_of_the_finger_or_a_vowel():
    fix = Speller(Counter({"stool": 4, "jeans": 4, "mirror": 3}), set()).correct
    assert fix("jeens") == "jeans"  # vowel for vowel
    assert fix("mirrpr") == "mirror"  # p is next to o
    assert fix("skool") == "skool"  # k and t are far apart: slang, not a typo of "stool"


def test_a_word_one_product_uses_once_is_not_a_correction_target():
    only_once = Speller(Counter({"zebra": 1, "umbrella": 3}), set())
    assert only_once.correct("zebar") == "zebar"
    assert only_once.correct("umbrela") == "umbrella"


def test_words_are_saved_with_the_index_and_read_back(tmp_path):
    counts = catalogue_words([Product(id="1", title="Tea Cosy", price=1.0, category=("Kitchen",))])
    save_words(tmp_path, "shop", counts)
    loaded = Speller.for_collection(tmp_path, "shop", set())
    assert loaded is not None and loaded.correct("kitchn") == "kitchn"  # used once: no target
    assert Speller.for_collection(tmp_path, "other", set()) is None
