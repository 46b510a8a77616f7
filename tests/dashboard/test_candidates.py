"""What the suggestions read (listings.service.suggestion_candidates): the few columns the rules need, in
two reads bounded in SQL, each in the order the suggestions take them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.dashboard.test_dashboard import _build
from vinted_optimizer.listings import service as listings


async def test_candidates_are_bounded_and_ordered_in_sql(client, session):
    family = await _build(client, session)
    ids, fid = family.ids, uuid.UUID(family.admin.family_id)
    for name, hours in (("failed", 1), ("ready", 2), ("fresh_draft", 3)):
        await session.execute(
            text("UPDATE listings SET updated_at = now() - make_interval(hours => :h) WHERE id = :id"),
            {"h": hours, "id": ids[name]},
        )

    on_sale, drafts = await listings.suggestion_candidates(session, fid, limit=2)
    assert [c.id for c in on_sale] == [ids["old_created"], ids["stale"]]  # the longest on sale first
    assert [c.id for c in drafts] == [ids["failed"], ids["ready"]]  # the most recently changed first

    on_sale, drafts = await listings.suggestion_candidates(session, fid)
    # On sale without a Vinted category or item: neither a price nor a repost can concern it.
    assert {c.id for c in on_sale} == {ids[name] for name in ("old_created", "stale", "repost", "outlier")}
    assert ids["pending"] not in {c.id for c in drafts}  # its analysis will fill it
    ready = next(c for c in drafts if c.id == ids["ready"])
    assert (ready.status, ready.photos, [field for field, _ in ready.missing]) == (
        "ready",
        1,
        ["package_size_id"],
    )
    stale = next(c for c in on_sale if c.id == ids["stale"])
    assert (stale.vinted_id, stale.price, stale.missing, stale.busy) == ("9001", 40, [], False)
    assert stale.on_sale_since < stale.updated_at


async def test_a_running_vinted_operation_makes_a_candidate_busy(client, session):
    family = await _build(client, session)
    ids, fid = family.ids, uuid.UUID(family.admin.family_id)
    for name, state, minutes in (("repost", "reposting", 5), ("stale", "publishing", 120)):
        record = {"state": state, "updated_at": f"{_ago_iso(minutes)}"}
        await session.execute(
            text(
                "UPDATE listings SET vinted_data = vinted_data || jsonb_build_object('publish', "
                "CAST(:record AS jsonb)) WHERE id = :id"
            ),
            {"record": json.dumps(record), "id": ids[name]},
        )
    on_sale, _ = await listings.suggestion_candidates(session, fid)
    busy = {c.id: c.busy for c in on_sale}
    # Running for minutes: busy; "running" for two hours is a lost job, no longer counted.
    assert (busy[ids["repost"]], busy[ids["stale"]], busy[ids["outlier"]]) == (True, False, False)


def _ago_iso(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
