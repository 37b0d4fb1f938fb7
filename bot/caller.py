"""Who asks: the adapters describe the person, the engine decides what they may do."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    user_id: str = "local"
    name: str = "local"
    role_ids: frozenset[str] = field(default_factory=frozenset)
    in_dm: bool = False
    is_moderator: bool = False  # decided by the adapter from ADMIN_USER_IDS / ADMIN_ROLE_IDS


# the console and `racebot ask`: whoever holds the database file is a moderator
LOCAL_OPERATOR = Caller(user_id="local", name="local operator", is_moderator=True)
