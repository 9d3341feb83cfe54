"""Errors a user can act on. The CLI and UI show their message, never a traceback."""


class ShopAssistError(Exception):
    """Base for every error whose message tells the user what to change."""


class CustomerError(ShopAssistError):
    """An error whose message is written for the customer ("please wait a moment"): the only
    kind a browser is shown word for word. Any other error may name a host, a user or a file,
    so a customer gets an apology and a reference id, and the log gets the detail under it."""


class ConfigError(ShopAssistError):
    """A setting is missing, unknown or invalid."""


class ModelNotFoundError(ShopAssistError):
    """Model weights could not be found where the settings point."""


class CatalogError(ShopAssistError):
    """A catalogue file cannot be read at all (single bad rows are reported, not raised)."""


class StoreError(ShopAssistError):
    """The vector store cannot be opened or used."""


class StoreBusyError(StoreError):
    """Another process holds the store."""
