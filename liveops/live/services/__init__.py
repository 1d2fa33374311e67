"""Services of live-stream operations: rooms and accounts, the schedule, line-ups."""

from liveops.live.services import lineups, rooms, sessions

__all__ = ["lineups", "rooms", "sessions"]
