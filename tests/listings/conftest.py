"""The Vinted stand-in, for the publishing tests (each module sets the settings pointing at it)."""

from tests.fakes.fixtures import fake_vinted, fake_vinted_server  # noqa: F401
