"""The talent tests share the live centre's world (anchors, brokers, personas)."""

from tests.live.conftest import live  # noqa: F401
