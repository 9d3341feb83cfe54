"""Words that say what a product is like (its colour, material, size, pattern, who it is for)
rather than what it is. Search, the derived kinds and the assistant's slot checks share them."""

from __future__ import annotations

COLOURS = {
    "red", "blue", "green", "pink", "white", "black", "yellow", "purple", "orange", "grey", "gray", "brown",
    "gold", "golden", "silver", "cream", "ivory", "beige", "navy", "teal", "turquoise", "lilac", "lavender",
    "maroon", "violet", "multicolor", "multicolour", "multi", "copper", "bronze", "rose", "peach", "mint",
    "khaki", "magenta", "aqua", "olive", "tan", "charcoal", "indigo", "mustard", "coral", "fuchsia", "ruby",
}
# A material said as an adjective is the material titles name ("not wooden": WOOD STOCKING).
MATERIAL_FORMS = {"wooden": "wood", "woollen": "wool", "woolen": "wool", "golden": "gold", "metallic": "metal",
                  "silken": "silk", "leathern": "leather", "glassy": "glass"}
MATERIALS = {
    "wood", "wooden", "glass", "ceramic", "metal", "enamel", "zinc", "felt", "cotton", "paper", "tin",
    "silk", "wool", "woollen", "leather", "plastic", "steel", "stainless", "silicone", "porcelain", "bamboo",
    "linen", "polyester", "rayon", "denim", "jute", "brass", "copper", "silver", "gold", "crystal", "rubber",
    "velvet", "canvas", "acrylic", "resin", "stone", "marble", "iron", "aluminium", "aluminum", "chiffon",
    "georgette", "nylon", "fabric", "vinyl", "pewter", "oak", "pine", "china", "stoneware", "terracotta",
}
GENDERS = {
    "men", "man", "mens", "male", "him", "boy", "boys", "gents", "gentlemen", "guys", "women", "woman", "womens",
    "female", "her", "girl", "girls", "ladies", "lady", "kids", "kid", "children", "child", "childrens", "baby",
    "babies", "infant", "infants", "toddler", "toddlers", "unisex", "teen", "teens", "teenager",
    "bloke", "blokes", "lad", "lads", "fella", "gent",
}
SIZE_WORDS = {
    "mini", "tiny", "small", "little", "medium", "large", "big", "jumbo", "giant", "huge", "extra", "xl", "xxl",
    "xs", "s", "m", "l", "xxxl", "king", "queen", "single", "double", "tall", "long", "short", "wide", "slim",
}
# Print and finish words that name a look, not a thing ("RED RETROSPOT MUG", "PAISLEY PARK CARD").
PATTERNS = {
    "retrospot", "polkadot", "polka", "dot", "dots", "spot", "spots", "spotty", "paisley", "gingham", "floral",
    "stripe", "stripes", "striped", "check", "checked", "tartan", "doily", "vintage", "retro",
    "antique", "rustic", "design", "des", "assorted", "asstd", "printed", "print", "solid", "plain", "flock",
    "glitter", "diamante", "beaded", "painted", "embroidered", "glaze", "glazed", "set", "pack", "of",
}
# Words for one look, as people say it and as titles print it: ruling out "spots" rules out
# POLKADOT and RETROSPOT too.
PATTERN_FAMILIES = (
    frozenset({"spot", "spots", "spotty", "dot", "dots", "dotty", "polkadot", "polka", "retrospot"}),
    frozenset({"stripe", "stripes", "striped", "stripy", "stripey"}),
    frozenset({"flower", "flowers", "flowery", "floral"}),
)
# Days people shop for: when a thing is for, never the thing ("a birthday present", "thinking
# ahead to christmas"), though catalogues name many products after them.
OCCASION_WORDS = {"christmas", "xmas", "easter", "birthday", "bday", "wedding", "anniversary", "valentine",
                  "valentines", "diwali", "halloween", "eid", "rakhi", "holi", "christening", "graduation", "retirement"}
# Places people live, work and study in: named in the singular ("his garden", "a tiny kitchen",
# "college has a dress code"), the place; a product of that name is asked for in the plural or
# before its thing word ("school bags", "kitchen scales").
PLACE_WORDS = {"house", "home", "garden", "kitchen", "office", "college", "school", "uni", "university", "room",
               "bedroom", "bathroom", "hall", "balcony", "work", "apartment", "hostel", "dorm"}
