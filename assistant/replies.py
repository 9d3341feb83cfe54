"""Every word the assistant says, built only from the records passed in: products, orders,
the parse. The engine and the support desk decide what to answer; the functions and
constants here word it (the intent registry, ``assistant.intents``, names each intent's
composer).

Money, dates and product titles are formatted here, one way, so the grounding check can find
every fact a reply states, and every piece of catalogue or customer data passes ``md_text``
on its way into a reply. ``stream`` cuts a finished reply into word chunks for the UI.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Iterator

from retrieval.product import Product

from assistant.answers import Fact
from assistant.orders import Order
from assistant.parse.schema import Slots

SYMBOLS = {"GBP": "£", "INR": "₹", "USD": "$", "EUR": "€"}
COMPARE_FIELDS = 14
_MARKUP = re.compile(r"([\\`*_\[\]<>|!~#$])")
# What renderers turn into links without any markup: schemes, www., e-mail, bare domains.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(?::(?=//)|@|\.(?=(?:com|net|org|info|biz|io|co|uk|in|ru|cn|xyz|top|"
                       r"app|dev|me|ly|to|gg|link|site|online|shop)\b))|\bwww\.")
_BLOCK_START = re.compile(r"(?m)^(\s*)(\d*)([-+=>.)])")  # list items, quotes, headings when a line starts so
PERSON = "A person from our team"

# --------------------------------------------------------------------------- fixed sentences
GREETING = "Hello! I can find products, compare them, add them to your cart or check an order. What are you looking for?"
THANKS = "You're welcome! Anything else I can find for you?"
OUT_OF_SCOPE = ("I can only help with shopping here: finding and comparing products, your cart and your orders. "
                "What can I find for you?")
HANDOFF = "I've asked a member of our team to join this conversation; they will see everything so far."
AGENT_HOLDS = "Thanks, a colleague from our team has this conversation and will reply here shortly."
HANDED_BACK = "Our colleague has handed you back to me, the shop assistant. What else can I find for you?"
SEARCH_DOWN = "Sorry, product search is unavailable right now. Please try again in a minute, or ask to talk to a person."
UNGROUNDED = "Sorry, I couldn't put that answer together reliably. Could you rephrase, or ask to talk to a person?"
NOTHING_CHEAPER = "I couldn't find anything cheaper than what I showed you."
COMPARE_NEEDS_RESULTS = "Search for something first, then I can compare the results side by side."
WHICH_PRODUCT = "Which product do you mean? Search for something first and I'll tell you about it."
WHICH_TO_ADD = "Which product should I add? Search for something first."
NO_RECOMMENDER = ("I don't have enough shopping history yet to recommend things; tell me what you're "
                  "looking for and I'll search.")
NOTHING_TO_RECOMMEND = "I have nothing to recommend yet; tell me what you're looking for."

# Suggestion chips offered after a reply (the customer sends one by clicking it).
GREETING_CHIPS = ("Gift ideas", "Recommend something for me")
RESULTS_CHIPS = ("Show cheaper ones", "Compare the first two", "Tell me more about the first one")
NOTHING_FOUND_CHIPS = ("Show me anything under a higher budget",)
QUESTION_CHIPS = ("Add it to my cart", "Show cheaper ones")
ADDED_CHIPS = ("Recommend something to go with it", "Show cheaper ones")
RECOMMEND_CHIPS = ("Tell me more about the first one", "Compare the first two")
PERSON_CHIPS = ("Talk to a person",)
COMPARE_CHIPS = ("Add the first one to my cart", "Add the second one to my cart")


def md_text(text: str) -> str:
    """Text from a catalogue or a customer is data, not markup: escape everything Markdown or
    HTML would act on (links, images, tags, emphasis, headings, lists, quotes, table cells,
    maths) and break what a renderer would auto-link (``http://``, ``www.``, e-mail addresses,
    bare domains). Every reply, card status and console line passes its data through here."""
    text = _MARKUP.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\\." if m.group(0).lower() == "www." else "\\" + m.group(0),
                         text)
    return _BLOCK_START.sub(r"\1\2\\\3", text)


def md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def chat_text(text: str, from_person: bool = False) -> str:
    """A customer's or an agent's own words as a chat bubble shows them: plain text; an
    agent's marked as coming from a person."""
    return f"**{PERSON}:** {md_text(text)}" if from_person else md_text(text)


