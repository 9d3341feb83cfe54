"""The support-agent console: conversation queue (hand-offs first), the transcript as it
grows, the customer's profile, three suggested replies of different kinds (answer, clarify,
act), a box to edit and send one, and a button to hand the conversation back to the assistant.

A sent reply reaches the customer's open widget within a couple of seconds, and while the
agent holds the conversation the assistant stays quiet. Which suggestion (and kind) the agent
used, and whether they edited it, is stored with the sent message (``shopassist console-report``).
Stable API names: ``suggest``, ``send``, ``hand_back``.
"""

from __future__ import annotations

import threading

import gradio as gr

from assistant.engine import Assistant
from assistant.replies import chat_text, md_text, money, product_line, when
from assistant.session import Session
from assistant.suggest import Suggestion

POLL_S = 2.0
KIND_LABELS = {"answer": "Answer", "clarify": "Ask", "action": "Act"}


class ConsoleBackend:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.lock = threading.Lock()  # the engine's model lock, shared with the widget

    def queue(self) -> list[Session]:
        return self.assistant.queue(50)

    def suggestions(self, session_id: str) -> list[Suggestion]:
        session = self.assistant.session(session_id)
        if session is None:
            return []
        with self.lock:
            return self.assistant.suggestions(session)

    def send(self, session_id: str, text: str, used: int | None = None, kind: str | None = None,
             edited: bool | None = None) -> Session | None:
        return self.assistant.agent_reply(session_id, text, used, kind, edited)

    def hand_back(self, session_id: str) -> Session | None:
        return self.assistant.hand_back(session_id)

    def profile_text(self, session: Session) -> str:
        """The customer panel: who they are, their latest orders, what they are likely to buy
        next and why, and what they asked in this conversation."""
        with self.lock:
            parts = [self._who(session), self._orders(session), self._next(session)]
        done = [m.action or m.intent for m in session.messages if m.role == "customer" and (m.action or m.intent)]
        if done:
            parts.append("**This conversation:** " + " → ".join(i.replace("_", " ") for i in done[-6:]))
        parts.append(_state_text(session))
        if session.agent_held:
            parts.append("**You hold this conversation**: the assistant is quiet until you hand it back.")
        return "\n\n".join(p for p in parts if p)

    def _who(self, session: Session) -> str:
        if not session.user_id:
            return "**Guest customer** (not signed in): no order history."
        profile = self.assistant.describe_customer(session.user_id)
        about = md_text(profile) if profile is not None else "no behaviour models trained for this store."
        return f"**Customer {md_text(session.user_id)}**: {about}"

    def _orders(self, session: Session) -> str:
        orders = self.assistant.recent_orders(session.user_id, 3)
        if not orders:
            return ""
        rows = [f"- {md_text(o.id)} · {when(o.placed)} · {len(o.lines)} lines"
                + (f" · {money(o.total, o.currency)}" if o.total is not None else "") for o in orders]
        return "**Latest orders:**\n" + "\n".join(rows)

    def _next(self, session: Session) -> str:
        if not session.user_id:
            return ""
        known = self.assistant.likely_next(session.user_id, session.id, 3)
        rows = [product_line(rank, product, why) for rank, (product, why) in enumerate(known, 1)]
        return "**Likely next purchases:**\n" + "\n".join(rows) if rows else ""


def _label(s: Session) -> str:
    flag = "HELD" if s.agent_held else "HAND-OFF" if s.handoff else "live"
    last = next((m.text for m in reversed(s.messages) if m.role == "customer"), "")
    return f"{flag} · {s.user_id or 'guest'} · {s.id[:12]} · {last[:40]}"


def transcript(session: Session) -> list[dict]:
    """The conversation as the console shows it: customers' and agents' own words as plain
    text, the assistant's replies as composed (their data already escaped)."""
    out = []
    for m in session.messages:
        if m.role == "customer":
            out.append({"role": "user", "content": chat_text(m.text)})
        elif m.role == "agent":
            out.append({"role": "assistant", "content": "[agent] " + chat_text(m.text)})
        else:
            out.append({"role": "assistant", "content": m.text})
    return out


