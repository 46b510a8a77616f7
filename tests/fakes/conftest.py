"""The fakes' own tests use the shared fixtures of tests/fakes/fixtures.py."""

from tests.fakes.fixtures import (  # noqa: F401
    fake_sendcloud,
    fake_sendcloud_server,
    fake_track17,
    fake_track17_server,
    fake_vinted,
    fake_vinted_server,
)
