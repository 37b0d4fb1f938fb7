"""Issue #13: the smaller items and the checks that need no server.

Each test names the review finding it guards against."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


@pytest.mark.parametrize("raw", ["1_000", "١٢٣", "+5", "１２３", "12 3x", "0x10", "1e3"])
@pytest.mark.parametrize("key", ["ADMIN_ROLE_IDS", "ADMIN_USER_IDS", "ANNOUNCE_CHANNEL_ID", "DEV_GUILD_ID"])
def test_discord_ids_are_ascii_digits_only(key, raw):
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({key: raw}, dotenv_path=None)
    assert key in str(exc.value) and "digits" in str(exc.value)


def test_plain_ids_still_load():
    s = Settings.from_env({"ADMIN_ROLE_IDS": "123456789012345678, 42", "ADMIN_USER_IDS": "7"}, dotenv_path=None)
    assert s.admin_role_ids == {123456789012345678, 42} and s.admin_user_ids == {7}
