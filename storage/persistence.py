"""python-telegram-bot persistence kept in the bot's own SQLite database.

Only conversation states are stored: everything else the bot knows lives in proper tables.
All work goes through the shared aiosqlite connection, so a flush never blocks the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from datetime import datetime
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database
from storage.models import to_db_time

Empty = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]


class SqlitePersistence(BasePersistence[Empty, Empty, Empty]):
    def __init__(
        self, db: Database, now: Callable[[], datetime], update_interval: float = 5
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._db = db
        self._now = now

    async def get_conversations(self, name: str) -> ConversationDict:
        await self._db.open()
        rows = await self._db.fetchall(
            "SELECT key, state FROM conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        encoded_key = json.dumps(list(key))
        if new_state is None:
            await self._db.execute(
                "DELETE FROM conversations WHERE name = ? AND key = ?", (name, encoded_key)
            )
            return
        await self._db.execute(
            "INSERT INTO conversations (name, key, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state,"
            " updated_at = excluded.updated_at",
            (name, encoded_key, json.dumps(new_state), to_db_time(self._now())),
        )

    # The bot keeps no user, chat, bot or callback data in PTB's dictionaries.
    async def get_user_data(self) -> dict[int, Empty]:
        return {}

    async def get_chat_data(self) -> dict[int, Empty]:
        return {}

    async def get_bot_data(self) -> Empty:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: Empty) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: Empty) -> None:
        return None

    async def update_bot_data(self, data: Empty) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: Empty) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Empty) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Empty) -> None:
        return None

    async def flush(self) -> None:
        return None
