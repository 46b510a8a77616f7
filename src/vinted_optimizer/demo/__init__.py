"""The demo family (`vinted-optimizer demo-data`, `make demo`): a realistic family with two years of
listings, photos, sales, parcels and market trends, so a new install shows a populated dashboard. Process
wiring, like `cli`: it writes every domain's tables directly, in bulk, and no domain imports it."""

from vinted_optimizer.demo.seed import (
    FAMILY_NAME,
    MEMBERS,
    PASSWORD,
    DemoError,
    DemoMember,
    DemoSummary,
    demo_family_id,
    remove_demo,
    run_demo,
    seed_demo,
)

__all__ = [
    "FAMILY_NAME",
    "MEMBERS",
    "PASSWORD",
    "DemoError",
    "DemoMember",
    "DemoSummary",
    "demo_family_id",
    "remove_demo",
    "run_demo",
    "seed_demo",
]
