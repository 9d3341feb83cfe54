"""``shopassist chat``: one turn (--message), many (--batch FILE.jsonl) or a terminal chat."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shopassist.cli.main import COLLECTION, emit
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


def _print_result(result) -> None:
    for product in result.products:
        reason = f" [{product.reason}]" if product.reason else ""
        click.echo(f"    · {product.id}{reason}")
    if result.suggestions:
        click.echo("    suggestions: " + " | ".join(result.suggestions))


def _is_text(value: str) -> bool:
    """No lone surrogates: bytes that were not UTF-8 (read with ``surrogateescape``) or a
    ``\\udc80``-style escape, neither of which can be stored or printed."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _batch_row(line: str, default_user: str | None,
               default_session: str | None) -> tuple[str | None, str | None, str]:
    """``(session, user, message)`` of one batch line; ``ValueError`` says what is wrong with it."""
    if not _is_text(line):
        raise ValueError("the line is not UTF-8 text")
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise ValueError("the line nests too deeply to be a turn") from None
    if not isinstance(row, dict):
        raise ValueError("each line must be a JSON object with a string `message`")
    if not isinstance(row.get("message"), str):
        raise ValueError("`message` must be a string")
    session = row.get("session", default_session)
    if session is not None and not isinstance(session, str):
        raise ValueError("`session` must be a string")
    user = row.get("user", default_user)
    if isinstance(user, int) and not isinstance(user, bool):
        user = str(user)  # numeric customer ids, as in the Online Retail data
    if user is not None and not isinstance(user, str):
        raise ValueError("`user` must be a string (or a whole number)")
    if not all(_is_text(v) for v in (session, user, row["message"]) if v is not None):
        raise ValueError("`message`, `user` and `session` must be valid Unicode text")
    return session, user, row["message"]


def _batch(assistant, path: Path, default_user: str | None, default_session: str | None) -> None:
    """One JSON line out per turn line in: the turn, or ``{"line", "error"}`` for a line that
    cannot be one; a bad line never stops the lines after it."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                session, user, message = _batch_row(line, default_user, default_session)
                result = assistant.turn(session, user, message, named=True)
                emit({"line": number, **result.to_json()})
            except (ValueError, ShopAssistError) as exc:
                emit({"line": number, "error": str(exc)})


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
        for item in assistant.stream_turn(session, user, message, named=True):
            if isinstance(item, TurnResult):
                session = item.session_id
                click.echo()
                _print_result(item)
            else:
                click.echo(item, nl=False)
                sys.stdout.flush()
    if session:
        click.echo(f"session: {session}", err=True)


@click.command()
@click.option("--user", "user_id", help="Customer id (personalises results; needed to see own orders).")
@click.option("--session", "session_id", help="Continue this conversation (it is kept in the home folder).")
@click.option("--collection", type=COLLECTION, help="Catalogue collection to shop in (default: the `collection` setting).")
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
        result = assistant.turn(session_id, user_id, message, named=True)
        if as_json:
            emit(result.to_json())
        else:
            click.echo(result.reply)
            _print_result(result)
            click.echo(f"session: {result.session_id}", err=True)
    else:
        _interactive(assistant, user_id, session_id)


COMMANDS = (chat,)  # added to the `shopassist` group by shopassist/cli/__init__.py
