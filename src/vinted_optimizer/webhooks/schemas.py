from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

WebhookSource = Literal["sendcloud", "17track"]


class WebhookAck(BaseModel):
    """The answer to a webhook delivery (always 200 once its signature is good)."""

    result: Literal["applied", "duplicate", "ignored"] = Field(
        description="applied: the parcel's shipment took the report into account (a report older than "
        "the status shown only adds its events); duplicate: this delivery was already processed; "
        "ignored: not about a parcel we follow"
    )


class TrackingQuota(BaseModel):
    """17TRACK's registrations: the plan's total, used, left, and used today."""

    quota_total: int
    quota_used: int
    quota_remain: int
    today_used: int
