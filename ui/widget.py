"""The customer chat widget: streamed replies, product cards with reasons and buttons,
suggestion chips, hand-off to a person.

Each browser session gets its own assistant session (held in ``gr.State``); an optional
customer id (``?customer=ID`` or the field) links the chat to that customer's history.
Stable API names (``ask``, ``add_to_cart``, ``view``, ``talk_to_person``) let programs call
the widget with ``gradio_client``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import gradio as gr

from assistant.engine import Assistant, ProductCard, TurnResult
from retrieval.events import Event
from shopassist.errors import ShopAssistError
from ui.cards import card_html
from ui.identity import Identity

MAX_MESSAGE = 500
CARDS = 5
CHIPS = 3
log = logging.getLogger(__name__)
FRIENDLY = "Sorry, something went wrong on our side. Please try again in a moment."


class WidgetBackend:
    """The widget's calls into the engine, serialised: one engine is shared by every browser."""

    def __init__(self, assistant: Assistant, identity: Identity | None = None):
        self.assistant = assistant
        self.identity = identity or Identity()
        self.lock = threading.Lock()

    def stream(self, session: str | None, customer: str | None, message: str):
        customer = self.identity.customer(customer)
        with self.lock:
            yield from self.assistant.stream_turn(session, customer, message)

    def record(self, session: str | None, customer: str | None, product_id: str, kind: str) -> str:
        customer = self.identity.customer(customer)
        with self.lock:
            products = self.assistant.lookup([product_id])
            if product_id not in products:
                return "That product is no longer available."
            product = products[product_id]
            self.assistant.events.append([Event(product_id, kind, customer or None, 1.0, product.price,
                                                time.time(), session)])
        return f"Added “{product.title}” to your cart." if kind == "add_to_cart" else f"Viewing “{product.title}”."

    def handoff(self, session: str | None, customer: str | None) -> TurnResult:
        customer = self.identity.customer(customer)
        with self.lock:
            return self.assistant.turn(session, customer, "I'd like to talk to a person, please")


