"""The one settings object. Every setting can come from a RECOUP_* environment variable."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECOUP_", extra="ignore")

    database_url: str = "recoup.db"
    """A SQLite file path, or a URL such as postgresql://user@host/db (RECOUP_DATABASE_URL)."""

    secret_key: str | None = None
    """Signs web sessions; when unset, a random key is made once and kept in the book."""

    host: str = "127.0.0.1"
    port: int = 8000
    run_batch: int = 1000
    """Customers per transaction of the daily run (RECOUP_RUN_BATCH)."""

    locale: str = "en_US"
    """How numbers, money and dates are shown to people (Babel locale)."""
