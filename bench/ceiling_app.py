"""The stack's ceiling for bench/api.py: FastAPI + asyncpg, one SELECT by primary key, nothing else.

    VO_CEILING_DSN=postgresql://... uvicorn bench.ceiling_app:app --port N

The same server (uvicorn, uvloop, httptools, one process) and the same PostgreSQL as `serve`, so the
ratio of the two shows what our layers cost: authentication, revocation, rate limits, scoping,
photos and owner, serialisation.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, HTTPException


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["VO_CEILING_DSN"], min_size=10, max_size=20)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/listings/{listing_id}")
async def get_listing(listing_id: uuid.UUID) -> dict[str, object]:
    row = await app.state.pool.fetchrow(
        "SELECT id, title, description, price, brand, status FROM listings WHERE id = $1", listing_id
    )
    if row is None:
        raise HTTPException(404)
    return dict(row)
