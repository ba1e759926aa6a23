"""The signup example's users, in SQLite (one short connection per call, in a thread)."""

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
)
"""


class EmailTaken(Exception):
    pass


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str


class UserStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=5)

    def create(self, email: str, name: str) -> User:
        try:
            with closing(self._connect()) as db, db:
                cursor = db.execute("INSERT INTO users (email, name) VALUES (?, ?)", (email, name))
        except sqlite3.IntegrityError as exc:
            raise EmailTaken(email) from exc
        if cursor.lastrowid is None:
            raise RuntimeError("SQLite reported no id for the new user")
        return User(cursor.lastrowid, email, name)

    def delete(self, user_id: int) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM users WHERE id = ?", (user_id,))

    def get(self, user_id: int) -> User | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT id, email, name FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        return None if row is None else User(*row)
