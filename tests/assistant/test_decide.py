"""The decision table with a fake parse and no model: the principles of a conversation, one
test each (the examples are the issue's, read at the decision level; the end-to-end ones on the
real parser and stores are in ``test_conversation_e2e.py``)."""

from __future__ import annotations

import pytest

from assistant.decide import ACTIONS, RULES, decide
from assistant.parse.schema import Reference, Slots, TurnParse
from assistant.state import DialogueState, Need, Pending

SHOES = Need(kind="shoe", kinds=["shoe"], query="trainers for the gym")


def shown(need: Need | None = SHOES, pending: Pending | None = None) -> DialogueState:
    return DialogueState(need=need, shown=["a", "b", "c"], seen=["a", "b", "c"], focus="a", pending=pending)


def parse(intent: str = "search", confidence: float = 0.95, **slots) -> TurnParse:
    return TurnParse(intent=intent, slots=Slots(**slots), confidence=confidence)


@pytest.mark.parametrize("message,intent", [
    ("fyi my name's Priya", "search"), ("ugh", "greeting"), ("wow really?", "thanks"),
    ("my sister is visiting today so I have to be quick", "search"), ("ok one sec", "search"),
    ("actually no, I'm just browsing", "out_of_scope"),
])
def test_small_talk_never_searches_and_keeps_the_need(message, intent):
    action = decide(shown(), parse(intent), message)
    assert action.kind in ("chat", "out_of_scope"), (message, action)


def test_a_turn_naming_a_new_kind_starts_a_new_need():
    action = decide(shown(), parse("search"), "show me some t-shirts for men", kinds=["tshirt"])
    assert (action.kind, action.rule) == ("search", "names_a_new_kind")


@pytest.mark.parametrize("message,slots", [
    ("ooh I'm a sucker for anything green", {"attributes": {"colour": "green"}}),
    ("not plastic if poss", {}),
    ("I'm a bloke so nothing too girly", {}),
    ("fyi I'm 6 foot 2 with big feet", {}),
    ("under 2k pls", {"max_price": 2000.0}),
])
def test_constraints_refine_the_need(message, slots):
    assert decide(shown(), parse("search", **slots), message).kind == "refine"


@pytest.mark.parametrize("message,refs", [
    ("1.5 litre", []), ("500 ml", []), ("10m", []),
    ("30 cm", [Reference(kind="name", text="cm")]),  # a stray name tag makes no question about a shown one
])
def test_a_bare_measure_refines_the_need(message, refs):
    action = decide(shown(), parse("greeting", confidence=0.55, references=refs), message)
    assert (action.kind, action.rule) == ("refine", "size_refines_need"), (message, action)


@pytest.mark.parametrize("message", ["any more?", "show me more", "what else have you got", "nah not feeling these"])
def test_more_pages_on(message):
    assert decide(shown(), parse("similar"), message).kind == "more"


@pytest.mark.parametrize("message,intent", [
    ("I'm after a 44 in the first one", "add_to_cart"), ("I'm looking for 42", "add_to_cart"), ("42", "search"),
    ("size 8 pls", "add_to_cart"),
])
def test_a_size_is_never_a_request_to_buy(message, intent):
    refs = [Reference(kind="position", index=0)] if "first" in message else []
    action = decide(shown(), parse(intent, references=refs), message)
    assert action.kind in ("answer", "refine"), (message, action)


@pytest.mark.parametrize("message,intent", [
    ("do u do student discount", "search"), ("could I get money off the second one?", "add_to_cart"),
    ("any sale on?", "search"), ("is there a black friday deal", "search"),
])
def test_deals_are_answered_from_policy(message, intent):
    assert decide(shown(), parse(intent), message).kind == "deals"


def test_offers_follow_praise_and_a_yes_adds_a_no_declines():
    praise = decide(shown(), parse("product_question", references=[Reference(kind="position", index=1)]),
                    "ooh the second one is lovely")
    assert praise.kind == "offer_add"
    offered = shown(pending=Pending(kind="offer_add", product_id="b"))
    assert decide(offered, parse("thanks"), "yes please").kind == "add_to_cart"
    assert decide(offered, parse("thanks"), "nah not yet").kind == "chat"


@pytest.mark.parametrize("message,intent", [
    ("how much is delivery", "delivery_options"), ("do you ship to ireland", "delivery_options"),
    ("can I get money off the first one?", "add_to_cart"), ("is it dishwasher safe?", "add_to_cart"),
    ("hows the weather", "add_to_cart"),
])
def test_no_offer_or_cart_change_on_questions_about_something_else(message, intent):
    action = decide(shown(), parse(intent), message)
    assert action.kind not in ("offer_add", "add_to_cart"), (message, action)


def test_an_explicit_request_adds():
    assert decide(shown(), parse("add_to_cart"), "add the blue one to my basket").kind == "add_to_cart"
    assert decide(shown(), parse("add_to_cart"), "i'll take 2 of the first").kind == "add_to_cart"


def test_quantities_priced_and_set():
    assert decide(shown(), parse("product_question"), "how much would 3 of those be").kind == "answer"
    assert decide(shown(), parse("add_to_cart"), "actually make that 3").kind == "set_quantity"


def test_without_a_need_a_request_searches_and_small_talk_greets():
    assert decide(DialogueState(), parse("search"), "hi i need a new lunchbox for work").kind == "search"
    assert decide(DialogueState(), parse("greeting"), "hiya").kind == "chat"


def test_rules_name_known_actions():
    for rule in RULES:
        assert rule.__name__
    for message in ("hi", "42", "any more?", "yes", "add it"):
        assert decide(shown(), parse("search"), message).kind in ACTIONS


def test_a_dislike_of_a_value_is_never_read_as_wanting_it():
    from assistant.query import without_words

    assert without_words("not keen on anything too pink tbh") == ["pink"]
    assert decide(shown(), parse("refine", attributes={"colour": "pink"}), "not keen on anything too pink").kind \
        == "refine"


@pytest.mark.parametrize("message,intent,confidence,kind", [
    ("actually no, I'm just browsing", "more", 0.5, "chat"),  # a doubtful "more" with no word of it
    ("wanna see a few more", "more", 0.95, "more"),
    ("wow thats cheap", "praise", 0.45, "chat"),  # a doubtful praise is no reason to offer the basket
    ("that one's lovely", "praise", 0.45, "offer_add"),  # a word of praise is
])
def test_a_doubtful_reading_of_more_or_praise_needs_its_words(message, intent, confidence, kind):
    assert decide(shown(), parse(intent, confidence), message).kind == kind


@pytest.mark.parametrize("message,kind", [
    ("wait gf calling", "chat"), ("she'll kill me if i mess this up haha", "chat"),
    ("can i talk to a real person", "handoff"), ("i need customer service", "handoff"),
])
def test_a_hand_off_needs_a_word_asking_for_a_person(message, kind):
    assert decide(shown(), parse("contact_human_agent", 0.9), message).kind == kind


OFFERED = Pending(kind="offer_add", product_id="b")


@pytest.mark.parametrize("message,intent", [
    ("ok and have you got any cheaper", "add_to_cart"), ("sure, have you got them in a bigger size", "add_to_cart"),
    ("yes. but can you show more first", "affirm"), ("haan but price kya hai", "add_to_cart"),
    ("no its fine ill think about it", "affirm"),
])
def test_a_yes_with_something_else_asked_does_not_add(message, intent):
    action = decide(shown(pending=OFFERED), parse(intent), message)
    assert action.kind not in ("add_to_cart", "offer_add"), (message, action)


@pytest.mark.parametrize("message", ["sure why not", "ok yes please", "yeah go on then"])
def test_a_plain_yes_to_an_offer_adds(message):
    assert decide(shown(pending=OFFERED), parse("affirm"), message).rule == "yes_to_offer"


@pytest.mark.parametrize("message,basket", [
    ("hmm get rid of the ones with cartoons on", []), ("take out anything christmassy", ["CAKE STAND 3 TIER"]),
    ("remove anything sleeveless", ["Women's Slim Fit Jeans"]),
])
def test_ruling_something_out_of_the_need_is_not_a_removal(message, basket):
    action = decide(shown(), parse("remove_from_cart"), message, basket=basket)
    assert action.kind == "refine", (message, action)


