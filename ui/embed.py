"""Putting the widget on a shop page: an iframe (works from any origin and passes the
customer id) or Gradio's ``<gradio-app>`` web component, whose loader we serve at
``/embed.js`` so a shop page needs nothing from the internet."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse


def loader_path() -> Path:
    """Gradio's own web-component entry script, shipped inside the installed package."""
    import gradio

    return Path(gradio.__file__).parent / "templates" / "frontend" / "gradio.js"


def iframe_snippet(base_url: str, customer: str | None = None, height: int = 720) -> str:
    src = base_url.rstrip("/") + "/" + (f"?customer={quote(customer)}" if customer else "")
    return (f'<iframe src="{escape(src)}" title="Shop assistant" style="width:100%;max-width:760px;'
            f'height:{height}px;border:0" allow="clipboard-write"></iframe>')


def component_snippet(base_url: str) -> str:
    base = escape(base_url.rstrip("/"))
    return (f'<script type="module" src="{base}/embed.js"></script>\n'
            f'<gradio-app src="{base}/" container="false"></gradio-app>')


def add_loader_route(app) -> None:
    """``GET /embed.js``: the loader resolves its chunks relative to itself, i.e. from this
    server's ``/assets``. A module script from another origin needs a CORS header; the file
    is public, so any origin may load it (Gradio's own middleware guards the API calls)."""
    @app.get("/embed.js", include_in_schema=False)
    async def embed_js(request: Request):
        headers = {"Cache-Control": "no-cache", "Vary": "Origin"}
        if "origin" in request.headers:
            headers["Access-Control-Allow-Origin"] = request.headers["origin"]
        return FileResponse(loader_path(), media_type="text/javascript", headers=headers)