def build_console(backend: ConsoleBackend) -> gr.Blocks:
    with gr.Blocks(title="Agent console") as demo:
        suggestions = gr.State([])
        seen = gr.State(None)  # (session id, last message seq) the transcript shows
        with gr.Row():
            queue = gr.Dropdown(label="Conversations (hand-offs first)", choices=[], scale=4, elem_id="ag-queue")
            refresh = gr.Button("Refresh", scale=1, elem_id="ag-refresh")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Transcript", height=360, elem_id="ag-transcript")
                with gr.Row():
                    picks = [gr.Button(f"Suggestion {i + 1}", size="sm", elem_id=f"ag-pick-{i}") for i in range(3)]
                shown = gr.Markdown(elem_id="ag-suggestions")
                draft = gr.Textbox(label="Reply (edit before sending)", lines=4, max_length=2000, elem_id="ag-draft")
                used = gr.State(None)
                with gr.Row():
                    send = gr.Button("Send to customer", variant="primary", elem_id="ag-send")
                    back = gr.Button("Hand back to the assistant", elem_id="ag-handback")
            with gr.Column(scale=2):
                profile = gr.Markdown(label="Customer", elem_id="ag-profile")
        poll = gr.Timer(POLL_S)

        def choices():
            return [(_label(s), s.id) for s in backend.queue()]

        def load_queue():
            items = choices()
            return gr.update(choices=items, value=items[0][1] if items else None), items

        def open_session(session_id):
            session = backend.assistant.session(session_id) if session_id else None
            if session is None:
                return [], "", [], "", None
            options = backend.suggestions(session_id)
            listing = "\n\n".join(f"**{i + 1}. {KIND_LABELS.get(s.kind, s.kind)}:** {s.text}"
                                  for i, s in enumerate(options))
            return (transcript(session), backend.profile_text(session), [(s.text, s.kind) for s in options],
                    listing, (session.id, session.next_seq))

        opened = [chat, profile, suggestions, shown, seen]
        listed = gr.State([])
        demo.load(load_queue, None, [queue, listed], api_visibility="private")
        refresh.click(load_queue, None, [queue, listed], api_visibility="private")
        queue.change(open_session, queue, opened, api_visibility="private")
        for i, pick in enumerate(picks):
            pick.click(lambda options, i=i: (options[i][0] if i < len(options) else "", i), suggestions, [draft, used],
                       api_visibility="private")

        def post(session_id, text, used_index, options):
            picked = options[used_index] if used_index is not None and used_index < len(options) else None
            edited = picked is None or picked[0] != text
            backend.send(session_id, text, used_index if picked else None, picked[1] if picked else None, edited)
            return (*open_session(session_id), "", None)

        send.click(post, [queue, draft, used, suggestions], opened + [draft, used], api_visibility="private")
        back.click(lambda sid: (backend.hand_back(sid), open_session(sid))[1], queue, opened,
                   api_visibility="private")

        def watch(session_id, showing, current):
            """New customer messages appear without a click; new conversations join the queue."""
            items = choices()
            same = [list(c) for c in items] == [list(c) for c in current or []]
            head = [gr.skip(), gr.skip()] if same else [gr.update(choices=items), items]
            session = backend.assistant.session(session_id) if session_id else None
            if session is None or tuple(showing or ()) == (session.id, session.next_seq):
                return head + [gr.skip()] * len(opened)
            return head + list(open_session(session_id))

        poll.tick(watch, [queue, seen, listed], [queue, listed] + opened, api_visibility="private",
                  show_progress="hidden")
        _api(backend)
    return demo


def _api(backend: ConsoleBackend) -> None:
    def suggest(session_id: str) -> list[str]:
        """Three suggested replies for the session's latest request: answer, clarify, act."""
        return [s.text for s in backend.suggestions(session_id)]

    def send(session_id: str, text: str) -> dict:
        """Posts an agent reply into the customer's chat; the agent now holds the conversation."""
        session = backend.send(session_id, text)
        return {"session": session_id, "sent": session is not None and bool(text.strip()),
                "held": bool(session and session.agent_held)}

    def hand_back(session_id: str) -> dict:
        """The assistant answers the customer again."""
        session = backend.hand_back(session_id)
        return {"session": session_id, "held": bool(session and session.agent_held)}

    for fn in (suggest, send, hand_back):
        gr.api(fn, api_name=fn.__name__)


def _state_text(session: Session) -> str:
    """What the assistant believes the customer is shopping for, from the conversation's state."""
    state = session.state
    need = state.need
    if need is None:
        return "**Shopping for:** nothing yet."
    bits = [md_text(need.kind or need.query or "something")]
    bits += [f"{md_text(k)}: {md_text(v)}" for k, v in need.wanted.items()]
    bits += [f"not {md_text(w)}" for w in need.unwanted]
    if need.for_whom:
        bits.append(f"for their {md_text(need.for_whom)}")
    if need.max_price is not None or need.min_price is not None:
        bits.append(f"price {need.min_price or 0:g}–{need.max_price if need.max_price is not None else '…'}")
    pending = " · waiting on a yes to add a product" if state.pending and state.pending.kind == "offer_add" else ""
    return f"**Shopping for:** {' · '.join(bits)} · page {state.page + 1}{pending}"