@pytest.mark.parametrize("message,basket", [
    ("actually remove the cake stand, she's got one already", ["CAKE STAND 3 TIER"]),
    ("take it out", ["CAKE STAND 3 TIER"]), ("take the jeans out of my cart, changed my mind", []),
])
def test_a_removal_that_points_at_the_basket_removes(message, basket):
    assert decide(shown(), parse("remove_from_cart"), message, basket=basket).kind == "remove_from_cart"


def test_a_removal_naming_a_basket_item_inside_the_phrase_removes():
    action = decide(shown(), parse("refine"), "oh actually take the large linen one out, the family one doesnt fit",
                    basket=["PHOTO FRAME LINEN LARGE", "PHOTO FRAME SMALL"])
    assert action.kind == "remove_from_cart"



@pytest.mark.parametrize("message,basket", [
    ("get rid of anything red", ["RED RETROSPOT MUG"]),
    ("I want to get rid of clutter, any storage boxes?", ["RED RETROSPOT MUG"]),
])
def test_a_removal_word_over_a_kind_of_product_never_empties_the_basket(message, basket):
    kinds = ["storage box"] if "storage" in message else []
    action = decide(shown(), parse("remove_from_cart"), message, kinds=kinds, basket=basket)
    assert action.kind != "remove_from_cart", (message, action)


@pytest.mark.parametrize("message", ["yes please, it's for my mum", "yes that's what I wanted", "yes this is it"])
def test_a_yes_with_nothing_else_asked_still_adds(message):
    assert decide(shown(pending=OFFERED), parse("affirm"), message).rule == "yes_to_offer"


@pytest.mark.parametrize("state", [shown(), DialogueState()])
def test_a_removal_naming_a_basket_item_that_is_also_a_kind_removes(state):
    action = decide(state, parse("remove_from_cart"), "actually remove the cake stand", kinds=["cake stand"],
                    basket=["REGENCY CAKE STAND 3 TIER"])
    assert action.kind == "remove_from_cart"


@pytest.mark.parametrize("message,intent,kinds,query,expected", [
    ("is the kneeling pad waterproof? his knees are shot", "product_question", ["kneeling"], None, "answer"),
    ("is it already boxed so i dont have to wrap it", "product_question", ["wrap"], None, "answer"),
    # the parser read the kind among the products asked for: a new need, whatever the intent
    ("is there a watch for her as well?", "product_question", ["watch"], "watch", "search"),
    ("do you have vases to go with it?", "product_question", ["vase"], "vases", "search"),
])
def test_a_kind_inside_a_confident_question_about_a_shown_item_is_no_new_need(message, intent, kinds, query,
                                                                                expected):
    action = decide(shown(), parse(intent, confidence=0.9, query=query), message, kinds=kinds)
    assert action.kind == expected, action


@pytest.mark.parametrize("message,singled,kind", [
    ("meh those are a bit christmassy", None, "offer_add"),  # the parser's praise of the whole list
    ("wow thats cheap", None, "offer_add"),  # of a price just quoted
    ("its a swift", None, "offer_add"),  # of something the customer has
    ("the english rose one is so her", None, "offer_add"),  # one product, by its words
    ("ok the 1st one is soooo her", None, "offer_add"),  # by its place
    ("the blue teddy is sweet", "blue teddy", "offer_add"),  # by words that single it out
])
def test_praise_read_by_the_parser_alone_offers_only_for_one_product_pointed_at(message, singled, kind):
    refs = [Reference(kind="name", text=singled or message.split()[1])]  # the parser may name "thats"
    action = decide(shown(), parse("praise", confidence=0.9, references=refs), message, singled=singled)
    pointed = singled is not None or "one" in message
    assert (action.kind == kind) == pointed, action


def test_a_praise_word_in_a_look_asked_for_offers_nothing():
    action = decide(shown(), parse("praise", confidence=0.6), "These are all very childish. Something more elegant please.")
    assert action.kind != "offer_add", action


@pytest.mark.parametrize("message", ["aww she'll adore this", "omg this is so her", "ooh thats sweet"])
def test_the_parsers_praise_of_the_one_product_in_view_offers_to_add(message):
    one = shown().model_copy(update={"shown": ["a"], "focus": "a"})
    action = decide(one, parse("praise", confidence=0.9), message)
    assert action.kind == "offer_add", action


@pytest.mark.parametrize("message", ["the 2nd one is more elegant", "aries one looks more classy"])
def test_comparative_praise_of_a_shown_one_is_praise(message):
    action = decide(shown(), parse("praise", confidence=0.9), message)
    assert action.kind == "offer_add", action


def test_an_unsure_parse_leaves_every_named_kind_asked_for():
    action = decide(shown(), parse("product_question", confidence=0.4), "ok an advent calendar then",
                    kinds=["advent calendar"])
    assert action.kind == "search"


@pytest.mark.parametrize("message", ["bootwale one looks nice", "regatta one is lovely", "silvesto one looks pretty",
                                     "knight ace one looks sick ngl"])
def test_praise_of_a_shown_product_named_by_its_words_offers_to_add(message):
    action = decide(shown(), parse("greeting", confidence=0.9), message)
    assert (action.kind, action.rule) == ("offer_add", "praises_shown"), action


@pytest.mark.parametrize("message,singled", [
    ("he loves orange, the gayatri one!", "gayatri"), ("the gayatri one!!", "gayatri"),
    ("my mum loves the owl one", "owl"),
])
def test_one_shown_product_picked_out_by_its_words_is_a_choice(message, singled):
    action = decide(shown(), parse("refine", confidence=0.5), message, singled=singled)
    assert (action.kind, action.rule) == ("offer_add", "chooses_a_named_one"), action


@pytest.mark.parametrize("message,singled", [
    ("pandora twity one is too girly for him", "twity"),  # a judgement against it
    ("show me some printed ones too", "printed"),  # a request for more of that look
    ("the disney one is princess or what design", "disney"),  # a question
    ("the green fern ones", None),  # no one shown product has those words: a narrowing
    ("the owl one is hideous lol", "owl"), ("the owl one looks cheap", "owl"), ("the owl one is meh", "owl"),
    ("the union jack one is a bit much", "union jack"), ("the gayatri one is out of my budget", "gayatri"),
    ("the owl one, my sister already has it", "owl"), ("the owl one broke within a week last time", "owl"),
    ("the owl one, idk", "owl"), ("the owl one, does it come in blue", "owl"), ("the gayatri one, whats the price", "gayatri"),
    ("the owl one in pink", "owl"), ("the gayatri one but cheaper", "gayatri"), ("she would hate the owl one", "owl"),
    ("the owl one, ill think about it", "owl"),
])
def test_a_named_product_with_a_judgement_request_or_question_is_not_a_choice(message, singled):
    action = decide(shown(), parse("refine", confidence=0.5), message, singled=singled)
    assert action.kind != "offer_add", action


def test_a_ruled_out_product_is_not_pointed_at_by_praise():
    action = decide(shown(), parse("refine", confidence=0.9), "something smart, not the pastel ones")
    assert action.kind == "refine", action


@pytest.mark.parametrize("message,expected", [
    ("the 5 dhaatu ones are so cheap, are they real silver?", "answer"),
    ("and the oval electric one?", "answer"),
    ("cheaper ones?", "refine"),  # asks for others, names none shown
    ("have you got the pink ones?", "refine"),  # named by a colour: asks for those
])
def test_a_question_about_a_shown_product_named_by_its_words_is_answered(message, expected):
    action = decide(shown(), parse("refine", confidence=0.9, price_change="lower" if "cheaper" in message else None),
                    message)
    assert action.kind == expected, action


@pytest.mark.parametrize("message", ["pretty ones pls", "nice ones in blue", "the pretty ones", "cute ones for a baby",
                                     "any stylish ones", "that's pretty expensive", "the second one is pretty small tbh"])
