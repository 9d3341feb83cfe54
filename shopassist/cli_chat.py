"""``shopassist chat``: one turn (--message), many (--batch FILE.jsonl) or a terminal chat."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shopassist.cli import _emit, cli
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


def _print_result(result) -> None:
    for product in result.products:
        reason = f" [{product.reason}]" if product.reason else ""
        click.echo(f"    · {product.id}{reason}")
    if result.suggestions:
        click.echo("    suggestions: " + " | ".join(result.suggestions))


def _batch(assistant, path: Path, default_user: str | None, default_session: str | None) -> None:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("message"), str):
                    raise ValueError("each line must be a JSON object with a string `message`")
                user = row.get("user", default_user)
                result = assistant.turn(row.get("session", default_session), None if user is None else str(user),
                                        row["message"])
                _emit({"line": number, **result.to_json()})
            except (ValueError, ShopAssistError) as exc:
                _emit({"line": number, "error": str(exc)})


def _interactive(assistant, user: str | None, session: str | None) -> None:
    from assistant.engine import TurnResult

    click.echo("Chat with the shop assistant (empty line or Ctrl-D to quit).", err=True)
    while True:
        try:
            message = input("you> ")
        except EOFError:
            break
        if not message.strip():
            break
        click.echo("assistant> ", nl=False)
        for item in assistant.stream_turn(session, user, message):
            if isinstance(item, TurnResult):
                session = item.session_id
                click.echo()
                _print_result(item)
            else:
                click.echo(item, nl=False)
                sys.stdout.flush()
    if session:
        click.echo(f"session: {session}", err=True)


@cli.command()
@click.option("--user", "user_id", help="Customer id (personalises results; needed to see own orders).")
@click.option("--session", "session_id", help="Continue this conversation (it is kept in the home folder).")
@click.option("--collection", help="Catalogue collection to shop in (default: the `collection` setting).")
@click.option("--message", help="One customer message; omit for an interactive chat.")
@click.option("--batch", "batch_file", type=click.Path(dir_okay=False, exists=True),
              help="JSONL of {\"message\", \"user\"?, \"session\"?}: one JSON result per line.")
@click.option("--json", "as_json", is_flag=True, help="Print the turn as JSON.")
@click.pass_obj
def chat(settings: Settings, user_id, session_id, collection, message, batch_file, as_json) -> None:
    """Talk to the assistant."""
    from assistant.service import open_assistant

    assistant = open_assistant(settings, collection)
    try:
        _chat(assistant, user_id, session_id, message, batch_file, as_json)
    finally:
        assistant.close()


def _chat(assistant, user_id, session_id, message, batch_file, as_json) -> None:
    if batch_file:
        _batch(assistant, Path(batch_file), user_id, session_id)
    elif message is not None:
        result = assistant.turn(session_id, user_id, message)
        if as_json:
            _emit(result.to_json())
        else:
            click.echo(result.reply)
            _print_result(result)
            click.echo(f"session: {result.session_id}", err=True)
    else:
        _interactive(assistant, user_id, session_id)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--collection", help="Catalogue collection to shop in (default: the `collection` setting).")
@click.pass_obj
def serve(settings: Settings, host, port, collection) -> None:
    """Serve the customer widget at / and the agent console at /agent."""
    from ui.server import serve as run

    click.echo(f"customer widget: http://{host}:{port}/   agent console: http://{host}:{port}/agent", err=True)
    run(settings, host, port, collection)
