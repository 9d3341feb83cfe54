"""The customer chat widget: streamed replies, product cards with reasons and buttons,
suggestion chips, hand-off to a person, and an agent's replies as they are sent.

Each browser session gets its own assistant session (held server-side in ``gr.State``); an
optional customer id (``?customer=ID``, signed when the shop sets ``customer_secret``) links
the chat to that customer's history. Stable API names (``ask``, ``ask_stream``, ``add_to_cart``,
``view``, ``talk_to_person``, ``updates``) let programs call the widget with ``gradio_client``;
every one of them acts only on the caller's own conversation and identity.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator

import gradio as gr

from assistant.engine import Assistant, ProductCard, TurnResult
from assistant.replies import cart_status, chat_text
from assistant.session import valid_session_id
from shopassist.errors import CustomerError, ShopAssistError
from ui.cards import card_html
from ui.guard import RateLimiter
from ui.identity import Identity

MAX_MESSAGE = 500
CARDS = 5
CHIPS = 3
POLL_S = 0.75  # an agent's reply shows within a second or so
PAINT_S = 0.05
log = logging.getLogger(__name__)
FRIENDLY = "Sorry, something went wrong on our side. Please try again in a moment."
BUSY = "We're busier than usual right now; please try again in a few seconds."
STILL_ANSWERING = "I'm still answering your last message; please wait for it before sending the next."
TOO_FAST = "You're sending messages very quickly; please wait a moment and try again."


class WidgetBackend:
    """The widget's calls into the engine (one engine serves every browser; ``lock`` serialises
    them only on the one-at-a-time path); identities are verified and turns rate-limited here,
    before the engine."""

    def __init__(self, assistant: Assistant, identity: Identity | None = None,
                 limits: tuple[RateLimiter, RateLimiter] | None = None):
        self.assistant = assistant
        self.identity = identity or Identity()
        self.per_customer, self.per_address = limits or (RateLimiter(0), RateLimiter(0))
        self.lock = threading.Lock()  # the server swaps in a no-op when turns run concurrently
        self.workers = 1  # turns the web server runs at once (``serve_workers``)

    def who(self, session: str | None, customer: str | None) -> tuple[str | None, str | None]:
        """``(session id or None, verified customer id or None)``: ids that are not even
        well-formed are dropped, so they reach neither the engine nor a log line."""
        return (session if valid_session_id(session) else None), self.identity.customer(customer)

    def _limit(self, session: str | None, customer: str | None, address: str | None) -> None:
        # a guest's session id is any string they choose: guests are counted by their address
        key = f"customer:{customer}" if customer else f"guest:{address}"
        if not self.per_address.allow(f"address:{address}") or not self.per_customer.allow(key):
            raise CustomerError(TOO_FAST)

    def admission_ticket(self, session: str | None, customer: str | None) -> tuple[str, tuple | None]:
        """The lane a turn waits in (``ui.guard.lanes_for``: ``in_progress`` when the id's tag
        shows this shop issued it, ``new`` without an id, else ``unknown``) and what names its
        conversation: the id with the verified customer, so whoever holds someone else's id
        cannot make that customer's own turns wait."""
        session, customer = self.who(session, customer)
        if not session:
            return "new", None
        return ("in_progress" if self.assistant.sessions.signed(session) else "unknown"), (session, customer)

    def stream(self, session: str | None, customer: str | None, message: str, address: str | None = None,
               source: str = "widget"):
        session, customer = self.who(session, customer)
        self._limit(session, customer, address)
        with self.lock:
            yield from self.assistant.stream_turn(session, customer, message, source=source)

    def turn(self, session: str | None, customer: str | None, message: str, address: str | None = None,
             source: str = "widget") -> dict:
        """One whole turn as JSON (what ``/ask``, ``POST /api/turn`` and the MCP tool
        ``ask_shop_assistant`` answer)."""
        result = None
        for item in self.stream(session, customer, _validate(message), address, source):
            result = item
        return result.to_json()

    def record(self, session: str | None, customer: str | None, product_id: str, kind: str,
               address: str | None = None) -> str:
        session, customer = self.who(session, customer)
        if not self.per_address.allow(f"address:{address}"):
            raise CustomerError(TOO_FAST)
        with self.lock:
            product = self.assistant.record(session, customer, (product_id or "")[:128], kind)
        return cart_status(product, kind)

    def handoff(self, session: str | None, customer: str | None, address: str | None = None) -> TurnResult:
        session, customer = self.who(session, customer)
        self._limit(session, customer, address)
        with self.lock:
            return self.assistant.handoff(session, customer)

    def updates(self, session: str | None, customer: str | None) -> list[dict]:
        """New messages for the caller's own conversation (an agent's replies among them)."""
        session, customer = self.who(session, customer)
        return [{"role": m.role, "text": m.text, "from_person": m.role == "agent", "time": m.ts}
                for m in self.assistant.updates(session, customer)]


def for_customer(exc: BaseException, what: str = "chat turn") -> str:
    """What a browser is told about an error: a customer's own mistake word for word; anything
    else as an apology with a reference id, the detail logged (redacted) under that id."""
    if isinstance(exc, CustomerError):
        return str(exc)
    reference = secrets.token_hex(4)
    log.error("%s failed [ref %s]: %s: %s", what, reference, type(exc).__name__, exc,
              exc_info=not isinstance(exc, ShopAssistError))
    return f"{FRIENDLY} (reference {reference})"


def _address(request: gr.Request | None) -> str | None:
    client = getattr(request, "client", None) if request is not None else None
    return getattr(client, "host", None)