def test_a_praise_word_inside_what_is_wanted_is_no_praise_of_a_shown_product(message):
    action = decide(shown(), parse("refine", confidence=0.9), message)
    assert action.kind != "offer_add", action


@pytest.mark.parametrize("message,slots", [
    ("black?? bit goth for my mum", {"attributes": {"colour": "black"}}),
    ("the tartan one is a bit old fashioned", {"references": [Reference(kind="name", text="tartan")]}),
    ("not mad on the third", {"references": [Reference(kind="position", index=2)]}),
    ("hmm the fairy cakes ones a bit childish for me", {"references": [Reference(kind="name", text="fairy cakes")]}),
])
def test_a_dislike_of_what_is_shown_rules_it_out_and_never_offers(message, slots):
    action = decide(shown(), parse("dislike", confidence=0.8, **slots), message)
    assert (action.kind, action.rule) == ("refine", "dislikes_what_is_shown"), action


def test_a_dislike_that_names_nothing_pages_on_and_a_new_kind_still_searches():
    assert decide(shown(), parse("dislike", confidence=0.8), "meh, bit boring").kind == "more"
    action = decide(shown(), parse("dislike", confidence=0.8, query="socks"), "these are naff, got any socks",
                    kinds=["sock"])
    assert action.kind == "search"


def test_a_hunch_of_a_wish_to_buy_offers_nothing():
    refs = {"references": [Reference(kind="name", text="apron")]}
    sure = decide(shown(), parse("add_to_cart", confidence=0.7, **refs), "ok the apron one")
    assert (sure.kind, sure.rule) == ("offer_add", "unclear_buy")
    unsure = decide(shown(), parse("add_to_cart", confidence=0.3, **refs), "ill save the apron for christmas")
    assert unsure.kind != "offer_add", unsure


def test_a_kind_word_in_talk_is_not_a_kind_asked_for():
    """The parser is sure the message is talk, summed over the talk intents: "door" and "star"
    name kinds the store sells, but nothing is asked for, so the need stays and nothing is shown."""
    for message, kinds in (("brb someone at the door", ["door"]), ("thanks youve been a star x", ["star"])):
        talk = TurnParse(intent="refine", confidence=0.45, talk_share=0.8)
        action = decide(shown(), talk, message, kinds=kinds, described=kinds)
        assert action.kind == "chat", (message, action)


@pytest.mark.parametrize("message,kinds", [("oh and bunting!! nearly forgot", ["bunting"]),
                                           ("ties bhi hai?", ["tie"])])
def test_a_kind_asked_for_besides_the_need_is_asked_for_even_when_read_as_talk(message, kinds):
    talk = parse("greeting", confidence=0.88, query=kinds[0])
    action = decide(shown(), talk, message, kinds=kinds, described=kinds)
    assert action.kind == "search", action


@pytest.mark.parametrize("message,intent", [("ok and thanks, the sunglasses arrived fine", "thanks"),
                                            ("oh and the sunglasses arrived today, she loves them", "thanks"),
                                            ("oh and my son broke his sunglasses again lol", "chitchat")])
def test_a_kind_mentioned_in_talk_after_and_is_not_asked_for(message, intent):
    talk = TurnParse(intent=intent, confidence=0.9, talk_share=0.9)
    action = decide(shown(), talk, message, kinds=["sunglass"], described=["sunglasses"])
    assert action.kind == "chat", action


def test_a_message_of_product_words_only_is_a_request_even_when_read_as_talk():
    talk = TurnParse(intent="out_of_scope", confidence=0.7, talk_share=0.7)
    action = decide(DialogueState(), talk, "playing cards", kinds=["card"], described=["playing", "cards"])
    assert action.kind == "search", action


@pytest.mark.parametrize("message", ["the pandora one is too girly for him", "something for her"])
def test_him_or_her_says_who_the_need_is_for(message):
    assert decide(shown(), parse("refine", confidence=0.7), message).kind == "refine"


def test_similar_pointing_at_no_one_product_pages_on_within_the_need():
    action = decide(shown(), parse("similar", confidence=0.93), "any others like that")
    assert (action.kind, action.rule) == ("more", "pages_on")
    one = decide(shown(), parse("similar", confidence=0.93, references=[Reference(kind="position", index=1)]),
                 "more like the second")
    assert one.kind == "similar"


@pytest.mark.parametrize("message,intent,described", [
    ("present for my dad", "gift_help", []),
    ("my sisters 30 next month and im clueless", "gift_help", []),
    ("what should i get my boyfriend for his birthday", "gift_help", ["birthday"]),
    ("gift ideas", "recommend_for_me", []),
])
def test_a_gift_that_says_nothing_about_the_person_gets_ideas_not_a_search(message, intent, described):
    action = decide(DialogueState(), parse(intent, confidence=0.4), message, described=described)
    assert (action.kind, action.rule) == ("recommend", "gift_ideas"), (message, action)


@pytest.mark.parametrize("message,kinds,described,state", [
    ("a present for my dad, he loves his garden", [], ["garden"], DialogueState()),  # says what he likes
    ("a mug for my mum", ["mug"], ["mug"], DialogueState()),  # names a kind
    ("gift bags for the party", [], ["bags"], DialogueState()),  # asks for the wrapping itself
    ("it's a present for my dad", [], [], shown()),  # a need of a kind in hand is refined
])
def test_a_gift_that_names_what_is_wanted_is_searched_or_refines(message, kinds, described, state):
    action = decide(state, parse("gift_help"), message, kinds=kinds, described=described)
    assert action.rule != "gift_ideas", (message, action)


APRONS = Need(kind="apron", kinds=["apron"], query="an apron for my mum")


@pytest.mark.parametrize("message,kinds,described", [
    ("ha didnt know aprons were this complicated", [], ["aprons"]),  # a kind on screen is pointed at
    ("lol 699 for an apron? pass", ["apron"], ["apron"]),
])
def test_the_needs_own_kind_said_again_beside_its_list_is_talk(message, kinds, described):
    action = decide(shown(APRONS), parse("refine", confidence=0.7), message, kinds=kinds, described=described)
    assert action.kind == "chat", (message, action)


@pytest.mark.parametrize("message,kinds,described,state", [
    ("any aprons with owls on", ["apron"], ["aprons", "owls"], shown(APRONS)),  # says more than the kind
    ("do you have aprons that tie", [], ["aprons"], shown(APRONS)),  # asks for products again
    ("aprons then", ["apron"], ["aprons"], DialogueState(need=APRONS)),  # nothing on screen: show the need
])
def test_the_needs_kind_with_more_or_asked_for_again_refines(message, kinds, described, state):
    action = decide(state, parse("refine", confidence=0.7), message, kinds=kinds, described=described)
    assert action.kind == "refine", (message, action)


@pytest.mark.parametrize("message,query,described", [
    ("jigsaw for him as well?", "jigsaw", ["jigsaw"]),
    ("some pots for his herbs too", "pots", ["pots", "herbs"]),
    ("crackers while i think about it", "crackers", ["crackers"]),
])
def test_a_second_thing_asked_for_beside_the_need_is_a_new_search(message, query, described):
    action = decide(shown(), parse("refine", confidence=0.5, query=query), message, described=described)
    assert (action.kind, action.rule) == ("search", "asks_for_another_thing"), (message, action)


@pytest.mark.parametrize("message,slots,described", [
    ("trainers with a white sole too", {"query": "trainers"}, ["trainers", "white", "sole"]),  # the need's kind
    ("in blue as well?", {"query": "blue", "attributes": {"colour": "blue"}}, ["blue"]),  # narrows it
    ("and the owl one?", {"query": "owl", "references": [Reference(kind="name", text="owl")]}, ["owl"]),
])
def test_the_need_itself_said_with_also_is_not_another_thing(message, slots, described):
    action = decide(shown(), parse("refine", confidence=0.5, **slots), message, described=described)
    assert action.rule != "asks_for_another_thing", (message, action)


@pytest.mark.parametrize("message,offered", [
    ("zinc ones look a bit more manly", False), ("the pink ones are cute", False),
    ("the pink one is cute", True), ("the glitzy galz ones r gorgeous omg", True),
])
def test_a_look_liked_in_the_plural_asks_for_it_and_offers_nothing(message, offered):
    action = decide(shown(), parse("praise", confidence=0.9), message)
    assert (action.kind == "offer_add") == offered, (message, action)


