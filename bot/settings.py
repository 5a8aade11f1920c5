"""Every setting the bot reads, from the environment and `.env`, validated at start-up."""

from __future__ import annotations

import ipaddress
import logging
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from storage.crypto import PLAIN, TextBox, decode_key

TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")
# What Telegram accepts as a webhook's secret_token.
# Telegram allows 1-256 of these characters; a guessable secret is no secret, so 32 at least.
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
# The ports Telegram will deliver webhooks to.
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
# The path is handed to the webhook server as a pattern, so keep it to plain characters.
WEBHOOK_PATH_SHAPE = re.compile(r"^[A-Za-z0-9._~/-]*$")
LOOPBACK_HOSTS = frozenset({"localhost"})
# Proxies both transports can use without more packages.
PROXY_SCHEMES = frozenset({"http", "https"})


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `TELEGRAM_BOT_TOKEN=` (as `cp .env.example .env` leaves it) is a missing token, not a
        # malformed one; an empty value means "the default" for every setting.
        env_ignore_empty=True,
    )

    # Required to run the bot; the subcommands that never talk to Telegram do without it.
    # Empty by default: load_settings() reports it as missing.
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("data/glimmers.sqlite3")
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    # Unset: texts.SUPPORT_DEFAULT, in each person's language (with a helpline where theirs
    # is spoken); set: these words, for everyone.
    support_message: str | None = Field(default=None, min_length=1, max_length=1000)
    telegram_max_messages_per_second: float = Field(default=30, ge=0)
    checkin_grace_minutes: int = Field(default=120, ge=0, le=24 * 60)
    # Webhook mode: set WEBHOOK_URL and the bot serves updates over HTTP instead of polling.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    # This machine only, unless told otherwise; the Docker image sets 0.0.0.0.
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Encryption at rest of what people write; see storage/crypto.py.
    encryption_key: SecretStr | None = None
    # Start with a key while plain rows remain: only for the length of a move to encryption.
    encryption_allow_plain: bool = False
    # Comma-separated Telegram user ids, as people write them in an env file: 123,456.
    allowed_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # How the bot talks to the Bot API: aiohttp (lighter, the default) or PTB's own httpx.
    telegram_transport: Literal["aiohttp", "httpx"] = "aiohttp"
    # An http:// or https:// proxy for every Bot API call; it may hold a user and password.
    telegram_proxy_url: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _unquote(cls, values: Any) -> Any:
        """`docker run --env-file` keeps quotation marks as part of a value, where .env
        readers (and Docker Compose) drop them; drop one matching pair so both agree. Left
        empty, a setting takes its default, as an empty line in `.env` does."""
        if not isinstance(values, dict):
            return values
        unquoted = {name: _unquoted(value) for name, value in values.items()}
        return {name: value for name, value in unquoted.items() if value != ""}

    @field_validator("encryption_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        decode_key(value.get_secret_value())
        return SecretStr(value.get_secret_value().strip())

    @property
    def text_box(self) -> TextBox:
        """Seals what people write when ENCRYPTION_KEY is set; plain text otherwise."""
        if self.encryption_key is None:
            return PLAIN
        return TextBox(decode_key(self.encryption_key.get_secret_value()))

    @field_validator("allowed_user_ids", "admin_user_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        ids = set()
        for part in value.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not re.fullmatch(r"-?\d{1,20}", part):
                raise ValueError(f"{part!r} is not a Telegram user id; write ids like 123,456")
            ids.add(int(part))
        return frozenset(ids)

    def may_use(self, user_id: int) -> bool:
        """Whether this person may use the bot: anyone, unless ALLOWED_USER_IDS lists who.
        Admins may always use it."""
        return (
            not self.allowed_user_ids
            or user_id in self.allowed_user_ids
            or user_id in self.admin_user_ids
        )

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            return value  # no token: load_settings() says "missing" where one is needed
        if not TOKEN_SHAPE.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token from BotFather (digits:letters)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must start with http:// or https://")
        host = _url_parts(value).hostname or ""
        # The token travels in every request's path: in the clear only to this machine.
        if value.startswith("http://") and not _is_loopback(host):
            raise ValueError("must be https:// unless it is on this machine (127.0.0.1)")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known IANA time zone such as Europe/London") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        parts = _url_parts(value)
        port = parts.port
        host = parts.hostname or ""
        if parts.scheme == "http" and _is_loopback(host):
            pass  # a Bot API server on this machine (or the tests' fake) may use plain http
        elif parts.scheme != "https" or not host:
            raise ValueError("must be an https:// URL (Telegram delivers webhooks over TLS)")
        elif port is not None and port not in WEBHOOK_PORTS:
            raise ValueError("may only use port 443, 80, 88 or 8443 (Telegram's rule)")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("must not hold a user name, password, query or fragment")
        if not WEBHOOK_PATH_SHAPE.match(parts.path):
            raise ValueError("path may only hold letters, digits and . _ ~ - /")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _blank_secret(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("webhook_url"):
                raise PydanticCustomError("required_with", "required when WEBHOOK_URL is set")
            return None
        if not WEBHOOK_SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError(
                "must be 32-256 characters of A-Z, a-z, 0-9, _ and - (make one with: "
                'python3 -c "import secrets; print(secrets.token_urlsafe(32))")'
            )
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value.strip())
        except ValueError as exc:
            raise ValueError("must be an IP address such as 0.0.0.0 or 127.0.0.1") from exc
        return value.strip()

    @field_validator("telegram_transport", mode="before")
    @classmethod
    def _transport(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("telegram_proxy_url", mode="before")
    @classmethod
    def _proxy_url(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(raw, str):
            return value
        raw = raw.strip()
        if not raw:
            return None
        # The messages never repeat the value: it may hold a password.
        parts = _url_parts(raw)
        if parts.scheme not in PROXY_SCHEMES:
            raise ValueError("must be an http:// or https:// proxy URL, such as http://host:3128")
        if not parts.hostname:
            raise ValueError("has no host name")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("must be only scheme, host and port (and a user and password)")
        return raw

    @property
    def proxy_url(self) -> str | None:
        """TELEGRAM_PROXY_URL's value, or None."""
        return (
            None if self.telegram_proxy_url is None else self.telegram_proxy_url.get_secret_value()
        )

    @property
    def webhook_path(self) -> str:
        """The path part of WEBHOOK_URL without its leading slash: where the server listens."""
        return urlsplit(self.webhook_url or "").path.lstrip("/")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for the log filter to redact."""
        found = [self.telegram_bot_token.get_secret_value()]
        if self.webhook_secret is not None:
            found.append(self.webhook_secret.get_secret_value())
        if self.encryption_key is not None:
            found.append(self.encryption_key.get_secret_value())
        proxy_password = urlsplit(self.proxy_url or "").password
        if proxy_password:
            found.append(proxy_password)
        return tuple(found)

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


class GivenSettings(Settings):
    """Settings from the values given alone: no environment, no `.env`. Tests build exactly
    the settings they mean, whatever a developer keeps in their shell or working folder."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def load_settings(
    *, read_environment: bool = True, require_token: bool = True, **overrides: Any
) -> Settings:
    """Build the settings, turning pydantic's report into one readable line.

    `read_environment=False` uses `overrides` alone (see GivenSettings). `require_token=False`
    is for the subcommands that never talk to Telegram: a token is then not needed, though
    one that is set must still look like a token.
    """
    kind = Settings if read_environment else GivenSettings
    try:
        settings = kind(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        if first["type"] == "missing":
            raise SettingsError(
                f"Setting {name} is missing: set it in the environment or .env"
            ) from None
        reason = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "required_with":
            raise SettingsError(f"Setting {name} is missing: {reason}") from None
        raise SettingsError(f"Setting {name} is malformed: {reason}") from None
    if require_token and not settings.telegram_bot_token.get_secret_value():
        raise SettingsError(
            "Setting TELEGRAM_BOT_TOKEN is missing: set it in the environment or .env to the "
            "token from @BotFather (or see the bot without one: glimmers-bot try)"
        )
    return settings


def _unquoted(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _url_parts(value: str) -> SplitResult:
    """The parts of a URL, its port checked too; the error never repeats the value (it may
    hold a password)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        raise ValueError("is not a valid URL") from None
    return parts


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
