"""Where jobs put large outputs. The result backend only ever holds a small pointer."""

import hashlib
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..settings import get_settings


@dataclass(frozen=True)
class StoredObject:
    uri: str
    bytes: int
    sha256: str

    def as_result(self) -> dict[str, Any]:
        return asdict(self)


class LocalDirectoryStorage:
    """Files under one directory; swap for an object store in production."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def path_for(self, name: str) -> Path:
        path = (self._root / name).resolve()
        if not path.is_relative_to(self._root):
            raise ValueError(f"{name!r} points outside the storage directory")
        return path

    def write_lines(self, name: str, lines: list[str]) -> StoredObject:
        """Write atomically, so a job redelivered after a crash overwrites, never appends."""
        path = self.path_for(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = "".join(f"{line}\n" for line in lines).encode()
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(path)
        return StoredObject(path.as_uri(), len(data), hashlib.sha256(data).hexdigest())

    def delete_older_than(self, cutoff: float) -> int:
        """Delete files last modified before `cutoff` (a Unix time); return how many."""
        if not self._root.exists():
            return 0
        old = [p for p in self._root.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff]
        for path in old:
            path.unlink(missing_ok=True)
        return len(old)


@lru_cache(maxsize=1)
def storage() -> LocalDirectoryStorage:
    """The process's output storage, under STORAGE_DIR."""
    return LocalDirectoryStorage(get_settings().storage_dir)
