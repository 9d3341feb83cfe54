"""Product cards as HTML. Catalogue text is data: every field is escaped, and links are
only ever the product's own http(s) URL."""

from __future__ import annotations

import html

from assistant.engine import ProductCard
from assistant.replies import money
from shopassist.plain_text import http_url


def card_html(card: ProductCard, rank: int) -> str:
    title = html.escape(card.title)
    link = http_url(card.url)
    name = f'<a href="{html.escape(link)}" target="_blank" rel="noopener noreferrer">{title}</a>' if link else title
    reason = f'<div class="sa-reason">Why: {html.escape(card.reason)}</div>' if card.reason else ""
    category = html.escape(card.category.split(" > ")[-1]) if card.category else ""
    return (f'<div class="sa-card" data-product-id="{html.escape(card.id)}">'
            f'<div class="sa-rank">{rank}</div><div class="sa-title">{name}</div>'
            f'<div class="sa-price">{html.escape(money(card.price, card.currency))}</div>'
            f'<div class="sa-category">{category}</div>{reason}</div>')


CSS = """
.sa-card {border: 1px solid #ddd; border-radius: 8px; padding: 8px; margin: 2px 0; background: #fafafa;}
.sa-rank {float: right; color: #999; font-size: 12px;}
.sa-title {font-weight: 600; overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 4;
            -webkit-box-orient: vertical; overflow: hidden;}
.sa-price {color: #0a7; font-weight: 600;}
.sa-category {color: #666; font-size: 12px;}
.sa-reason {color: #555; font-size: 12px; font-style: italic;}
"""
