from pathlib import Path

import pytest

from shopassist.errors import ConfigError
from shopassist.settings import load_settings


def test_precedence_file_env_overrides(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('collection = "from-file"\nprefetch = 7\n[models]\nembedder = "file-model"\n')
    env = {"SHOPASSIST_PREFETCH": "9", "SHOPASSIST_HOME": str(tmp_path / "h")}
    s = load_settings(config, overrides={"collection": "from-cli", "embedder": None}, environ=env)
    assert (s.collection, s.prefetch, s.embedder) == ("from-cli", 9, "file-model")
    assert s.home == tmp_path / "h" and s.store_dir == tmp_path / "h" / "qdrant"


def test_home_config_toml_is_read(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    (home / "config.toml").write_text('rrf_k = 5\n')
    assert load_settings(environ={"SHOPASSIST_HOME": str(home)}).rrf_k == 5


def test_unknown_key_in_file_names_it(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("prefecth = 3\n")
    with pytest.raises(ConfigError, match="unknown setting.*prefecth"):
        load_settings(config, environ={})


def test_invalid_values_name_field_and_value(tmp_path):
    with pytest.raises(ConfigError, match="prefetch='zero'"):
        load_settings(environ={"SHOPASSIST_PREFETCH": "zero", "SHOPASSIST_HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="collection"):
        load_settings(overrides={"collection": "../etc", "home": tmp_path}, environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        bad = tmp_path / "bad.toml"
        bad.write_text("= nope")
        load_settings(bad, environ={})


def test_unknown_env_var_warns(tmp_path):
    with pytest.warns(UserWarning, match="SHOPASSIST_EMBEDER"):
        load_settings(environ={"SHOPASSIST_EMBEDER": "x", "SHOPASSIST_HOME": str(tmp_path)})


def test_settings_are_frozen(tmp_path):
    s = load_settings(overrides={"home": tmp_path}, environ={})
    with pytest.raises(Exception):
        s.collection = "other"
    assert isinstance(s.data_dir, Path)


def test_no_secret_setting_is_echoed_by_repr_or_a_validation_error():
    from shopassist.errors import ConfigError
    from shopassist.settings import load_settings, secret

    planted = "planted-secret-value-0123456789-abcdef"
    settings = load_settings(environ={}, overrides={
        "database_url": f"postgresql://shop:{planted}@db/shop", "customer_secret": planted,
        "qdrant_api_key": planted, "agent_password": planted})
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert planted not in text
    assert secret(settings.customer_secret) == planted and planted in secret(settings.database_url)
    for bad in ({"database_url": f"mysql://shop:{planted}@db/shop"}, {"customer_secret": planted[:10]}):
        with pytest.raises(ConfigError) as failed:
            load_settings(environ={}, overrides=bad)
        assert planted[:10] not in str(failed.value) and "<hidden>" in str(failed.value)


def test_trusted_proxies_are_empty_unless_set():
    from shopassist.settings import load_settings

    assert load_settings(environ={}).trusted_proxies == []
    assert load_settings(environ={"SHOPASSIST_TRUSTED_PROXIES": "10.0.0.5"}).trusted_proxies == ["10.0.0.5"]


def test_capacity_follows_from_one_setting():
    from shopassist.settings import load_settings

    settings = load_settings(environ={"SHOPASSIST_SERVE_WORKERS": "8"}, overrides={})
    assert (settings.parse_slots, settings.parse_batch, settings.pool_size) == (16, 8, 12)
    one = load_settings(environ={"SHOPASSIST_SERVE_WORKERS": "1"}, overrides={})
    assert (one.parse_slots, one.parse_batch) == (1, 1)


def test_production_on_a_shared_database_needs_the_data_key():
    import pytest

    from shopassist.errors import ConfigError
    from shopassist.settings import load_settings
    from ui.server import check_production

    env = {"SHOPASSIST_PRODUCTION": "true", "SHOPASSIST_AGENT_PASSWORD": "a-long-agent-password",
           "SHOPASSIST_CUSTOMER_SECRET": "c" * 40, "SHOPASSIST_DATABASE_URL": "postgresql://shop@db/shop"}
    with pytest.raises(ConfigError, match="data_key"):
        check_production(load_settings(environ=env, overrides={}))
    check_production(load_settings(environ={**env, "SHOPASSIST_DATA_KEY": "k" * 40}, overrides={}))