def cart_status(product: Product | None, kind: str) -> str:
    if product is None:
        return "That product is no longer available."
    verb = "Added" if kind == "add_to_cart" else "Viewing"
    suffix = " to your cart." if kind == "add_to_cart" else "."
    return f"{verb} “{md_text(product.title)}”{suffix}"


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "price not listed"
    text = f"{amount:,.2f}".removesuffix(".00") if currency == "INR" else f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency or "")
    return f"{symbol}{text}" if symbol else f"{text} {md_text(currency[:8])}" if currency else text


def price_of(product: Product) -> str:
    low = money(product.price, product.currency)
    if product.price_max is not None and product.price_max != product.price:
        return f"{low}–{money(product.price_max, product.currency)}"
    return low


def when(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.strftime("%d %B %Y at %H:%M").lstrip("0")


def product_line(rank: int, product: Product, reason: str | None = None) -> str:
    extra = f" ({md_text(reason)})" if reason else ""
    brand = f" by {md_text(product.brand)}" if product.brand else ""
    return f"{rank}. **{md_text(product.title)}**{brand}, {price_of(product)}{extra}"


def results_reply(products: list[Product], reasons: list[str | None], intro: str) -> str:
    lines = [product_line(i + 1, p, r) for i, (p, r) in enumerate(zip(products, reasons))]
    return intro + "\n" + "\n".join(lines)


def compare_reply(products: list[Product]) -> str:
    """A side-by-side markdown table from catalogue fields shared by the products."""
    header = "| | " + " | ".join(f"**{md_text(p.title)}**" for p in products) + " |"
    rows = [header, "|---" * (len(products) + 1) + "|",
            "| price | " + " | ".join(price_of(p) for p in products) + " |"]
    if any(p.brand for p in products):
        rows.append("| brand | " + " | ".join(md_text(p.brand or "–") for p in products) + " |")
    if any(p.category for p in products):
        rows.append("| category | " + " | ".join(md_text(p.category[-1]) if p.category else "–" for p in products) + " |")
    keys = list(dict.fromkeys(k for p in products for k in p.listed_attributes()))
    keys.sort(key=lambda k: len({p.attributes.get(k) for p in products}) == 1)  # what differs first
    for key in keys[:COMPARE_FIELDS]:
        rows.append(f"| {md_text(key.replace('_', ' '))} | "
                    + " | ".join(_cell(p.attributes.get(key, "–")) for p in products) + " |")
    sizes = [_SIZE_IN_TITLE.findall(p.title) for p in products]
    if any(sizes):
        rows.append("| size (from name) | " + " | ".join(_cell(" ".join(s).lower()) or "–" for s in sizes) + " |")
    only = _own_words(products)
    if any(only):
        rows.append("| only in its name | " + " | ".join(_cell(" ".join(w).lower()) or "–" for w in only) + " |")
    cheapest = min((p for p in products if p.price is not None), key=lambda p: p.price, default=None)
    tail = f"\nThe cheapest is **{md_text(cheapest.title)}** at {price_of(cheapest)}." if cheapest and len(products) > 1 else ""
    return "Here is how they compare:\n" + "\n".join(rows) + tail


_SIZE_IN_TITLE = re.compile(r"\b(?:mini|small|medium|large|jumbo|giant|big|extra large|xl|xxl|tall|single|double|king|"
                            r"queen|\d+(?:\.\d+)?\s?(?:cm|mm|m|inch|in|ml|l|litre|kg|g)\b)", re.I)


def _own_words(products: list[Product]) -> list[list[str]]:
    """Per product, the words of its title that no other compared title has: for stores whose
    products have only a name and a price, this is what tells them apart."""
    words = [re.findall(r"[A-Za-z0-9'&]+", p.title) for p in products]
    lowered = [{w.lower() for w in ws} for ws in words]
    return [[w for w in ws if all(w.lower() not in other for j, other in enumerate(lowered) if j != i)]
            for i, ws in enumerate(words)]


def _cell(value: str) -> str:
    return md_text(value[:60])


def order_summary(order: Order, max_lines: int = 8) -> str:
    verb = "was returned" if order.kind == "return" else "was placed"
    lines = [f"{abs(l.quantity):g} × **{md_text(l.title)}**" + (f" ({money(l.unit_price, order.currency)} each)"
                                                       if l.unit_price is not None else "")
             for l in order.lines[:max_lines]]
    more = f" and {len(order.lines) - max_lines} more lines" if len(order.lines) > max_lines else ""
    total = f"; total {money(order.total, order.currency)}" if order.total is not None else ""
    return (f"Order {md_text(order.id)} {verb} on {when(order.placed)}: {order.items} items in {len(order.lines)} lines"
            f"{total}. Items: " + "; ".join(lines) + more + ".")


def stream(text: str) -> Iterator[str]:
    """Word-sized chunks (whitespace kept), so a UI can paint the reply as it comes."""
    yield from re.findall(r"\S+\s*|\s+", text)


# --------------------------------------------------------------------------- shopping replies


GOODBYE = "Bye for now! Your cart stays as it is if you come back."


def greeting() -> str:
    return GREETING


def thanks() -> str:
    return THANKS


def out_of_scope() -> str:
    return OUT_OF_SCOPE


def handoff() -> str:
    return HANDOFF


def search_results(products: list[Product], reasons: list[str | None]) -> str:
    """A new search's results."""
    return results_reply(products, reasons, "Here is what I found:")


def refined_results(products: list[Product], reasons: list[str | None]) -> str:
    """A refined search's results."""
    return results_reply(products, reasons, "Here are the updated results:")


def cheaper_than(middle: Product, products: list[Product], reasons: list[str | None]) -> str:
    """Nothing was cheaper than everything shown; these are cheaper than its middle-priced one."""
    intro = (f"Nothing is cheaper than all of those, "
             f"but these cost less than **{md_text(middle.title)}** ({price_of(middle)}):")
    return results_reply(products, reasons, intro)


def recommendations(products: list[Product], reasons: list[str | None]) -> str:
    """Recommendations for this customer."""
    return results_reply(products, reasons, "You might like:")


def nothing_shown(intent: str) -> str:
    """A message pointing at products ("compare the first two") before any were shown."""
    what = {"compare": "to compare", "product_question": "to answer about"}.get(intent, "to change")
    return (f"There's nothing on screen {what} yet. Tell me what you're looking for and I'll find "
            "a few to start from.")


def nothing_found(slots: Slots) -> str:
    bits = []
    if slots.max_price is not None:
        bits.append(f"under {slots.max_price:g}")
    if slots.min_price is not None:
        bits.append(f"over {slots.min_price:g}")
    return "I couldn't find anything matching that" + (f" {' and '.join(bits)}" if bits else "") + \
        ". Could you try other words or a different budget?"


def which_kind(categories: list[str]) -> str:
    """The clarifying question when results spread over several kinds of thing."""
    options = ", ".join(md_text(c) for c in categories)
    return f"Happy to help! Which kind of thing are you after: {options}?"


def added_to_cart(product: Product, quantity: int) -> str:
    return f"Added {quantity} × **{md_text(product.title)}** ({price_of(product)} each) to your cart."


def answer_question(product: Product, fact: Fact | None) -> str:
    """The catalogue's own words that answer the question (``assistant.answers``), or a plain
    "the catalogue doesn't say" with what it does list."""
    name = f"**{md_text(product.title)}**"
    if fact is None:
        known = (" It lists: " + describe(product)) if product.listed_attributes() or product.description else \
            f" We only have its name and price ({price_of(product)})."
        return f"The catalogue doesn't say that for {name}.{known}"
    if fact.label == "price":
        return f"{name} costs {price_of(product)}."
    if fact.label == "title":
        return f"Its name in our catalogue says so: {name} ({price_of(product)})."
    if fact.label == "description":
        return f"From the description of {name}: “{md_text(fact.text)}”"
    return f"{name}: {md_text(fact.label)}: {md_text(fact.text)}."


def also_shown(word: str, products: list[Product]) -> str:
    """After "the catalogue doesn't say": the products on screen that do say the asked word."""
    names = ", ".join(f"**{md_text(p.title)}** ({price_of(p)})" for p in products)
    return f" Of the ones shown, {'this one says' if len(products) == 1 else 'these say'} {md_text(word)}: {names}."


def not_among_shown(words: str) -> str:
    return (f"None of the products shown says {md_text(words)}. Which one do you mean (first, second...)? "
            f"Or ask me to search for {md_text(words)}.")


def describe(product: Product, fields: int = 6) -> str:
    parts = [f"**{md_text(product.title)}**, {price_of(product)}"]
    if product.brand:
        parts.append(f"brand {md_text(product.brand)}")
    if product.category:
        parts.append(f"category {md_text(product.category_path)}")
    attrs = [f"{md_text(k.replace('_', ' '))}: {md_text(v)}" for k, v in product.listed_attributes().items()][:fields]
    text = "; ".join(parts) + "."
    if attrs:
        text += " Details: " + "; ".join(attrs) + "."
    if product.description:
        text += " " + md_text(product.description[:240].rstrip()) + ("…" if len(product.description) > 240 else "")
    return text


# --------------------------------------------------------------------------- support replies
# Openers come from the Bitext replies (``support.load_openers``); one may keep an
# ``{order_id}``/``{invoice_id}`` placeholder, filled here with a verified order's id.
OPENER_SLOT = re.compile(r"\{(order_id|invoice_id)\}")
FALLBACK_OPENERS = ["I can help with that.", "Thanks for reaching out.", "Let me look into that for you."]
# This shop's own voice, one short line per intent; used before any Bitext opener, whose
# wording was written for another shop ("I can assist you in demanding compensations...").
SHOP_OPENERS = {
    "cancel_order": "Let's sort out that cancellation.", "change_order": "Let's look at changing that order.",
    "change_shipping_address": "Happy to help with the delivery address.",
    "check_cancellation_fee": "Good question about cancelling.", "check_invoice": "Let's find that invoice.",
    "check_payment_methods": "Good question about paying.", "check_refund_policy": "Good question about refunds.",
    "complaint": "I'm sorry this has gone wrong, and thank you for telling us.",
    "contact_customer_service": "You can reach our team right here.",
    "gift_service": "Happy to help make it a nice surprise.",
    "create_account": "Happy to help you get an account.", "delete_account": "I understand you want to close your account.",
    "delivery_options": "Good question about delivery.", "delivery_period": "Good question about delivery times.",
    "edit_account": "Happy to help with your account details.", "get_invoice": "Let's find that invoice.",
    "get_refund": "Sorry you need a refund; let's check your records.",
    "newsletter_subscription": "Happy to help with the newsletter.",
    "payment_issue": "Sorry about the payment trouble.", "place_order": "Happy to help you order.",
    "recover_password": "Let's get you back into your account.",
    "registration_problems": "Sorry signing up is giving you trouble.",
    "review": "Thank you for the feedback.", "set_up_shipping_address": "Happy to help with a delivery address.",
    "switch_account": "Happy to help with switching accounts.", "track_order": "Let's check on that order.",
    "track_refund": "Let's check on that refund.",
    "return_item": "Sorry it isn't right.", "order_history": "Here's what I can see.",
}
POLICY_TOPICS = {
    "check_refund_policy": "refund policy", "check_cancellation_fee": "cancellation fees",
    "delivery_period": "delivery times", "delivery_options": "delivery options",
    "check_payment_methods": "accepted payment methods",
}
HUMAN_TASKS = {
    "cancel_order": "cancel an order", "change_order": "change an order", "get_invoice": "send invoice documents",
    "check_invoice": "send invoice documents", "create_account": "open an account",
    "delete_account": "close an account", "edit_account": "edit account details",
    "switch_account": "switch accounts", "recover_password": "reset passwords",
    "registration_problems": "fix registration problems", "newsletter_subscription": "manage newsletter subscriptions",
    "payment_issue": "look into payments", "place_order": "place orders for you",
    "set_up_shipping_address": "set up a shipping address", "change_shipping_address": "change a shipping address",
    "contact_customer_service": "connect you by phone or email", "get_refund": "issue refunds",
    "gift_service": "arrange gift wrapping, a gift note or a parcel sent to someone else",
    "track_refund": "see refund payments",
}
SIGN_IN_FOR_ORDERS = "I can only look up orders for a signed-in customer: please sign in and ask again."
SIGN_IN_FOR_RETURNS = "I can only look up returns for a signed-in customer: please sign in and ask again."
NO_ORDERS = "I can't find any orders on your account."
NO_RETURNS = ("I can't see any returns on your account. Refunds are handled by our team: say "
              "\"talk to a person\" and a colleague will help.")
FEEDBACK_SAVED = "Your message is saved with this conversation, and you can ask to talk to a person at any time."
_ORDER_TAILS = {"track_order": " Our records don't include delivery tracking, so I can't say where the parcel is "
                               "now; a colleague can check with the courier if you ask to talk to a person.",
                "cancel_order": " I can't cancel orders from this chat; say \"talk to a person\" and a colleague "
                                "will help.",
                "change_order": " I can't change orders from this chat; say \"talk to a person\" and a colleague "
                                "will help."}
_DOCUMENTS_TAIL = " I can't send documents from this chat; a colleague can, if you ask to talk to a person."


def fill_opener(opener: str, values: dict[str, str]) -> str:
    return OPENER_SLOT.sub(lambda m: md_text(values[m.group(1)]), opener)


def support_reply(opener: str, facts: str) -> str:
    """A support answer: the opener, then the facts from our records."""
    return f"{opener} {facts}".strip()


def latest_orders(recent: list[Order]) -> str:
    listing = "; ".join(f"{md_text(o.id)} ({when(o.placed)}, {o.items} items)" for o in recent)
    return f"Your latest orders are {listing}. Which order number do you mean?"


def order_not_found(number: str) -> str:
    return f"I can't find an order {md_text(number[:40])} on your account. Please check the number."


def order_facts(intent: str, order: Order) -> str:
    """The order as our records have it, then what this chat cannot do about it."""
    return order_summary(order) + _ORDER_TAILS.get(intent, _DOCUMENTS_TAIL)


def returns_facts(returns: list[Order]) -> str:
    text = " ".join(order_summary(o) for o in returns)
    return (f"{text} Our records show the return but not the refund payment; a colleague can check it "
            "if you ask to talk to a person.")


def policy(intent: str, text: str) -> str:
    """A policy question answered in the store's own words."""
    return f"Our {POLICY_TOPICS[intent]}: {md_text(text)}"


def policy_unknown(intent: str) -> str:
    return (f"I don't have our {POLICY_TOPICS[intent]} in this chat and I won't guess; "
            "say \"talk to a person\" and a colleague will confirm them for you.")


def not_from_chat(intent: str) -> str:
    """What this chat cannot do for ``intent``, and who can."""
    task = HUMAN_TASKS.get(intent, "do that")
    return f"I can't {task} from this chat; say \"talk to a person\" and a colleague will pick it up."


# --------------------------------------------------------------------------- cart, gifts, returns
CART_EMPTY = "Your cart is empty. Tell me what you're looking for and I'll find it."
WHICH_TO_REMOVE = "Which item should I take out of your cart? Say its name, or \"the first one\"."
WHICH_TO_CHANGE = "Which item in your cart should I change? Say its name, or \"the first one\"."
NOT_IN_CART = "That isn't in your cart, so there is nothing to remove."
WHICH_TO_RETURN = "Which item would you like to return or exchange? Tell me its name and I'll find the order."
CHECK_FIRST = "Just to be sure I get this right: which product do you mean? Tell me its name or number in the list."
CART_CHIPS = ("Show my cart",)
RETURN_CHIPS = ("Talk to a person",)


def gift_ideas(products: list[Product], reasons: list[str | None]) -> str:
    return results_reply(products, reasons, "Some gift ideas from our shop:")


def ask_interests(gender: str | None) -> str:
    """The question that makes gift ideas personal."""
    who = "he" if gender in ("men", "male") else "she" if gender in ("women", "female") else "they"
    return (f"What {'are' if who == 'they' else 'is'} {who} into? A hobby, a favourite colour or something "
            f"{who} {'collect' if who == 'they' else 'collects'} and I'll find something more personal.")


def gift_starters(products: list[Product], reasons: list[str | None], gender: str | None) -> str:
    """Gift ideas (what the words found, then best sellers), and the question that makes them personal."""
    return results_reply(products, reasons, "A few ideas to start from:") + "\n\n" + ask_interests(gender)


def similar_results(products: list[Product], reasons: list[str | None]) -> str:
    return results_reply(products, reasons, "Similar things we have:")


def cart_contents(lines: list[tuple[Product, float]]) -> str:
    if not lines:
        return CART_EMPTY
    rows = [f"{i}. {quantity:g} × **{md_text(p.title)}**, {price_of(p)} each" for i, (p, quantity) in
            enumerate(lines, 1)]
    total = cart_total(lines)
    summed = f"\n\nTotal: {money(total, lines[0][0].currency)}" if total is not None else ""
    return "In your cart:\n" + "\n".join(rows) + summed


def cart_total(lines: list[tuple[Product, float]]) -> float | None:
    """What the basket comes to, when every line has a single price."""
    if not lines or any(p.price is None or (p.price_max not in (None, p.price)) for p, _ in lines) \
            or len({p.currency for p, _ in lines}) != 1:  # pounds and rupees make no one sum
        return None
    return round(sum(p.price * quantity for p, quantity in lines), 2)


def cart_quantity(product: Product, quantity: int) -> str:
    if quantity == 0:
        return removed_from_cart(product)
    return f"Your cart now holds {quantity} × **{md_text(product.title)}** ({price_of(product)} each)."


def removed_from_cart(product: Product) -> str:
    return f"Removed **{md_text(product.title)}** from your cart."


def return_found(order: Order, line_title: str, quantity: float) -> str:
    """The customer's order line that holds the item, and what can be done about it now."""
    return (f"You bought {abs(quantity):g} × **{md_text(line_title)}** in order {md_text(order.id)} "
            f"({when(order.placed)}). I can't book returns or exchanges from this chat, but a colleague can "
            "arrange it: press \"Talk to a person\" and they'll see this order.")


def return_not_found(wanted: str) -> str:
    return (f"I can't find “{md_text(wanted[:60])}” in any of your orders. Could you check the name, "
            "or give me the order number?")


def order_history(recent: list[Order]) -> str:
    if not recent:
        return NO_ORDERS
    return "Your latest orders:\n" + "\n".join(
        f"- {md_text(o.id)} ({when(o.placed)}): " + order_lines(o) for o in recent)


def order_lines(order: Order, max_lines: int = 4) -> str:
    titles = [f"{abs(l.quantity):g} × **{md_text(l.title)}**" for l in order.lines[:max_lines]]
    more = len(order.lines) - max_lines
    return "; ".join(titles) + (f" and {more} more" if more > 0 else "")
CONFIRM_ADD_CHIPS = ("Add it to my cart",)


def confirm_add(product: Product, quantity: int = 1) -> str:
    many = f"{quantity} × " if quantity > 1 else ""
    return (f"Just to check before I change your cart: shall I add {many}**{md_text(product.title)}** "
            f"({price_of(product)})?")


# --------------------------------------------------------------------------- conversation
MORE_CHIPS = ("Show me more", "Show cheaper ones")
NO_DEALS = ("I don't have any discounts, sales or promo codes to offer in this chat, and I can't take money off "
            "a price: the prices I show are the current ones.")


def more_results(products: list[Product], reasons: list[str | None]) -> str:
    return results_reply(products, reasons, "Here are some more:")


def no_more(kind: str | None) -> str:
    what = f"every {md_text(kind)} I have" if kind else "everything I have"  # the kind is singular: "every mug"
    return (f"That's {what} that fits what you asked. I can widen the budget or drop a "
            "preference if you like.")


def price_for(product: Product, count: int) -> str:
    """Several of one product, with the arithmetic shown."""
    total = money(round(product.price * count, 2), product.currency)
    return (f"{count} × **{md_text(product.title)}** at {money(product.price, product.currency)} each "
            f"comes to {total}.")


def small_talk(kind: str | None, declined: bool, shown: bool) -> str:
    """A short answer to talk that asks for nothing, keeping what is being shopped for."""
    if declined:
        return "No problem, I've left your cart as it is."
    if kind and shown:
        return f"No rush. I'm still here when you want to carry on with the {md_text(kind)}."
    if shown:
        return "No rush. Say if you'd like more like these, or something else."
    return "I'm here to help you shop: tell me what you're looking for."


def deals(policy: str | None) -> str:
    """The store's discount policy in its own words, or an honest no."""
    return md_text(policy) if policy else NO_DEALS


def none_with(values: list[str], kind: str) -> str:
    """Asked for a colour or material the shop's products of the kind do not carry."""
    return (f"I couldn't find any {md_text(kind)} that says {md_text(' or '.join(values))}; "
            "these are the nearest I have:")


def not_shown_names(names: list[str]) -> str:
    """Products named in a request that none of the shown ones is."""
    return f"I couldn't see {md_text(' or '.join(names))} among the products shown, so I left that out."


def not_sold(words: str, kind: str | None = None) -> str:
    """Asked for a thing no product of the shop names: an honest no, and what can go on."""
    then = f"I can carry on with the {md_text(kind)}, or look" if kind else "I can look"
    return f"Sorry, I couldn't find any {md_text(words)} in this shop. {then} for something else if you tell me what."


def none_in_budget(kind: str | None) -> str:
    """A kind asked for with a budget none of it fits."""
    what = md_text(kind) if kind else "of those"
    return f"I couldn't find any {what} within your budget; these are the nearest:"


def none_of_kind(kind: str | None) -> str:
    """A refinement that leaves nothing of the kind being shopped for."""
    what = md_text(kind) if kind else "of those"
    return (f"I couldn't find any {what} that fits that as well. I can drop a preference or widen the "
            "budget if you like.")
