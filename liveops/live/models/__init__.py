"""Models of live-stream operations. ``rooms`` (studios and their checklists), ``accounts`` (platform
accounts), ``sessions`` (the schedule and each session's figures) and ``lineups`` (排品). The
real-time part (push receiver, events, big screen) gets a module of its own."""

from liveops.live.models.accounts import LiveAccount
from liveops.live.models.lineups import LineupItem, Mechanic
from liveops.live.models.rooms import Studio, StudioChecklistItem
from liveops.live.models.sessions import LiveSession

__all__ = ["LineupItem", "LiveAccount", "LiveSession", "Mechanic", "Studio", "StudioChecklistItem"]
