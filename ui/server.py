"""Both apps on one port: the customer widget at ``/``, the agent console at ``/agent``
(behind a login). One engine serves both; a lock keeps its calls one at a time."""

from __future__ import annotations

import secrets
import sys
import threading
import time

from shopassist.errors import ConfigError
from shopassist.settings import Settings


def agent_credentials(settings: Settings) -> tuple[str, str]:
    """From settings; outside production mode a missing password is made up for this run and
    written to a file only its owner can read (never to the console or a log)."""
    if settings.agent_password:
        return settings.agent_user, settings.agent_password
    if settings.production:
        raise ConfigError("production mode needs agent credentials: set SHOPASSIST_AGENT_PASSWORD "
                          "(and SHOPASSIST_AGENT_USER)")
    password = secrets.token_urlsafe(12)
    path = settings.home / "agent-login.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(f"{settings.agent_user}\n{password}\n")
    print(f"agent console login for this run: user {settings.agent_user!r}, password in {path} "
          "(set SHOPASSIST_AGENT_PASSWORD to choose one)", file=sys.stderr)
    return settings.agent_user, password


class ExpiringTokens(dict):
    """Gradio keeps login tokens in a plain dict for the life of the process; this one
    forgets a token ``ttl`` seconds after it was issued, so an agent's login expires."""

    def __init__(self, ttl: float, clock=time.monotonic):
        super().__init__()
        self.ttl, self.clock, self.issued = ttl, clock, {}

    def __setitem__(self, token, user):
        self.issued[token] = self.clock()
        super().__setitem__(token, user)

    def _live(self, token) -> bool:
        if super().__contains__(token) and self.clock() - self.issued.get(token, 0.0) > self.ttl:
            super().__delitem__(token)
            self.issued.pop(token, None)
        return super().__contains__(token)

    def __contains__(self, token) -> bool:
        return self._live(token)

    def get(self, token, default=None):
        return super().get(token, default) if self._live(token) else default

    def __getitem__(self, token):
        if not self._live(token):
            raise KeyError(token)
        return super().__getitem__(token)


def _expire_logins(app, path: str, ttl: float) -> None:
    for route in app.routes:
        if getattr(route, "path", None) == path and hasattr(getattr(route, "app", None), "tokens"):
            route.app.tokens = ExpiringTokens(ttl)
            return
    raise RuntimeError(f"no Gradio app mounted at {path}")


def build_app(settings: Settings, collection: str | None = None):
    """The FastAPI app with both Gradio apps mounted; returns ``(app, assistant)``."""
    import gradio as gr
    from fastapi import FastAPI

    from assistant.service import open_assistant
    from ui.agent import ConsoleBackend, build_console
    from ui.cards import CSS
    from ui.embed import add_loader_route
    from ui.identity import Identity
    from ui.widget import WidgetBackend, build_widget

    assistant = open_assistant(settings, collection)
    lock = threading.Lock()
    widget = WidgetBackend(assistant, Identity(settings.customer_secret))
    console = ConsoleBackend(assistant, assistant.profile)
    widget.lock = console.lock = lock
    app = FastAPI()
    # The console first: a Gradio app mounted at "/" would otherwise swallow "/agent".
    # System fonts: the default theme fetches its font from the internet, which an offline shop lacks.
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "Helvetica", "Arial", "sans-serif"])
    app = gr.mount_gradio_app(app, build_console(console), path="/agent", auth=agent_credentials(settings),
                              auth_message="Agent console: sign in", theme=theme)
    _expire_logins(app, "/agent", settings.agent_session_minutes * 60)
    add_loader_route(app)
    app = gr.mount_gradio_app(app, build_widget(widget), path="", css=CSS, theme=theme)
    return app, assistant


def serve(settings: Settings, host: str, port: int, collection: str | None = None) -> None:
    import uvicorn

    app, assistant = build_app(settings, collection)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        assistant.close()
