"""Settings from the environment: RECOUP_<FIELD> for every setting, as a person sets it
in a shell (`recoup.settings`, a plain pydantic model that reads them itself)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from recoup.settings import Settings


def test_every_setting_comes_from_its_variable_in_its_own_type(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RECOUP_DATABASE_URL", "postgresql://books@db/ledger")
    monkeypatch.setenv("RECOUP_PORT", "9000")
    monkeypatch.setenv("RECOUP_HTTPS_ONLY", "1")
    monkeypatch.setenv("RECOUP_THIRD_PARTY_COLLECTOR", "true")
    monkeypatch.setenv("RECOUP_SMTP_URL", "smtp://mail.example:2525")
    monkeypatch.setenv("recoup_business_name", "Lindqvist Tools")  # any case, as before
    s = Settings()
    assert s.database_url == "postgresql://books@db/ledger"
    assert s.port == 9000
    assert s.https_only is True
    assert s.third_party_collector is True
    assert s.smtp_url == "smtp://mail.example:2525"
    assert s.business_name == "Lindqvist Tools"
    assert s.secret_key is None
    assert s.login_attempts_per_user == 5


def test_arguments_win_and_other_variables_are_left_alone(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RECOUP_LOCALE", "de_DE")
    monkeypatch.setenv("RECOUP_TEST_PG_URL", "postgresql://elsewhere/test")  # not a setting
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone-else/db")  # not ours
    s = Settings(locale="fr_FR")
    assert s.locale == "fr_FR"
    assert s.database_url == "recoup.db"
    assert not hasattr(s, "test_pg_url")
    assert Settings().locale == "de_DE"


def test_a_value_that_does_not_fit_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("RECOUP_PORT", "eighty")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_reading_the_settings_imports_no_pydantic_settings_nor_asyncio():
    code = (
        "import sys\nfrom recoup.settings import Settings\nSettings()\n"
        "print(sorted({'pydantic_settings', 'asyncio'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
