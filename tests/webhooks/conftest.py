"""The webhook tests talk to the 17TRACK and Sendcloud stand-ins (tests/fakes/fixtures.py)."""

from tests.fakes.fixtures import (  # noqa: F401
    fake_sendcloud,
    fake_sendcloud_server,
    fake_track17,
    fake_track17_server,
)