# Names people use for a kind of product that catalogues title another way (British, Indian and
# American English, and one-word spellings): a thesaurus of the language, not of one catalogue.
# The kind index tries these only for a word that is none of the store's own kinds.
KIND_SYNONYMS = {
    "trainer": ("sports shoe", "running shoe", "sneaker", "shoe"), "sneaker": ("sports shoe", "shoe"),
    "kicks": ("shoe",), "jumper": ("sweater", "pullover", "sweatshirt"), "hoodie": ("sweatshirt", "sweater"),
    "tee": ("t-shirt", "tshirt"), "tshirt": ("t-shirt",), "pinny": ("apron",), "brolly": ("umbrella",),
    "lunchbox": ("lunch box", "lunch bag"), "handbag": ("hand bag", "bag"), "flask": ("bottle",), "specs": ("sunglass", "glass"),
    "shades": ("sunglass",), "trousers": ("trouser", "pant"), "pants": ("pant", "trouser"),
    "purse": ("wallet", "purse"), "rucksack": ("backpack",), "schoolbag": ("backpack", "bag"),
    "mobile": ("mobile",), "phone": ("mobile",), "cellphone": ("mobile",), "telly": ("tv",),
    "doormat": ("doormat", "mat"), "bedsheet": ("bedsheet", "bed sheet"), "duvet": ("quilt", "bedsheet"),
    "cushion": ("cushion",), "nappy": ("diaper",), "diaper": ("nappy",), "slipper": ("slipper",),
    "heels": ("heel",), "sandles": ("sandal",), "kurti": ("kurti", "kurta"), "tealight": ("t-light",),
    "pressie": (), "mug": ("mug", "cup"), "beaker": ("beaker", "cup"),
    # clothes
    "frock": ("dress",), "gown": ("gown", "dress"), "nightie": ("nightdress", "nightie", "night dress"),
    "nighty": ("nightdress", "nighty", "night dress"), "pj": ("pyjama", "night suit"), "pjs": ("pyjama", "night suit"),
    "pajama": ("pyjama", "night suit"), "jogger": ("track pant", "jogger", "trouser"),
    "trackie": ("track pant", "track suit"), "cardigan": ("cardigan", "shrug", "sweater"), "cardi": ("cardigan", "sweater"),
    "anorak": ("jacket", "raincoat"), "parka": ("jacket", "coat"), "windcheater": ("jacket",),
    "gilet": ("jacket", "waistcoat"), "kameez": ("kurta", "kurti"), "sari": ("saree",), "saree": ("saree", "sari"),
    "lengha": ("lehenga",), "lehnga": ("lehenga",), "knickers": ("panty", "brief"), "undies": ("panty", "brief", "boxer"),
    "swimsuit": ("swimsuit", "swimwear"), "cossie": ("swimsuit", "swimwear"), "beanie": ("beanie", "cap", "hat"),
    "muffler": ("muffler", "scarf"), "stole": ("stole", "scarf", "dupatta"),
    # shoes
    "slider": ("slider", "slipper", "flip flop"),
    "flipflop": ("flip flop", "slipper"), "moccasin": ("moccasin", "loafer"), "ballerina": ("ballerina", "belly", "flat"),
    "plimsoll": ("canvas shoe", "sneaker", "shoe"), "welly": ("gumboot", "boot"), "wellington": ("gumboot", "boot"),
    "gumboot": ("gumboot", "boot"),
    # things worn or carried
    "sunnies": ("sunglass",), "wristwatch": ("watch",), "smartwatch": ("smart watch", "watch"),
    "jhumka": ("jhumka", "earring"), "jhumki": ("jhumki", "earring"), "kada": ("kada", "bangle", "bracelet"),
    "payal": ("anklet",), "billfold": ("wallet",), "tote": ("tote", "bag"),
    "satchel": ("satchel", "bag"), "bagpack": ("backpack", "bag"), "duffel": ("duffel", "travel bag", "bag"),
    "duffle": ("duffel", "travel bag", "bag"), "suitcase": ("suitcase", "trolley"),
    "trolley": ("trolley", "suitcase"),
    # electronics
    "earphone": ("earphone", "headphone", "headset"), "earbud": ("earbud", "earphone", "headphone"),
    "earpiece": ("earphone", "headset"), "powerbank": ("power bank", "charger"), "webcam": ("webcam", "camera"),
    "pendrive": ("pen drive", "flash drive", "usb"), "torch": ("torch", "flashlight"), "flashlight": ("flashlight", "torch"),
    # home and kitchen
    "settee": ("sofa",), "couch": ("sofa",), "almirah": ("wardrobe", "almirah", "cupboard"),
    "bedspread": ("bedsheet", "bed cover"), "bedcover": ("bedsheet", "bed cover"), "comforter": ("quilt", "blanket"),
    "rug": ("rug", "carpet"), "carpet": ("carpet", "rug"), "drape": ("curtain",),
    "lampshade": ("lamp shade", "lamp"), "dustbin": ("dustbin", "bin"), "serviette": ("napkin",),
    "tumbler": ("tumbler", "glass", "cup"), "cooker": ("pressure cooker", "cooker"), "mixie": ("mixer grinder", "mixer"),
    "kadai": ("kadhai", "wok"), "karahi": ("kadhai", "wok"), "wok": ("wok", "kadhai"), "skillet": ("frying pan", "pan"),
    "frypan": ("frying pan", "pan"), "thermos": ("flask", "bottle"), "tiffin": ("lunch box", "tiffin"),
    # babies
    "pram": ("stroller", "pram"), "pushchair": ("stroller", "pram"), "buggy": ("stroller", "pram"),
    "onesie": ("romper", "bodysuit", "sleepsuit"), "babygrow": ("sleepsuit", "romper", "bodysuit"),
    "pacifier": ("pacifier", "soother"),
    # stationery and parties
    "sketchpen": ("sketch pen", "pen"), "notepad": ("notebook", "notepad"), "jotter": ("notebook", "notepad"),
}


