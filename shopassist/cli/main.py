"""The ``shopassist`` command: the one thin layer that sits above every package.

This module holds the ``cli`` group (global options, settings, error handling), ``emit``, the
``COLLECTION`` parameter type and ``main``. It imports none of the command modules: the package's
``__init__`` adds their commands to ``cli``.

User errors print a message and exit 1, never a traceback. Progress goes to stderr so
``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from shopassist.errors import ShopAssistError
from shopassist.settings import load_settings


def emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


class CollectionName(click.ParamType):
    """A ``--collection`` value: a plain name (it becomes a folder under the home), checked
    before anything is opened, so ``--collection ../..`` never reaches the disk."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from retrieval.stores import NAME_RULE, valid_name

        if not valid_name(value):
            self.fail(f"{value!r} is not a collection name: use {NAME_RULE}", param, ctx)
        return value


COLLECTION = CollectionName()


class _Errors(click.Group):
    """Turns ``ShopAssistError`` anywhere below into a one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShopAssistError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException("interrupted; re-run the same command to finish") from None


@click.group(cls=_Errors)
@click.option("--home", type=click.Path(file_okay=False), help="Data folder (Qdrant, caches, events). Env: SHOPASSIST_HOME.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings file. Env: SHOPASSIST_CONFIG.")
@click.option("--qdrant-url", help="Qdrant server/cluster URL; unset = embedded engine. Env: SHOPASSIST_QDRANT_URL.")
@click.option("--qdrant-api-key", help="API key for --qdrant-url. Env: SHOPASSIST_QDRANT_API_KEY.")
@click.option("--embedder", help="Sentence-transformer: 'default', a folder or a hub id. Env: SHOPASSIST_EMBEDDER.")
@click.option("--llm", help="Causal LM: 'default', a folder or a hub id. Env: SHOPASSIST_LLM.")
@click.version_option(package_name="shopassist")
@click.pass_context
def cli(ctx: click.Context, home, config_file, qdrant_url, qdrant_api_key, embedder, llm) -> None:
    """Offline conversational shopping assistant."""
    # Model-loading bars from the libraries are noise here; our own progress bars stay.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    overrides = {"home": home, "qdrant_url": qdrant_url, "qdrant_api_key": qdrant_api_key,
                 "embedder": embedder, "llm": llm}
    try:
        ctx.obj = load_settings(config_file, overrides)
    except ShopAssistError as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    from shopassist.privacy import redact_logs

    redact_logs()
    cli(prog_name="shopassist")
