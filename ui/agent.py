"""The support-agent console: conversation queue (hand-offs first), transcript, the
customer's profile, three grounded suggested replies, and a box to edit and send one.

Which suggestion the agent used, and whether they edited it, is recorded with the sent
message (feedback for evaluation).
"""

from __future__ import annotations

import json
import threading

import gradio as gr

from assistant.engine import Assistant
from assistant.replies import money, product_line, when
from assistant.session import Session
from assistant.suggest import suggest_replies


class ConsoleBackend:
    def __init__(self, assistant: Assistant, profile=None):
        self.assistant = assistant
        self.profile = profile  # optional (user_id) -> str, from the behaviour layer
        self.lock = threading.Lock()

    def queue(self) -> list[Session]:
        return self.assistant.sessions.queue(50)

    def suggestions(self, session_id: str) -> list[str]:
        with self.lock:
            session = self.assistant.sessions.get(session_id)
            return [s.text for s in suggest_replies(self.assistant, session)] if session else []

    def send(self, session_id: str, text: str, used: int | None, edited: bool) -> Session | None:
        with self.lock:
            session = self.assistant.sessions.get(session_id)
            if session is None or not text.strip():
                return session
            session.add("agent", text.strip(), intent=json.dumps({"suggestion": used, "edited": edited}))
            session.handoff = False
            self.assistant.sessions.save(session)
            return session

    def profile_text(self, session: Session) -> str:
        """The customer panel: who they are, their latest orders, what they are likely to buy
        next and why, and what they asked in this conversation."""
        with self.lock:
            parts = [self._who(session), self._orders(session), self._next(session)]
        intents = [m.intent for m in session.messages if m.role == "customer" and m.intent]
        if intents:
            parts.append("**This conversation:** " + " → ".join(i.replace("_", " ") for i in intents[-6:]))
        return "\n\n".join(p for p in parts if p)

    def _who(self, session: Session) -> str:
        if not session.user_id:
            return "**Guest customer** (not signed in): no order history."
        about = self.profile(session.user_id) if self.profile else "no behaviour models trained for this store."
        return f"**Customer {session.user_id}**: {about}"

    def _orders(self, session: Session) -> str:
        orders = self.assistant.support.orders.recent(session.user_id, limit=3)
        if not orders:
            return ""
        rows = [f"- {o.id} · {when(o.placed)} · {len(o.lines)} lines"
                + (f" · {money(o.total, o.currency)}" if o.total is not None else "") for o in orders]
        return "**Latest orders:**\n" + "\n".join(rows)

    def _next(self, session: Session) -> str:
        if not session.user_id or self.assistant.recommend is None:
            return ""
        picks = self.assistant.recommend(session.user_id, 3, session.id)
        found = self.assistant.lookup([pid for pid, _ in picks])
        known = [(found[pid], why) for pid, why in picks if pid in found]
        rows = [product_line(rank, product, why) for rank, (product, why) in enumerate(known, 1)]
        return "**Likely next purchases:**\n" + "\n".join(rows) if rows else ""


def _label(s: Session) -> str:
    flag = "HAND-OFF" if s.handoff else "live"
    last = next((m.text for m in reversed(s.messages) if m.role == "customer"), "")
    return f"{flag} · {s.user_id or 'guest'} · {s.id} · {last[:40]}"


def build_console(backend: ConsoleBackend) -> gr.Blocks:
    with gr.Blocks(title="Agent console") as demo:
        suggestions = gr.State([])
        with gr.Row():
            queue = gr.Dropdown(label="Conversations (hand-offs first)", choices=[], scale=4, elem_id="ag-queue")
            refresh = gr.Button("Refresh", scale=1, elem_id="ag-refresh")
        with gr.Row():
            with gr.Column(scale=3):
                transcript = gr.Chatbot(label="Transcript", height=360)
                with gr.Row():
                    picks = [gr.Button(f"Suggestion {i + 1}", size="sm", elem_id=f"ag-pick-{i}") for i in range(3)]
                shown = gr.Markdown(elem_id="ag-suggestions")
                draft = gr.Textbox(label="Reply (edit before sending)", lines=4, elem_id="ag-draft")
                used = gr.State(None)
                send = gr.Button("Send to customer", variant="primary", elem_id="ag-send")
            with gr.Column(scale=2):
                profile = gr.Markdown(label="Customer", elem_id="ag-profile")

        def load_queue():
            items = backend.queue()
            return gr.update(choices=[(_label(s), s.id) for s in items], value=items[0].id if items else None)

        def open_session(session_id):
            session = backend.assistant.sessions.get(session_id) if session_id else None
            if session is None:
                return [], "", [], ""
            messages = [{"role": "user" if m.role == "customer" else "assistant",
                         "content": m.text if m.role != "agent" else f"[agent] {m.text}"} for m in session.messages]
            options = backend.suggestions(session_id)
            listing = "\n\n".join(f"**{i + 1}.** {text}" for i, text in enumerate(options))
            return messages, backend.profile_text(session), options, listing

        demo.load(load_queue, None, queue, api_visibility="private")
        refresh.click(load_queue, None, queue, api_visibility="private")
        queue.change(open_session, queue, [transcript, profile, suggestions, shown], api_visibility="private")
        for i, pick in enumerate(picks):
            pick.click(lambda options, i=i: (options[i] if i < len(options) else "", i), suggestions, [draft, used],
                       api_visibility="private")

        def post(session_id, text, used_index, options):
            edited = used_index is None or used_index >= len(options) or options[used_index] != text
            backend.send(session_id, text, used_index, edited)
            return open_session(session_id)[0], ""

        send.click(post, [queue, draft, used, suggestions], [transcript, draft], api_visibility="private")

        def suggest(session_id: str) -> list[str]:
            """Three suggested replies for the session's latest customer message."""
            return backend.suggestions(session_id)

        gr.api(suggest, api_name="suggest")
    return demo