# Plurals in -ves whose singular ends in f or fe ("valves" and "sleeves" are regular).
_F_PLURALS = {"shelves": "shelf", "knives": "knife", "scarves": "scarf", "wolves": "wolf", "halves": "half",
              "calves": "calf", "loaves": "loaf", "wives": "wife", "leaves": "leaf", "thieves": "thief"}


# Plurals in -ses of words that end in s ("buses"); other -ses plurals keep their e ("horses").
_SES_PLURALS = {"buses": "bus", "canvases": "canvas", "bonuses": "bonus", "gases": "gas", "viruses": "virus",
                "atlases": "atlas", "aliases": "alias", "cactuses": "cactus", "walruses": "walrus"}


# Names used only in the plural whose singular is a word of a look or size ("a short dress"):
# "shorts" stays a garment.
_PLURAL_ONLY = {"shorts"}


# Plurals in "-ies" of words that end in "-ie" ("neckties": necktie, not "neckty").
IE_PLURALS = {w + "s": w for w in ("tie", "necktie", "bowtie", "cookie", "hoodie", "beanie", "onesie", "pie",
                                    "movie", "brownie", "pixie", "selfie", "smoothie", "zombie", "goodie", "nightie",
                                    "bootie", "veggie", "sweetie", "lingerie")}


def singular(word: str) -> str:
    """A plural's singular, loosely and without a dictionary: "boxes" → "box", "dishes" → "dish",
    "horses" → "horse", "glasses" → "glass", "christmas" and "dress" stay. The catalogue's kinds
    and the customer's words go through this one function, so they meet whatever it gets wrong."""
    if word.endswith(("ss", "us", "mas", "vas")):
        return word
    if word in _PLURAL_ONLY:
        return word
    if word in _F_PLURALS:
        return _F_PLURALS[word]
    if word in _SES_PLURALS:
        return _SES_PLURALS[word]
    if word in IE_PLURALS:
        return IE_PLURALS[word]
    for suffix, repl, least in (("ies", "y", 2), ("ches", "ch", 1), ("shes", "sh", 1), ("xes", "x", 1),
                                ("sses", "ss", 1), ("nses", "ns", 1), ("s", "", 2)):
        if word.endswith(suffix) and len(word) > len(suffix) + least:
            return word[: -len(suffix)] + repl
    return word