def _validate(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise ShopAssistError("Please type a message.")
    if len(message) > MAX_MESSAGE:
        raise ShopAssistError(f"Please keep messages under {MAX_MESSAGE} characters.")
    return message


def build_widget(backend: WidgetBackend) -> gr.Blocks:
    with gr.Blocks(title="Shop assistant") as demo:
        session = gr.State(None)
        cards_state = gr.State([])
        customer = gr.Textbox(label="Customer id (optional: sign in to see your orders)", max_lines=1,
                              elem_id="sa-customer", interactive=not backend.identity.signed)
        chat = gr.Chatbot(label="Shop assistant", height=380, buttons=["copy"])
        with gr.Row():
            chips = [gr.Button(visible=False, size="sm", variant="secondary") for _ in range(CHIPS)]
        slots = []
        with gr.Row():
            for i in range(CARDS):
                with gr.Column(visible=False, min_width=150) as column:
                    body = gr.HTML()
                    with gr.Row():
                        view = gr.Button("View", size="sm")
                        cart = gr.Button("Add to cart", size="sm", variant="primary")
                slots.append((column, body, view, cart))
        status = gr.Markdown(elem_id="sa-status")
        with gr.Row():
            box = gr.Textbox(placeholder="What are you looking for?", max_length=MAX_MESSAGE, show_label=False,
                             scale=5, max_lines=3, elem_id="sa-input")
            send = gr.Button("Send", variant="primary", scale=1, elem_id="sa-send")
        human = gr.Button("Talk to a person", size="sm", elem_id="sa-human")

        def on_load(request: gr.Request):
            return request.query_params.get("customer", "") if request else ""

        demo.load(on_load, None, customer, api_visibility="private")

        def card_updates(cards: list[ProductCard]):
            out = []
            for i, (_column, _body, _view, _cart) in enumerate(slots):
                present = i < len(cards)
                out += [gr.update(visible=present), card_html(cards[i], i + 1) if present else ""]
            return out

        def chip_updates(suggestions: list[str]):
            return [gr.update(value=s, visible=True) if i < len(suggestions) else gr.update(visible=False)
                    for i, s in enumerate(suggestions[:CHIPS] + [""] * (CHIPS - len(suggestions[:CHIPS])))]

        outputs = [chat, session, cards_state, box, status] + [x for s in slots for x in s[:2]] + chips

        def respond(message, history, session_id, customer_id):
            history = list(history or [])
            try:
                message = _validate(message)
            except ShopAssistError as exc:
                yield [history, session_id, gr.skip(), gr.skip(), str(exc)] + [gr.skip()] * (2 * CARDS + CHIPS)
                return
            history += [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
            try:
                for item in backend.stream(session_id, customer_id.strip() or None, message):
                    if isinstance(item, TurnResult):
                        yield ([history, item.session_id, item.products, "", ""] + card_updates(item.products)
                               + chip_updates(item.suggestions))
                    else:
                        history[-1]["content"] += item
                        yield [history, session_id, gr.skip(), "", ""] + [gr.skip()] * (2 * CARDS + CHIPS)
            except ShopAssistError as exc:
                history[-1]["content"] = str(exc)
                yield [history, session_id, gr.skip(), "", ""] + [gr.skip()] * (2 * CARDS + CHIPS)
            except Exception:  # the customer sees a friendly line; the log keeps the details
                log.exception("chat turn failed")
                history[-1]["content"] = FRIENDLY
                yield [history, session_id, gr.skip(), "", ""] + [gr.skip()] * (2 * CARDS + CHIPS)

        inputs = [box, chat, session, customer]
        send.click(respond, inputs, outputs, api_visibility="private")
        box.submit(respond, inputs, outputs, api_visibility="private")
        for chip in chips:
            chip.click(respond, [chip, chat, session, customer], outputs, api_visibility="private")

        for i, (_column, _body, view, cart) in enumerate(slots):
            for button, kind in ((view, "view"), (cart, "add_to_cart")):
                button.click(lambda cards, s, c, i=i, kind=kind: backend.record(s, c.strip() or None, cards[i].id, kind)
                             if i < len(cards) else "", [cards_state, session, customer], status,
                             api_visibility="private")

        def talk(history, session_id, customer_id):
            result = backend.handoff(session_id, customer_id.strip() or None)
            history = list(history or []) + [{"role": "assistant", "content": result.reply}]
            return history, result.session_id

        human.click(talk, [chat, session, customer], [chat, session], api_visibility="private")
        _api(backend)
    return demo


def _friendly(fn):
    """API callers get the same plain sentences as the chat: a ``gr.Error`` with our message,
    or a generic one (details only in the server log), never a stack trace."""
    import functools
    import inspect

    def fail(exc: Exception):
        if isinstance(exc, ShopAssistError):
            return gr.Error(str(exc))
        log.exception("API call %s failed", fn.__name__)
        return gr.Error(FRIENDLY)

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 (turned into a message above)
                raise fail(exc) from None
        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise fail(exc) from None
    return call


def _api(backend: WidgetBackend) -> None:
    """Programmatic endpoints (for ``gradio_client``) with stable names."""

    def ask(message: str, session_id: str = "", customer_id: str = "") -> dict:
        """One customer turn: returns {reply, products, parse, session, suggestions, handoff}."""
        result = None
        for item in backend.stream(session_id or None, customer_id or None, _validate(message)):
            result = item
        return result.to_json()

    def ask_stream(message: str, session_id: str = "", customer_id: str = "") -> Iterator[str]:
        """The reply as it is produced: yields the text so far."""
        text = ""
        for item in backend.stream(session_id or None, customer_id or None, _validate(message)):
            if isinstance(item, str):
                text += item
                yield text

    def add_to_cart(session_id: str, customer_id: str, product_id: str) -> str:
        return backend.record(session_id or None, customer_id or None, product_id, "add_to_cart")

    def view(session_id: str, customer_id: str, product_id: str) -> str:
        return backend.record(session_id or None, customer_id or None, product_id, "view")

    def talk_to_person(session_id: str = "", customer_id: str = "") -> dict:
        return backend.handoff(session_id or None, customer_id or None).to_json()

    for fn in (ask, ask_stream, add_to_cart, view, talk_to_person):
        gr.api(_friendly(fn), api_name=fn.__name__)