def _validate(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise CustomerError("Please type a message.")
    if len(message) > MAX_MESSAGE:
        raise CustomerError(f"Please keep messages under {MAX_MESSAGE} characters.")
    return message


def build_widget(backend: WidgetBackend) -> gr.Blocks:
    with gr.Blocks(title="Shop assistant") as demo:
        session = gr.State(None)
        cards_state = gr.State([])
        customer = gr.Textbox(label="Customer id (optional: sign in to see your orders)", max_lines=1,
                              max_length=200, elem_id="sa-customer", interactive=not backend.identity.signed)
        chat = gr.Chatbot(label="Shop assistant", height=380, buttons=["copy"], elem_id="sa-chat")
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
        poll = gr.Timer(POLL_S)

        def on_load(request: gr.Request):
            return request.query_params.get("customer", "")[:200] if request else ""

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
        unchanged = [gr.skip()] * (2 * CARDS + CHIPS)

        def respond(message, history, session_id, customer_id, request: gr.Request):
            history = list(history or [])
            try:
                message = _validate(message)
            except ShopAssistError as exc:
                yield [history, session_id, gr.skip(), gr.skip(), for_customer(exc)] + unchanged
                return
            history += [{"role": "user", "content": chat_text(message)}, {"role": "assistant", "content": ""}]
            painted = 0.0
            try:
                for item in backend.stream(session_id, customer_id, message, _address(request)):
                    if isinstance(item, TurnResult):
                        yield ([history, item.session_id, item.products, "", ""] + card_updates(item.products)
                               + chip_updates(item.suggestions))
                    else:  # every paint resends the whole chat: at most one per PAINT_S, or a long reply crawls
                        history[-1]["content"] += item
                        if time.monotonic() - painted >= PAINT_S:
                            painted = time.monotonic()
                            yield [history, session_id, gr.skip(), "", ""] + unchanged
            except Exception as exc:  # noqa: BLE001 (the customer sees a plain line; the log keeps the details)
                history[-1]["content"] = for_customer(exc)
                yield [history, session_id, gr.skip(), "", ""] + unchanged

        inputs = [box, chat, session, customer]
        send.click(respond, inputs, outputs, api_visibility="private", concurrency_limit=backend.workers)
        box.submit(respond, inputs, outputs, api_visibility="private", concurrency_limit=backend.workers)
        for chip in chips:
            chip.click(respond, [chip, chat, session, customer], outputs, api_visibility="private",
                       concurrency_limit=backend.workers)

        def clicker(i: int, kind: str):
            def click(cards, session_id, customer_id, request: gr.Request):
                if i >= len(cards):
                    return ""
                try:
                    return backend.record(session_id, customer_id, cards[i].id, kind, _address(request))
                except Exception as exc:  # noqa: BLE001
                    return for_customer(exc)
            return click

        for i, (_column, _body, view, cart) in enumerate(slots):
            for button, kind in ((view, "view"), (cart, "add_to_cart")):
                button.click(clicker(i, kind), [cards_state, session, customer], status, api_visibility="private")

        def talk(history, session_id, customer_id, request: gr.Request):
            try:
                result = backend.handoff(session_id, customer_id, _address(request))
            except Exception as exc:  # noqa: BLE001
                return list(history or []) + [{"role": "assistant", "content": for_customer(exc)}], session_id
            history = list(history or []) + [{"role": "assistant", "content": result.reply}]
            return history, result.session_id

        human.click(talk, [chat, session, customer], [chat, session], api_visibility="private")

        def check(history, session_id, customer_id):
            fresh = backend.updates(session_id, customer_id) if session_id else []
            if not fresh:
                return gr.skip()
            return list(history or []) + [{"role": "assistant", "content": chat_text(m["text"], m["from_person"])}
                                          for m in fresh]

        poll.tick(check, [chat, session, customer], chat, api_visibility="private", show_progress="hidden",
                  concurrency_limit=None, queue=False)
        _api(backend)
    return demo


def _friendly(fn):
    """API callers get the same plain sentences as the chat: a ``gr.Error`` with our message,
    or a generic one (details only in the server log), never a stack trace."""
    import functools
    import inspect

    def fail(exc: Exception):
        return gr.Error(for_customer(exc, f"API call {fn.__name__}"))

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

    def ask(message: str, session_id: str = "", customer_id: str = "", request: gr.Request = None) -> dict:
        """One customer turn: returns {reply, products, parse, session, suggestions, handoff}."""
        return backend.turn(session_id, customer_id, message, _address(request))

    def ask_stream(message: str, session_id: str = "", customer_id: str = "",
                   request: gr.Request = None) -> Iterator[str]:
        """The reply as it is produced: yields the text so far."""
        text = ""
        for item in backend.stream(session_id, customer_id, _validate(message), _address(request)):
            if isinstance(item, str):
                text += item
                yield text

    def add_to_cart(session_id: str, customer_id: str, product_id: str, request: gr.Request = None) -> str:
        return backend.record(session_id, customer_id, product_id, "add_to_cart", _address(request))

    def view(session_id: str, customer_id: str, product_id: str, request: gr.Request = None) -> str:
        return backend.record(session_id, customer_id, product_id, "view", _address(request))

    def talk_to_person(session_id: str = "", customer_id: str = "", request: gr.Request = None) -> dict:
        return backend.handoff(session_id, customer_id, _address(request)).to_json()

    def updates(session_id: str = "", customer_id: str = "") -> list[dict]:
        """Messages of this conversation the customer has not been sent yet (an agent's replies:
        {role, text, from_person, time}); only the conversation's owner gets them."""
        return backend.updates(session_id, customer_id)

    for fn in (ask, ask_stream, add_to_cart, view, talk_to_person):
        gr.api(_friendly(fn), api_name=fn.__name__, concurrency_limit=backend.workers)
    gr.api(_friendly(updates), api_name="updates", concurrency_limit=None)
