"""Both apps on one port: the customer widget at ``/``, the agent console at ``/agent``
(behind a login). One engine serves both; a lock keeps its calls one at a time."""

from __future__ import annotations

import secrets
import sys
import threading

from shopassist.errors import ConfigError
from shopassist.settings import Settings


def agent_credentials(settings: Settings) -> tuple[str, str]:
    if settings.agent_password:
        return settings.agent_user, settings.agent_password
    if settings.production:
        raise ConfigError("production mode needs agent credentials: set SHOPASSIST_AGENT_PASSWORD "
                          "(and SHOPASSIST_AGENT_USER)")
    password = secrets.token_urlsafe(12)
    print(f"agent console login for this run: {settings.agent_user} / {password} "
          "(set SHOPASSIST_AGENT_PASSWORD to choose one)", file=sys.stderr)
    return settings.agent_user, password


def build_app(settings: Settings, collection: str | None = None):
    """The FastAPI app with both Gradio apps mounted; returns ``(app, assistant)``."""
    import gradio as gr
    from fastapi import FastAPI

    from assistant.service import open_assistant
    from ui.agent import ConsoleBackend, build_console
    from ui.cards import CSS
    from ui.widget import WidgetBackend, build_widget

    assistant = open_assistant(settings, collection)
    lock = threading.Lock()
    widget = WidgetBackend(assistant)
    console = ConsoleBackend(assistant, assistant.profile)
    widget.lock = console.lock = lock
    app = FastAPI()
    # The console first: a Gradio app mounted at "/" would otherwise swallow "/agent".
    app = gr.mount_gradio_app(app, build_console(console), path="/agent", auth=agent_credentials(settings),
                              auth_message="Agent console: sign in")
    app = gr.mount_gradio_app(app, build_widget(widget), path="", css=CSS)
    return app, assistant


def serve(settings: Settings, host: str, port: int, collection: str | None = None) -> None:
    import uvicorn

    app, assistant = build_app(settings, collection)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        assistant.close()