IDEAS = Need(query="need to sort a few xmas pressies", gift=True, for_whom="brother")


@pytest.mark.parametrize("message,described,rule", [
    ("right, now my niece, shes 7", [], "ideas_for_another_person"),
    ("grandad now, he likes his garden", ["garden"], "gift_for_another_person"),
])
def test_the_next_person_to_shop_for_starts_a_new_need(message, described, rule):
    action = decide(shown(IDEAS), parse("chitchat", confidence=0.4), message, described=described)
    assert action.rule == rule, (message, action)


@pytest.mark.parametrize("message,need", [
    ("black?? bit goth for my mum", SHOES),  # who a need with no one yet is for
    ("my brother will just get her flowers from the garage lol", IDEAS),  # a person doing something
    ("it's for my brother", IDEAS),  # the same person
])
def test_a_person_named_otherwise_starts_nothing(message, need):
    action = decide(shown(need), parse("chitchat", confidence=0.4), message)
    assert "another_person" not in action.rule, (message, action)


def test_the_answer_to_what_they_are_into_is_the_need_and_a_budget_narrows_the_ideas():
    asked = DialogueState(need=IDEAS, shown=["a"], pending=Pending(kind="interests"))
    assert decide(asked, parse("chitchat", confidence=0.4), "hmm he does like a cuppa").rule == "says_what_they_like"
    assert decide(asked, parse("chitchat", confidence=0.4), "no idea tbh").kind == "chat"
    budget = decide(shown(IDEAS), parse("refine", max_price=10.0), "anything under a tenner?")
    assert (budget.kind, budget.rule) == ("recommend", "narrows_gift_ideas")
    searched = IDEAS.model_copy(update={"lexical": "cuppa"})  # once they are described, a budget refines
    assert decide(shown(searched), parse("refine", max_price=10.0), "anything under a tenner?").kind == "refine"


GARDEN = Need(query="something for the garden", lexical="garden")


@pytest.mark.parametrize("state,message,intent,not_rule", [
    (shown(GARDEN), "it's a present for my dad", "gift_help", "gift_ideas"),  # words in hand: refined
    (DialogueState(), "can i add a gift message?", "check_invoice", "gift_ideas"),  # support
    (DialogueState(), "thanks, that'll make a great present", "thanks", "gift_ideas"),  # talk
    (shown(SHOES.model_copy(update={"for_whom": "wife"})), "my husband too", "refine", "ideas_for_another_person"),
    (shown(IDEAS), "i'll ask my sister", "chitchat", "ideas_for_another_person"),  # a person, not the next one
    (shown(IDEAS), "anything cheaper?", "refine", "narrows_gift_ideas"),  # not a budget: nothing to re-pick by
])
def test_gift_rules_leave_alone_what_is_not_theirs(state, message, intent, not_rule):
    action = decide(state, parse(intent, confidence=0.9), message)
    assert action.rule != not_rule, (message, action)


@pytest.mark.parametrize("message", ["hmm let me think", "idk", "sounds good", "no idea what she's into tbh"])
def test_a_non_answer_to_what_they_are_into_leaves_the_ideas(message):
    asked = DialogueState(need=IDEAS, shown=["a"], pending=Pending(kind="interests"))
    assert decide(asked, parse("chitchat", confidence=0.5), message).rule != "says_what_they_like", message


@pytest.mark.parametrize("message,kinds", [
    ("ok ill come back to the shoes", ["shoe"]), ("nah, bag n clutch are enough", ["bag", "clutch"]),
    ("ugh all plastic. skip it then", []), ("vareesha looks nicer but lemme think", []),
    ("hmm actually shes got loads of cake stands already tbh", ["cake stand"]),
])
def test_the_need_put_aside_is_talk_that_keeps_it(message, kinds):
    action = decide(shown(), parse("refine", confidence=0.6), message, kinds=kinds)
    assert (action.kind, action.rule) == ("chat", "puts_it_off"), action


@pytest.mark.parametrize("message,kinds,slots", [
    ("meh skip those. chopping board for her bread", ["chopping board"], {}),
    ("cheap digital one under 500 is enough", [], {"max_price": 500}),
    ("ill wait, do you have any in red?", [], {}),
    ("skip those, show me the red ones", [], {}), ("skip those, candles instead", ["candle"], {}),
    ("thats enough lamps, i need a gift for my wife now", [], {}), ("skip it, what about something cheaper", [], {}),
    ("my dad will leave for the uk next week so need something compact", [], {}),
])
def test_something_asked_beside_putting_off_is_a_request(message, kinds, slots):
    action = decide(shown(), parse("refine", confidence=0.6, **slots), message, kinds=kinds)
    assert action.rule != "puts_it_off", action


@pytest.mark.parametrize("message,singled,last", [
    ("go with bootwale", "bootwale", "search"), ("ok go for paul mitchell", "paul mitchell", "search"),
    ("3 of the black please", "black", "search"), ("go for the second one", None, "search"),
    ("take the ceramic burner pot, 2 of them", "ceramic burner", "search"),
    ("ok 2 of them", None, "answer"), ("ill take that one thanks", None, "answer"),
    ("ok go for 2 of those", None, "offer_add"), ("ill take it, bye!", None, "answer"),
])
def test_a_firm_request_to_buy_adds_whatever_the_parser_read(message, singled, last):
    state = shown().model_copy(update={"last_action": last})
    action = decide(state, parse("refine", confidence=0.9), message, singled=singled)
    assert (action.kind, action.rule) == ("add_to_cart", "asks_to_buy"), action


@pytest.mark.parametrize("message", ["ok 2 of them", "ok go for it", "one of the green please",
                                     "go for the cheaper ones then"])
def test_a_pointer_at_a_list_is_no_firm_request_for_one_of_it(message):
    action = decide(shown().model_copy(update={"last_action": "search"}), parse("refine", confidence=0.6), message)
    assert action.kind != "add_to_cart", action


@pytest.mark.parametrize("message", [
    "take the lanterns out actually", "i'll have a look", "how much would 3 of those be", "go for a walk lol, back in 5",
    "ok take it easy", "going for lunch brb", "go with the flow lol", "take 10, brb", "ill buy it later",
    "ill take the weekend to decide", "ill take that as a no", "no ill buy it elsewhere",
    "take it back, the handle is broken", "nah ill go for something cheaper", "ill go with whatever you think",
    "one of them has a crack in the photo", "two of those look identical", "3 of the reviews say it breaks",
    "one of the kids is really into dinosaurs", "go with bootwale",  # bootwale is no shown product's name here
])
def test_words_like_a_request_to_buy_that_are_not_one_leave_the_basket(message):
    action = decide(shown(), parse("refine", confidence=0.9), message)
    assert action.kind != "add_to_cart", action


@pytest.mark.parametrize("message", ["how much was it again?", "wait do they come in 5", "battery included?",
                                     "is it waterproof"])
def test_a_question_about_the_product_in_view_is_answered_whatever_the_parser_read(message):
    action = decide(shown(), parse("greeting", confidence=0.4), message)
    assert (action.kind, action.rule) == ("answer", "asks_about_it"), action


@pytest.mark.parametrize("message", ["do you have any in red?", "any cheaper ones?", "have you got them in blue"])
def test_a_question_asking_for_other_products_is_not_about_the_one_in_view(message):
    action = decide(shown(), parse("refine", confidence=0.7), message)
    assert action.rule != "asks_about_it", action


@pytest.mark.parametrize("message", ["hmm the fairy cakes ones a bit childish for me",
                                     "these audi style ones are too modern na, something traditional"])
def test_a_judgement_against_a_shown_product_is_a_dislike_whatever_the_parser_read(message):
    action = decide(shown(), parse("praise", confidence=0.7), message)
    assert (action.kind, action.rule, action.intent) == ("refine", "objects_to_one_shown", "dislike"), action


