"""Every setting the bot reads, from the environment and `.env`, validated at start-up."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")

DEFAULT_SUPPORT_MESSAGE = (
    "If you are in danger or might harm yourself, call your local emergency number now. "
    "In the UK and Ireland you can ring Samaritans on 116 123, any time, free."
)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    telegram_bot_token: SecretStr
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("data/glimmers.sqlite3")
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    support_message: str = Field(default=DEFAULT_SUPPORT_MESSAGE, min_length=1, max_length=1000)
    telegram_max_messages_per_second: float = Field(default=30, ge=0)
    checkin_grace_minutes: int = Field(default=120, ge=0, le=24 * 60)
    # Comma-separated Telegram user ids, as people write them in an env file: 123,456.
    allowed_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()

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
        if not TOKEN_SHAPE.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token from BotFather (digits:letters)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must start with http:// or https://")
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

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning pydantic's report into one readable line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        if first["type"] == "missing":
            raise SettingsError(
                f"Setting {name} is missing: set it in the environment or .env"
            ) from None
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Setting {name} is malformed: {reason}") from None
