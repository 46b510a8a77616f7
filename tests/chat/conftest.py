from __future__ import annotations

import pytest

from tests.support.chat_home import ScriptedHome
from vinted_optimizer.chat import replies


@pytest.fixture
async def home(resources):  # noqa: ANN001, ANN201
    """The scripted home side in place of the AI client's chat (tests/support/chat_home.py)."""
    scripted = ScriptedHome(resources.ai)
    resources.ai = scripted
    yield scripted
    for running in list(replies.RUNNING.values()):
        running.task.cancel()
    await replies.wait_all()