def test_a_judgement_in_another_clause_than_the_pointer_is_no_dislike_of_it():
    action = decide(shown(), parse("refine", confidence=0.9, attributes={"material": "silver"}),
                    "silver ones, gold is too costly")
    assert action.rule != "objects_to_one_shown", action


def test_one_shown_product_pointed_at_by_its_place_and_nothing_else_is_a_choice():
    first = [Reference(kind="position", index=0)]
    action = decide(shown(), parse("greeting", confidence=0.5, references=first), "ok the first one")
    assert (action.kind, action.rule) == ("offer_add", "picks_one_by_place"), action
    both = decide(shown(), parse("compare", confidence=0.9, references=first), "the first two")
    assert both.kind != "offer_add", both


def test_praise_with_a_question_in_another_clause_is_no_offer():
    action = decide(shown(), parse("praise", confidence=0.9), "the owl one looks good but is it waterproof",
                    singled="owl")
    assert action.kind != "offer_add", action


def test_a_request_for_products_replaces_a_need_of_no_kind():
    state = shown(Need(query="my flat is freezing", lexical="flat freezing"))
    action = decide(state, parse("search", confidence=0.6), "looking for something to keep warm on the sofa")
    assert (action.kind, action.rule) == ("search", "asks_afresh"), action
    gift = shown(Need(query="present for my dad", for_whom="dad", gift=True))
    assert decide(gift, parse("search", confidence=0.6), "looking for something cosy").rule != "asks_afresh"


def test_putting_off_a_product_in_the_basket_does_not_take_it_out():
    action = decide(shown(), parse("remove_from_cart", confidence=0.9), "hmm ill leave the cake tin for now",
                    basket=["SET OF 3 REGENCY CAKE TINS"])
    assert action.kind != "remove_from_cart", action
    taken = decide(shown(), parse("remove_from_cart", confidence=0.9), "take the cake tin out",
                   basket=["SET OF 3 REGENCY CAKE TINS"])
    assert taken.kind == "remove_from_cart", taken


def test_a_liking_said_in_the_titles_words_refines_whatever_the_parser_read():
    action = decide(shown(), parse("greeting", confidence=0.6), "she loves tweety and all cartoon stuff",
                    described=["tweety", "cartoon"])
    assert action.kind == "refine", action


def test_a_thing_asked_for_by_what_it_is_for_is_a_search():
    action = decide(shown(), parse("greeting", confidence=0.3), "and something to display them on", described=["display"])
    assert (action.kind, action.rule) == ("search", "asks_for_a_thing_to_do_something"), action


def test_an_unsure_parser_reading_of_deals_is_not_enough():
    action = decide(shown(), parse("deals", confidence=0.3), "aadyaa set is pack of 2 only?", singled="aadyaa")
    assert action.kind != "deals", action


@pytest.mark.parametrize("message", ["sup", "ugh what a faff"])
def test_words_no_product_title_uses_and_no_sure_request_are_talk(message):
    action = decide(DialogueState(), parse("search", confidence=0.4), message)
    assert action.kind == "chat", action


def test_an_unknown_word_for_someone_is_still_a_request():
    action = decide(DialogueState(), parse("gift_help", confidence=0.4), "neckless for my gf")
    assert action.kind in ("search", "recommend"), action


@pytest.mark.parametrize("message,intent", [
    ("not the first one", "refine"), ("tell me more about the first one", "product_question"),
    ("show the first one again", "similar"),
])
def test_more_than_a_place_said_is_no_choice(message, intent):
    first = [Reference(kind="position", index=0)]
    action = decide(shown(), parse(intent, confidence=0.6, references=first), message)
    assert action.kind != "offer_add", action


@pytest.mark.parametrize("message", ["the ceramic one looks like a toilet lol", "rattan one is like a cage haha"])
def test_like_as_a_comparison_is_no_liking(message):
    action = decide(shown(), parse("refine", confidence=0.5), message, singled=message.split()[0 if "rattan" in message
                                                                                                 else 1])
    assert action.kind != "offer_add", action


@pytest.mark.parametrize("message", ["drop the lamp from my basket, ill wait till payday",
                                     "take it off my cart, ill think about it"])
def test_a_removal_from_the_basket_with_a_wait_still_removes(message):
    action = decide(shown(), parse("remove_from_cart", confidence=0.9), message, basket=["BRASS TABLE LAMP"])
    assert action.kind == "remove_from_cart", action


@pytest.mark.parametrize("message", ["is it available under 500", "do they have a bigger one",
                                     "is it possible to get them in red"])
def test_a_pronoun_question_asking_for_others_refines(message):
    action = decide(shown(), parse("refine", confidence=0.7, max_price=500 if "500" in message else None,
                                   attributes={"colour": "red"} if "red" in message else {}), message)
    assert action.rule != "asks_about_it", action


def test_a_pronoun_request_about_a_need_of_no_kind_is_no_new_search():
    state = shown(Need(query="something to keep warm on the sofa", lexical="warm sofa"))
    action = decide(state, parse("refine", confidence=0.6), "need it to be washable")
    assert action.rule != "asks_afresh", action


def test_a_polite_request_to_buy_a_named_one_is_not_a_question_about_it():
    action = decide(shown(), parse("add_to_cart", confidence=0.9), "could u pop the rattan in my cart pls?",
                    singled="rattan")
    assert action.kind != "answer", action


def test_a_thing_no_title_names_asked_for_besides_is_a_new_search():
    action = decide(shown(), parse("search", confidence=0.9, query="earrings"), "also need earrings to match")
    assert (action.kind, action.rule) == ("search", "asks_for_a_thing_not_sold"), action
    kept = decide(shown(), parse("search", confidence=0.9, query="sulphate free"), "sulphate free hona chahiye")
    assert kept.rule != "asks_for_a_thing_not_sold", kept


@pytest.mark.parametrize("message", ["hmm these are kinda plain for a wedding", "they all look a bit cheap tbh"])
def test_a_judgement_against_everything_shown_pages_on(message):
    action = decide(shown(), parse("refine", confidence=0.6), message)
    assert (action.kind, action.rule) == ("more", "objects_to_all_shown"), action


def test_a_request_naming_a_thing_no_title_uses_still_searches():
    assert decide(DialogueState(), parse("out_of_scope", confidence=0.5), "show me computers").kind == "search"


@pytest.mark.parametrize("message", ["no worries ta", "no rush, thanks"])
def test_no_worries_rules_nothing_out(message):
    assert decide(shown(), parse("thanks", confidence=0.7), message).kind == "chat"


def test_thanks_inside_a_products_name_is_no_thanks():
    action = decide(shown(), parse("thanks", confidence=0.8), "the thank you one is perfect", singled="thank you")
    assert (action.kind, action.rule) == ("offer_add", "praises_shown"), action


def test_asking_for_a_named_one_in_another_colour_refines():
    action = decide(shown(), parse("refine", confidence=0.5, attributes={"colour": "pink"}),
                    "yeah but have you got it in pink?", singled="owl")
    assert action.kind != "answer", action


@pytest.mark.parametrize("message", ["dont put it in please", "nahi yaar, mat daal do", "mat add karo",
                                     "can u put the link in pls", "put my name in thanks"])
def test_a_negated_or_non_product_put_in_never_buys(message):
    action = decide(shown().model_copy(update={"last_action": "answer"}), parse("chitchat", confidence=0.4), message)
    assert action.kind != "add_to_cart", action


@pytest.mark.parametrize("message", ["doesn't matter, add it to my basket", "won't hurt, add it to my basket",
                                     "didn't expect that, put it in my basket"])
def test_an_aside_before_a_request_to_buy_is_no_refusal(message):
    action = decide(shown().model_copy(update={"last_action": "answer"}), parse("add_to_cart", confidence=0.9), message)
    assert action.kind == "add_to_cart", action


@pytest.mark.parametrize("message,slots", [
    ("all too pricey, anything under 500", {"max_price": 500}), ("they're too small, need a bigger one", {}),
])
def test_a_judgement_with_a_change_asked_refines_not_pages(message, slots):
    action = decide(shown(), parse("refine", confidence=0.7, **slots), message)
    assert action.rule != "objects_to_all_shown", action


