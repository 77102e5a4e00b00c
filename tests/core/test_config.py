import pytest

from core.config import Settings, SettingsError


def test_defaults_use_the_embedded_sqlite_database() -> None:
    settings = Settings.from_environ({})

    assert settings.database_url.startswith("sqlite+aiosqlite://")
    assert settings.default_channel == "web"


def test_values_are_cast_from_the_environment() -> None:
    settings = Settings.from_environ(
        {
            "OMNICART_DATABASE_URL": "postgresql://u@db/omnicart",
            "OMNICART_MAX_PAGE_SIZE": "50",
            "OMNICART_GRAPHIQL": "off",
            "OMNICART_CORS_ORIGINS": "http://localhost:5173, https://shop.example.com/, *",
        }
    )

    assert settings.database_url == "postgresql+asyncpg://u@db/omnicart"
    assert settings.max_page_size == 50
    assert settings.graphiql is False
    assert settings.cors_origins == ("http://localhost:5173", "https://shop.example.com", "*")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OMNICART_MAX_PAGE_SIZE", "many"),
        ("OMNICART_MAX_PAGE_SIZE", "0"),
        ("OMNICART_GRAPHIQL", "perhaps"),
        ("OMNICART_DATABASE_URL", "mysql://db"),
        ("OMNICART_LOG_LEVEL", "chatty"),
        ("OMNICART_CORS_ORIGINS", "shop.example.com"),
        # An origin has no path (the WebSocket origin check refuses one at start).
        ("OMNICART_CORS_ORIGINS", "https://shop.example.com/eu"),
        ("OMNICART_CORS_ORIGINS", "https://shop.example.com:http"),
        ("OMNICART_CORS_ORIGINS", "https://"),
        ("OMNICART_SERVE_STOREFRONT", "sometimes"),
        ("OMNICART_OUTBOX_RETENTION_SECONDS", "an hour"),
        ("OMNICART_OUTBOX_RETENTION_SECONDS", "30"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_environ({variable: value})

    assert variable in str(raised.value)


def test_the_outbox_keeps_events_an_hour_unless_told_otherwise() -> None:
    assert Settings().outbox_retention_seconds == 3600

    configured = Settings.from_environ({"OMNICART_OUTBOX_RETENTION_SECONDS": "86400"})

    assert configured.outbox_retention_seconds == 86400
