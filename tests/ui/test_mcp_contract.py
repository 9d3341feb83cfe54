"""The MCP tools' contract, without a server: the nine names, a description an agent can act
on for each (the same words the README shows, so neither goes stale), typed arguments with the
contract's names, and an output schema for every result."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from ui.mcp import DESCRIPTIONS, build_mcp

README = Path(__file__).resolve().parents[2] / "README.md"
CONTRACT = {"search_catalog", "get_product", "compare_products", "recommend_for_customer", "get_cart",
            "update_cart", "get_order_status", "store_policies", "ask_shop_assistant"}


class _Backend:  # the tools are only registered here, never called
    tools = None


def _tools():
    return {t.name: t for t in asyncio.run(build_mcp(_Backend()).list_tools())}


def test_the_nine_tools_are_served_with_their_descriptions_and_schemas():
    tools = _tools()
    assert set(tools) == CONTRACT == set(DESCRIPTIONS)
    for name, tool in tools.items():
        assert tool.description == DESCRIPTIONS[name] and len(tool.description.split()) >= 8, name
        assert tool.output_schema and tool.output_schema.get("type") == "object", name
        for arg, schema in tool.input_schema.get("properties", {}).items():
            assert "ctx" != arg and (schema.get("type") or schema.get("anyOf")), (name, arg)
    assert tools["search_catalog"].input_schema["required"] == ["query"]
    assert tools["get_order_status"].input_schema["required"] == ["order_id"]
    assert tools["ask_shop_assistant"].input_schema["required"] == ["message"]
    assert tools["update_cart"].input_schema["properties"]["action"]["enum"] == ["add", "remove", "set_quantity"]


def test_the_readme_lists_every_tool_with_its_description():
    text = README.read_text()
    for name, description in DESCRIPTIONS.items():
        row = re.search(rf"^\| `{name}` \| (.+) \|$", text, re.M)
        assert row and row.group(1) == description, name