def test_something_in_a_look_is_no_thing_the_shop_lacks():
    action = decide(shown(), parse("search", confidence=0.8, query="walnut"), "i want something in walnut")
    assert action.rule != "asks_for_a_thing_not_sold", action


@pytest.mark.parametrize("message", ["brb kid crying", "hang on, doorbell", "one sec my dog is barking"])
def test_stepping_away_keeps_the_need_whatever_it_names(message):
    action = decide(shown(), parse("search", confidence=0.52), message, described=["kid", "dog", "bell"])
    assert (action.kind, action.rule) == ("chat", "steps_away"), action


def test_a_thing_no_title_names_asked_for_besides_is_searched_whatever_the_parser_read():
    action = decide(shown(), parse("recommend_for_me", confidence=0.23, query="earphones"), "also earphones for him")
    assert (action.kind, action.rule) == ("search", "asks_for_a_thing_not_sold"), action


@pytest.mark.parametrize("message", ["how much is it again", "is it the same size again?"])
def test_a_question_about_it_with_again_is_no_request_for_more(message):
    state = shown().model_copy(update={"last_action": "offer_add"})
    action = decide(state, parse("more", confidence=0.9), message)
    assert action.kind == "answer", action


@pytest.mark.parametrize("message", ["get the first one", "2nd one, add pls", "ok add the second one"])
def test_a_place_with_a_verb_to_buy_adds_whatever_the_parser_read(message):
    action = decide(shown(), parse("refine", confidence=0.5), message)
    assert action.kind == "add_to_cart", action


@pytest.mark.parametrize("message", ["these r kinda ugly ngl. more?", "these are kinda naff tbh"])
def test_a_judgement_on_everything_shown_pages_on(message):
    action = decide(shown(), parse("chitchat", confidence=0.4), message)
    assert action.kind == "more", action


@pytest.mark.parametrize("message,kinds", [
    ("cotton only, her skin is v sensitive", ["skin"]),
    ("whats the length? my waist is 34", ["waist"]),
])
def test_something_a_person_has_said_mid_need_is_no_new_need(message, kinds):
    action = decide(shown(), parse("search", confidence=0.55), message, kinds=kinds)
    assert action.rule != "names_a_new_kind", action


@pytest.mark.parametrize("message,kinds,intent", [
    ("she is a school teacher, standing whole day so comfort is most imp", ["school"], "gift_help"),
    ("im in college so budget v tight.. under 300 pls", ["college"], "refine"),
    ("btw he's a boy, 8 years old", ["boy"], "refine"),
])
def test_who_someone_is_said_mid_need_names_no_new_kind(message, kinds, intent):
    action = decide(shown(), parse(intent, confidence=0.9), message, kinds=kinds)
    assert action.rule != "names_a_new_kind", action


def test_who_someone_is_does_not_hide_a_kind_asked_for_beside_it():
    action = decide(shown(), parse("search", confidence=0.9), "shes a teacher, any bags for her?", kinds=["bag"])
    assert action.kind == "search", action


@pytest.mark.parametrize("message,kinds", [
    ("she is a size 8 any dresses?", ["dress"]), ("he is 6ft any sweatshirts", ["sweatshirt"]),
    ("my son is 12 needs a school bag", ["school bag"]), ("hes 14 wants headphones", ["headphone"]),
    ("im vegan any wallets", ["wallet"]), ("i'm also interested in wallets", ["wallet"]),
])
def test_who_someone_is_beside_a_request_keeps_the_kind_asked_for(message, kinds):
    action = decide(shown(), parse("search", confidence=0.9), message, kinds=kinds)
    assert (action.kind, action.rule) == ("search", "names_a_new_kind"), action


def test_something_owned_names_the_need_when_there_is_none():
    action = decide(DialogueState(), parse("search"), "his lunchbox has somehow snapped clean in half", kinds=["lunch box"])
    assert action.kind == "search", action


def test_saying_who_you_are_beside_a_budget_is_no_deals_question():
    action = decide(shown(), parse("refine", confidence=0.65, max_price=600.0), "budget is like 600 max, im a student lol")
    assert action.kind == "refine", action


def test_asking_whether_the_shop_sells_a_thing_is_a_request_not_talk():
    action = decide(shown(), parse("search", confidence=0.93), "do u sell electric blankets")
    assert action.kind == "search", action


@pytest.mark.parametrize("message", ["omg way too expensive", "these are a bit out of my budget"])
def test_too_dear_asks_for_cheaper_of_the_same_need(message):
    action = decide(shown(), parse("refine", confidence=0.38), message)
    assert action.kind == "refine", action


def test_a_removal_naming_a_thing_not_in_the_basket_is_still_a_removal():
    action = decide(shown(), parse("remove_from_cart", confidence=0.82), "remove the kadhai, my mom is giving me hers",
                    basket=("abc women flats",))
    assert action.kind == "remove_from_cart", action


def test_a_thing_someone_has_is_no_product_word_mid_need():
    action = decide(shown(), parse("refine", confidence=0.8), "sorry dear, wrong window! my glasses were on my head",
                    described=("glasses", "head"))
    assert action.kind == "chat", action


def test_a_question_about_a_shown_ones_size_is_answered_not_a_size_change():
    refs = [Reference(kind="position", index=0, text="the first one")]
    action = decide(shown(), parse("search", confidence=0.51, references=refs),
                    "How big is the first one? It needs to fit a handful of sugared almonds")
    assert action.kind == "answer", action


@pytest.mark.parametrize("message,expected", [
    ("ok do u sell wrapping paper then", "search"),
    ("do you have them in blue", "refine"),
])
def test_asking_whether_another_thing_is_sold_is_a_new_request(message, expected):
    action = decide(shown(), parse("refine", confidence=0.42, **({"attributes": {"colour": "blue"}} if "blue" in message else {})),
                    message)
    assert action.kind == expected, action


def test_asking_whether_the_shop_has_something_unnamed_stays_with_the_need():
    action = decide(shown(), parse("refine", confidence=0.7), "do you have anything that holds a few photos at once")
    assert action.rule != "asks_whether_sold", action


@pytest.mark.parametrize("message", ["ok can i have 2 packs of the first plates",
                                     "Could I have three of them? It's a big tree."])
def test_asking_politely_to_have_a_shown_one_is_a_request_to_buy(message):
    action = decide(shown(), parse("refine", confidence=0.76), message)
    assert action.kind in ("add_to_cart", "set_quantity"), action


def test_asking_to_have_a_shown_one_in_another_colour_is_no_request_to_buy():
    action = decide(shown(), parse("refine", confidence=0.76, attributes={"colour": "blue"}), "can i have it in blue?")
    assert action.kind not in ("add_to_cart", "set_quantity", "offer_add"), action


@pytest.mark.parametrize("message", ["nvm will use my old one. show cart", "back. what's the total now"])
def test_asking_for_the_basket_shows_it_whatever_the_parser_read(message):
    assert decide(shown(), parse("greeting", confidence=0.5), message).kind == "view_cart"


@pytest.mark.parametrize("message", ["3rd one kitne ka hai?", "2nd one has mic?", "1st one fast charging hai?"])
def test_a_question_about_one_shown_by_its_place_is_answered(message):
    action = decide(shown(), parse("greeting", confidence=0.4), message)
    assert action.kind == "answer", action


def test_two_places_in_a_question_are_no_question_about_one():
    action = decide(shown(), parse("compare", confidence=0.9), "is the 1st one better than the 2nd one?")
    assert action.kind == "compare", action


@pytest.mark.parametrize("message", ["cod available hai?", "upi chalega?", "back. emi option hai?"])
def test_a_way_to_pay_is_a_support_question(message):
    action = decide(shown(), parse("greeting", confidence=0.3), message)
    assert (action.kind, action.intent) == ("support", "check_payment_methods"), action


@pytest.mark.parametrize("message", ["ok fine add it, size 12", "ok add it size 3"])
def test_a_request_to_buy_with_its_size_after_it_buys(message):
    action = decide(shown(), parse("refine", confidence=0.6, attributes={"size": message.split()[-1]}), message)
    assert action.kind == "add_to_cart", action


