"""A loopback Discord API + gateway simulator for end-to-end tests.

    async with DiscordSimulator() as sim:
        guild = sim.create_guild("Race Fans")
        ...  # start the bot with DISCORD_ADDRESS=sim.address, DISCORD_CA_FILE=sim.ca_file, DISCORD_TOKEN=sim.token
        msg = sim.send_user_message(sim.text_channel(guild), user, "!compare a vs b")
        [reply] = await sim.wait_for_messages(sim.text_channel(guild), 1, after=msg)

See :class:`DiscordSimulator` for the control API.
"""
from .models import (
    PNG_MAGIC,
    Fault,
    GatewaySession,
    RestCall,
    SimAttachment,
    SimChannel,
    SimGuild,
    SimInteraction,
    SimMember,
    SimMessage,
    SimRole,
    SimUser,
)
from .server import DiscordSimulator, SimTimeout

__all__ = [
    "DiscordSimulator",
    "SimTimeout",
    "PNG_MAGIC",
    "Fault",
    "GatewaySession",
    "RestCall",
    "SimAttachment",
    "SimChannel",
    "SimGuild",
    "SimInteraction",
    "SimMember",
    "SimMessage",
    "SimRole",
    "SimUser",
]