@pytest.mark.parametrize("message,singled", [("hero cd wala, 2 pieces", "hero cd"), ("dolly girl it is. 2 packs", "dolly girl")])
def test_a_shown_one_chosen_with_a_count_is_bought(message, singled):
    action = decide(shown(), parse("refine", confidence=0.6), message, singled=singled)
    assert action.kind == "add_to_cart", action


@pytest.mark.parametrize("message,kinds", [
    ("my mum already got me a lamp so im sorted for that at least", ["lamp"]),
    ("My sister has already bought her a candle so not one of those", ["candle"]),
    ("not a watch pls, my brother in law gifted her one on her bday", ["watch"]),
])
def test_a_thing_already_had_or_ruled_out_is_no_new_need(message, kinds):
    action = decide(shown(), parse("search", confidence=0.5), message, kinds=kinds)
    assert action.rule != "names_a_new_kind", action


@pytest.mark.parametrize("message,slots", [
    ("both genuine leather?", {"attributes": {"material": "leather"}}),
    ("2nd one real stone hai ya artifical", {}),
    ("it comes in 10-11 yrs na?", {"attributes": {"size": "10-11 yrs"}}),
])
def test_a_yes_or_no_question_about_what_is_shown_is_answered(message, slots):
    assert decide(shown(), parse("refine", confidence=0.8, **slots), message).kind == "answer"


def test_asking_for_others_in_a_material_is_a_refinement():
    action = decide(shown(), parse("refine", confidence=0.8, attributes={"material": "leather"}), "any in leather?")
    assert action.kind == "refine", action


@pytest.mark.parametrize("message", ["Can you gift wrap them separately?", "can you put a little gift note in with it"])
def test_a_service_asked_of_the_shop_is_a_support_matter(message):
    action = decide(shown(), parse("product_question", confidence=0.7), message)
    assert action.kind == "support", action


def test_a_request_to_buy_read_by_the_parser_answers_a_pending_offer():
    state = shown(pending=Pending(kind="offer_add", product_id="a"))
    action = decide(state, parse("add_to_cart", confidence=0.69), "yeh go on, 2 so i have a spare when she nicks it")
    assert (action.kind, action.rule) == ("add_to_cart", "yes_to_offer"), action


def test_a_thing_that_came_broken_is_a_return_not_a_search():
    action = decide(shown(), parse("search", confidence=0.4), "the nesting doll boxes, one of them was cracked when it came",
                    kinds=["box"])
    assert (action.kind, action.intent) == ("support", "return_item"), action


@pytest.mark.parametrize("message,intent", [
    ("536365 i think", "track_order"), ("OD50711234980. pls check", "track_order"),
    ("will it reach by friday? 400076", "delivery_period"),
    ("Can you gift wrap it and send it straight to her?", "gift_service"),
])
def test_order_numbers_arrival_and_services_are_support(message, intent):
    state = DialogueState(need=SHOES, shown=["a", "b"], seen=["a", "b"], focus="a", last_action="support")
    action = decide(state if intent == "track_order" else shown(), parse("product_question", confidence=0.4), message,
                    kinds=["wrap"] if "wrap" in message else [])
    assert (action.kind, action.intent) == ("support", intent), action


def test_a_deal_asked_beside_a_kind_is_a_deals_question():
    message = "do you do a discount if I buy 10 of something? thinking party bags for all the kids"
    assert decide(shown(), parse("search", confidence=0.44), message, kinds=["party bag"]).kind == "deals"


def test_taking_a_named_thing_off_is_a_removal():
    action = decide(shown(), parse("search", confidence=0.56), "can you take the napkins off actually, my mum's got loads",
                    basket=("RED NAPKINS",))
    assert action.kind == "remove_from_cart", action


def test_a_hinglish_budget_after_its_amount_refines():
    action = decide(shown(), parse("search", confidence=0.88, max_price=500.0), "thoda sasta dikhao na, 500 se kam")
    assert action.kind == "refine", action


def test_a_choice_of_features_about_one_shown_is_a_question_not_a_comparison():
    action = decide(shown(), parse("compare", confidence=0.56), "the 2nd one, batteries or plug in?")
    assert action.kind == "answer", action



@pytest.mark.parametrize("message,slots", [("cheaper than the first one?", {"price_change": "lower"}),
                                           ("red one?", {"attributes": {"colour": "red"}})])
def test_asking_for_a_cheaper_or_another_colour_one_is_a_refinement(message, slots):
    assert decide(shown(), parse("refine", confidence=0.8, **slots), message).kind == "refine"


@pytest.mark.parametrize("message,intent", [
    ("can i get the price?", "product_question"), ("can i get the refund for my last order?", "get_refund"),
    ("can i get the same in blue?", "refine"), ("not the first one, 2 pieces", "deny"),
    ("how much for the 2nd one, 3 sets", "product_question"),
])
def test_asking_about_or_refusing_a_shown_one_never_buys_it(message, intent):
    action = decide(shown(), parse(intent, confidence=0.7), message)
    assert action.kind not in ("add_to_cart", "set_quantity"), (message, action)


def test_a_request_naming_another_product_does_not_buy_the_offered_one():
    state = shown(pending=Pending(kind="offer_add", product_id="a"))
    action = decide(state, parse("add_to_cart", confidence=0.9), "add the skmei one instead", singled="skmei")
    assert action.rule != "yes_to_offer", action


@pytest.mark.parametrize("message,slots", [("show me trolley bags", {}), ("15000", {"max_price": 15000.0})])
def test_a_search_or_a_budget_is_neither_the_basket_nor_an_order(message, slots):
    action = decide(shown(), parse("search", confidence=0.8, **slots), message, kinds=["trolley bag"] if "bags" in message else [])
    assert action.kind not in ("view_cart", "support"), action


def test_a_refinement_that_is_a_thing_alone_is_a_search_for_it():
    from assistant.decide import searched_for
    assert searched_for(parse("refine", query="shorts")) == "shorts"
    assert searched_for(parse("refine", query="bigger size", attributes={"size": "size"})) is None
    assert searched_for(parse("search", query="mugs")) == "mugs"
    assert searched_for(parse("product_question", query="mic")) is None


@pytest.mark.parametrize("message", ["actually take the serviettes off", "can you take the napkins off actually"])
def test_taking_a_named_thing_off_is_a_removal_answered_from_the_basket_even_when_it_holds_none(message):
    action = decide(shown(), parse("chitchat", confidence=0.6), message, basket=[])
    assert action.kind == "remove_from_cart", action


def test_a_thing_asked_for_besides_the_need_is_searched_even_when_the_shop_names_it_nowhere():
    action = decide(shown(), parse("search", confidence=0.9, query="football"), "oh and a football too if u have")
    assert action.kind == "search", action
    talk = decide(shown(), parse("thanks", confidence=0.9), "oh and thanks, that was quick")
    assert talk.kind == "chat", talk


def test_something_for_a_person_named_in_hinglish_is_a_gift():
    from assistant.query import named_recipient
    assert named_recipient("mujhe apne papa ke liye kuch lena hai, unka birthday hai") == "papa"
    action = decide(DialogueState(), parse("search", confidence=0.7), "mujhe apne papa ke liye kuch lena hai")
    assert (action.kind, action.rule) == ("recommend", "gift_ideas"), action


@pytest.mark.parametrize("message", ["lovely, that's me done. ta", "love that one, thats all for now thanks"])
def test_praise_in_a_goodbye_offers_nothing(message):
    action = decide(shown(), parse("thanks", confidence=0.7), message)
    assert action.kind != "offer_add", action


@pytest.mark.parametrize("message", ["take the lid off, is it dishwasher safe", "can you take the lid off to clean it?"])
def test_taking_a_part_off_in_a_question_is_no_removal(message):
    action = decide(shown(), parse("product_question", confidence=0.8), message, basket=["WHITE TEAPOT"])
    assert action.kind != "remove_from_cart", action


def test_a_thing_named_with_no_word_of_a_deal_is_asked_for_whatever_the_parser_read():
    pencils = Need(kind="pencil", kinds=["pencil"], query="pencils")
    action = decide(shown(pencils), parse("deals", confidence=0.62), "do u do reward stickers?", kinds=["sticker"])
    assert action.kind == "search", action
    deal = decide(shown(pencils), parse("deals", confidence=0.62), "any reward for buying lots?")
    assert deal.kind == "deals", deal


def test_the_thing_a_removal_takes_out_is_no_new_need_whatever_the_reason_names():
    cards = Need(kind="christmas card", kinds=["christmas card"], query="christmas cards")
    message = "Take the decorations out. A colleague has just informed me there's a whole box of them in the stockroom"
    action = decide(shown(cards), parse("search", confidence=0.75, query="decorations"), message,
                    kinds=["decoration", "box"])
    assert action.kind == "remove_from_cart", action


def test_praise_of_the_assistant_names_no_kind():
    placed = Need(kind="card", kinds=["card"], query="place cards")
    action = decide(shown(placed), parse("thanks", confidence=0.22), "perfect. thank you so much, you've been a star ✨",
                    kinds=["star"])
    assert action.kind == "chat", action


def test_a_kind_asked_for_beside_a_removal_is_a_new_need():
    cards = Need(kind="christmas card", kinds=["christmas card"], query="christmas cards")
    action = decide(shown(cards), parse("search", confidence=0.9, query="candles"),
                    "take the lanterns out and add some candles instead", kinds=["lantern", "candle"])
    assert action.kind != "remove_from_cart", action


def test_a_removal_is_no_look_at_the_basket_whatever_the_parser_read():
    moulds = Need(kind="mould", kinds=["mould"], query="chocolate moulds")
    action = decide(shown(moulds), parse("view_cart", confidence=0.7),
                    "take the blue baskets out, my daughter says shes already got some", kinds=["basket"])
    assert action.kind == "remove_from_cart", action


def test_what_do_you_have_asks_for_is_its_own_clause():
    clothes = Need(kind="clothe", kinds=["clothe"], query="soft clothes")
    action = decide(shown(clothes), parse("refine", confidence=0.86, query="diapers pant"),
                    "also do u have diapers? newborn size, the pant style ones", described=["size", "pants", "style"])
    assert action.kind == "search", action


def test_anything_like_that_after_naming_one_asks_for_similar_and_a_place_with_a_count_buys():
    holders = Need(kind="holder", kinds=["holder"], query="t-light holders")
    similar = decide(shown(holders), parse("product_question", confidence=0.7),
                     "the frosted star one from my last order flew out, anything like that?", singled="frosted star")
    assert similar.kind == "similar", similar
    placed = decide(shown(holders), parse("add_to_cart", confidence=0.7), "Ok the third, two of them please")
    assert placed.kind == "add_to_cart", placed


def test_a_weak_parser_reading_of_similar_leaves_a_question_about_a_placed_one():
    action = decide(shown(), parse("similar", confidence=0.3, references=[Reference(kind="position", index=1)]),
                    "The second one on this page, dimensions?")
    assert action.kind == "answer", action


def test_a_thing_asked_for_is_asked_for_even_when_a_self_description_names_it_too():
    umbrellas = Need(kind="umbrella", kinds=["umbrella"], query="umbrella")
    action = decide(shown(umbrellas), parse("search", confidence=0.9, query="wrapping paper"),
                    "Oh and I'll need wrapping paper. I'm rubbish at wrapping but I do try", kinds=["wrapping"])
    assert action.kind == "search", action


def test_changing_the_second_one_sets_no_count_and_a_total_for_three_prices_three():
    action = decide(shown(), parse("change_order", confidence=0.6), "can you change the second one?")
    assert action.kind != "set_quantity", action
    priced = decide(shown(), parse("product_question", confidence=0.6), "how much is it in total for 3?")
    assert priced.kind == "answer", priced


@pytest.mark.parametrize("message,intent,rule", [
    ("hmm leave it. how much is delivery for the pendant", "product_question", "asks_what_delivery_costs"),
    ("is there free shipping?", "greeting", "asks_what_delivery_costs"),
    ("ye saturday tak aa jayega na? delhi 110085", "contact_customer_service", "asks_when_it_arrives"),
])
def test_a_delivery_question_mid_shopping_is_answered_as_one_whatever_the_parser_read(message, intent, rule):
    action = decide(shown(), parse(intent, 0.4), message)
    assert (action.kind, action.rule) == ("support", rule), action


@pytest.mark.parametrize("message,intent,kind", [
    ("dusra wala mast hai", "chitchat", "offer_add"),  # praise of the second one, in Hindi
    ("pehla wala bahut pyaara hai", "chitchat", "offer_add"),
    ("bas yahi le leta hu, pehla wala", "search", "add_to_cart"),  # taken, the place said after
    ("teesra wala order kar do", "chitchat", "add_to_cart"),
    ("sabse sasta wala add kr do", "refine", "add_to_cart"),
    ("accha ok", "chitchat", "chat"),  # "ok" is no praise
])
def test_hinglish_praise_and_requests_to_buy_read_as_english_ones(message, intent, kind):
    action = decide(shown(), parse(intent, 0.4), message)
    assert action.kind == kind, action


@pytest.mark.parametrize("message,intent,expected", [
    ("size M hoga?", "refine", "answer"),
    ("real stone hai ya artifical", "refine", "answer"),
    ("wait is amethyst purple? she hates purple", "refine", "answer"),
    ("is it leather?", "refine", "answer"),  # a yes-or-no question: the material is what is asked of it
    ("so 3 packs would be 216?", "refine", "answer"),
    ("have you got it in blue?", "refine", "refine"),  # others of the need, not this one
    ("any cheaper ones?", "refine", "refine"),
    ("ties bhi hai?", "search", "search"),  # another thing asked for besides
])
def test_a_question_while_one_product_is_in_view_is_about_it(message, intent, expected):
    state = shown()
    state.last_action = "answer"  # one product was just asked about
    attributes = {"colour": "blue"} if "blue" in message else {"material": "leather"} if "leather" in message \
        else {"colour": "purple"} if "purple" in message else {}
    action = decide(state, parse(intent, 0.8, attributes=attributes), message,
                    kinds=["tie"] if "ties" in message else [])
    assert action.kind == expected, action


@pytest.mark.parametrize("message,confidence,kind", [
    ("waterproof ideally", 0.98, "refine"), ("oversized fit", 0.94, "refine"),
    ("waterproof ideally", 0.8, "chat"),  # the parser not sure enough: talk, the need kept
])
def test_a_refinement_the_parser_is_sure_of_narrows_the_need_in_words_no_rule_reads(message, confidence, kind):
    assert decide(shown(), parse("refine", confidence), message).kind == kind


@pytest.mark.parametrize("message,intent,kind", [
    ("pehla wala bohot accha nahi hai", "praise", "chat"),  # praise denied is no praise
    ("sundar hai, koi dusra design dikhao", "praise", "refine"),  # asks to see others
    ("mast hai, dusri colour me bhi dikhao", "praise", "refine"),
])
def test_praise_denied_or_beside_a_request_for_others_offers_nothing(message, intent, kind):
    action = decide(shown(), parse(intent, 0.7, attributes={"colour": "other"} if "colour" in message else {}), message)
    assert action.kind != "offer_add", action


@pytest.mark.parametrize("message,intent", [
    ("what about for my brother?", "refine"), ("not leather?", "refine"), ("for a 10 year old?", "refine"),
    ("kids size?", "refine"), ("what is your name?", "out_of_scope"), ("what do you suggest for running?",
                                                                       "recommend_for_me"),
])
def test_a_question_that_narrows_or_talks_is_not_about_the_one_in_view(message, intent):
    state = shown()
    state.last_action = "answer"
    slots = {"attributes": {"gender": "kids"}} if "kids" in message else {}
    action = decide(state, parse(intent, 0.8, **slots), message)
    assert action.rule != "asks_about_the_one_in_view", action


def test_a_delivery_question_beside_a_request_to_buy_still_buys():
    action = decide(shown(), parse("add_to_cart", 0.8), "pehla wala add kar do, free delivery hai na")
    assert action.kind == "add_to_cart", action
