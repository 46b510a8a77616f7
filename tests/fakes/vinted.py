"""A stand-in for Vinted's website and API (shared/contracts/vinted.md) that replays the recorded fixtures
(shared/fixtures/vinted/: the search answer and the item page) and misbehaves on script.

One app answers for both hosts (``VO_VINTED_BASE_URL`` and ``VO_VINTED_API_URL`` both point at it):

- ``GET /`` sets ``access_token_web`` (a JWT with ``exp``) and ``anon_id``; ``GET /items/new`` carries
  ``CSRF_TOKEN`` for a member; ``GET /items/{id}`` is the recorded item page.
- ``GET /svc-catalogue/items`` (Bearer + ``x-anon-id``) is the recorded search with ``current_page`` set to
  the page asked for and ``total_pages`` = ``fake.search_pages``; the old ``/api/v2/catalog/items``
  answers ``404 {"code":104}``.
- A member's endpoints want the ``access_token_web`` cookie of a live token (401 code 100 otherwise);
  writes also want ``X-CSRF-Token`` (403 code 106 otherwise).
- ``POST /web/api/auth/refresh`` (both cookies) rotates the pair; a refresh token is single-use and a
  used or unknown one answers 400 with an empty body (a dead chain).
- Wardrobe, sold orders, transactions, journey and upload answers are hand-written in the contract's
  shape (no recorded ones exist); the prepaid label is a real one-page PDF.
- For the sales sync: order ``n`` is transaction ``7_000_000_000 + n`` and sold wardrobe item
  ``9_000_000_000 + n`` (its transaction's ``item_id``, its shipment's tracking code ``3SVOPT<n>``);
  ``fake.order_statuses`` overrides an order's status, ``fake.dropped_orders`` answers orders as Vinted
  does once it has dropped their details, ``fake.without_shipment`` sells without Vinted's shipping.

Scripting: ``fake.script("search", Reply.challenge_page(), Reply.rate_limited(60))`` answers the next
calls of an operation in order (after auth), then the normal behaviour returns. ``fake.calls`` records
every request.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.fakes.documents import label_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vinted"
SEARCH_FIXTURE = FIXTURES / "search-it.json"
ITEM_FIXTURE = FIXTURES / "item-it.html"
CSRF_TOKEN = "75f6c9fa-dc8e-4e52-a000-e09dd4084b3e"
OPERATIONS = (
    "home", "search", "old_search", "item", "csrf", "refresh", "wardrobe", "orders", "transaction",
    "journey", "label", "photo", "create", "delete", "delete_post",
)  # fmt: skip
WRITES = ("photo", "create", "delete", "delete_post")

CHALLENGE_HTML = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='cf-challenge'>Checking your browser</div></body></html>"
)
DATADOME_BODY = b'{"url":"https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA&cid=abc&t=fe"}'


@dataclass
class Reply:
    status: int = 200
    body: bytes | None = None  # None: the normal answer (after ``delay``)
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def error(cls, status: int, code: int, message_code: str) -> Reply:
        return cls(status, json.dumps({"code": code, "message_code": message_code}).encode())

    @classmethod
    def challenge_page(cls) -> Reply:  # Cloudflare's block
        return cls(403, CHALLENGE_HTML, "text/html")

    @classmethod
    def datadome(cls) -> Reply:
        return cls(403, DATADOME_BODY)

    @classmethod
    def rate_limited(cls, retry_after: int = 60) -> Reply:
        return cls(429, b"", "text/plain", {"Retry-After": str(retry_after)})

    @classmethod
    def auth_expired(cls) -> Reply:
        return cls.error(401, 100, "invalid_authentication_token")

    @classmethod
    def changed_shape(cls) -> Reply:  # what a redesign looks like: the same data under new names
        return cls(200, json.dumps({"results": [{"item_id": 1}], "meta": {"page": 1}}).encode())

    @classmethod
    def not_json(cls) -> Reply:
        return cls(200, b"<html><body>Manutenzione</body></html>", "text/html")

    @classmethod
    def slow(cls, seconds: float) -> Reply:
        return cls(delay=seconds)


@dataclass(frozen=True)
class Call:
    operation: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    cookies: dict[str, str]
    body: bytes


def fake_jwt(exp: float, subject: str = "anon") -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    header, claims = part({"alg": "RS256", "typ": "JWT"}), part({"sub": subject, "exp": int(exp)})
    return f"{header}.{claims}.{secrets.token_hex(8)}"


def wardrobe_page(user_id: int, page: int, per_page: int, total: int) -> dict[str, Any]:
    """A hand-written wardrobe answer in the contract's shape: ``total`` items, every third one sold."""
    start = (page - 1) * per_page
    items = []
    for n in range(start, min(start + per_page, total)):
        sold = n % 3 == 2
        items.append(
            {
                "id": 9_000_000_000 + n,
                "title": f"Articolo {n}",
                "price": {"amount": f"{10 + n}.50", "currency_code": "EUR"},
                "url": f"/items/{9_000_000_000 + n}-articolo-{n}",
                "is_closed": sold,
                "is_hidden": False,
                "is_reserved": n % 5 == 4,
                "item_closing_action": "sold" if sold else None,
                "user": {"id": user_id},
            }
        )
    pages = max(1, -(-total // per_page))
    pagination = {"current_page": page, "per_page": per_page, "total_pages": pages, "total_entries": total}
    return {"items": items, "pagination": pagination}


def orders_page(
    page: int,
    per_page: int,
    total: int,
    *,
    statuses: dict[int, str] | None = None,
    dropped: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Hand-written sold orders in the contract's shape (``my_orders[]`` and ``pagination``). Order ``n``
    is transaction ``7_000_000_000 + n``; ``statuses`` overrides an order's status; an order in
    ``dropped`` comes back as Vinted answers once it has dropped the details (no price, no date, no
    conversation)."""
    start = (page - 1) * per_page
    orders = []
    for n in range(start, min(start + per_page, total)):
        order: dict[str, Any] = {
            "transaction_id": 7_000_000_000 + n,
            "conversation_id": 8_000_000_000 + n,
            "title": f"Venduto {n}",
            "price": {"amount": f"{20 + n}.00", "currency_code": "EUR"},
            "status": (statuses or {}).get(n) or ("Completato" if n % 2 else "Spedito"),
            "date": f"2026-11-{(n % 28) + 1:02d}T10:00:00+01:00",
        }
        if n in dropped:
            order = {
                "transaction_id": order["transaction_id"],
                "title": order["title"],
                "status": order["status"],
            }
        orders.append(order)
    pages = max(1, -(-total // per_page))
    pagination = {"current_page": page, "per_page": per_page, "total_pages": pages, "total_entries": total}
    return {"my_orders": orders, "pagination": pagination}


class FakeVinted:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.search_fixture = json.loads(SEARCH_FIXTURE.read_bytes())
        self.item_page = ITEM_FIXTURE.read_bytes()
        self.reset()
        self.app = Starlette(
            routes=[
                Route("/", self._home, methods=["GET"]),
                Route("/svc-catalogue/items", self._search, methods=["GET"]),
                Route("/api/v2/catalog/items", self._old_search, methods=["GET"]),
                Route("/items/new", self._csrf_page, methods=["GET"]),
                Route("/items/{item_id:int}", self._item, methods=["GET"]),
                Route("/web/api/auth/refresh", self._refresh, methods=["POST"]),
                Route("/api/v2/users/{user_id:int}/items", self._wardrobe, methods=["GET"]),
                Route("/api/v2/my_orders", self._orders, methods=["GET"]),
                Route("/api/v2/transactions/{tid:int}", self._transaction, methods=["GET"]),
                Route(
                    "/api/v2/transactions/{tid:int}/shipment/journey_summary", self._journey, methods=["GET"]
                ),
                Route("/api/v2/transactions/{tid:int}/shipment/pdf_label", self._label, methods=["GET"]),
                Route("/api/v2/photos", self._photo, methods=["POST"]),
                Route("/api/v2/item_upload/items", self._create, methods=["POST"]),
                Route("/api/v2/items/{item_id:int}", self._delete, methods=["DELETE"]),
                Route("/api/v2/items/{item_id:int}/delete", self._delete_post, methods=["POST"]),
            ]
        )

    # --- scripting and assertions ---------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.calls: list[Call] = []
            self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
            self.access_ttl = 7200.0
            self.access_tokens: dict[str, float] = {}  # token → expiry (Unix seconds)
            self.refresh_tokens: set[str] = set()  # live, unused
            self.used_refresh_tokens: set[str] = set()
            self.search_pages = 3
            self.wardrobe_total = 7
            self.orders_total = 5
            # The sales sync's stand-in data: an order's status by its number, the orders whose details
            # Vinted has dropped, the transactions sold without Vinted's shipping (no shipment, no label).
            self.order_statuses: dict[int, str] = {}
            self.dropped_orders: frozenset[int] = frozenset()
            self.without_shipment: set[int] = set()
            self.photos: dict[int, bytes] = {}
            self.items: dict[int, dict[str, Any]] = {}
            self.deleted: list[int] = []
            self.delete_method_allowed = True
            self._next_id = 11_000_000_000

    def script(self, operation: str, *replies: Reply) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; one of {OPERATIONS}")
        with self._lock:
            self._scripts[operation].extend(replies)

    def calls_to(self, operation: str) -> list[Call]:
        return [call for call in self.calls if call.operation == operation]

    def member_session(self, *, access_ttl: float | None = None) -> tuple[str, str]:
        """A logged-in member's pair, as the browser extension would hand it over."""
        with self._lock:
            access = fake_jwt(time.time() + (self.access_ttl if access_ttl is None else access_ttl), "member")
            self.access_tokens[access] = time.time() + (self.access_ttl if access_ttl is None else access_ttl)
            refresh = secrets.token_urlsafe(24)
            self.refresh_tokens.add(refresh)
        return access, refresh

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.access_tokens = {token: 0.0 for token in self.access_tokens}

    def kill_chain(self) -> None:
        with self._lock:
            self.used_refresh_tokens |= self.refresh_tokens
            self.refresh_tokens.clear()

    # --- the request pipeline ---------------------------------------------------------------------

    def _issue_access(self, subject: str) -> str:
        expiry = time.time() + self.access_ttl
        token = fake_jwt(expiry, subject)
        self.access_tokens[token] = expiry
        return token

    def _live(self, token: str | None) -> bool:
        return token is not None and self.access_tokens.get(token, 0.0) > time.time()

    async def _enter(self, request: Request, operation: str) -> tuple[Reply | None, Response | None]:
        body = await request.body()
        with self._lock:
            self.calls.append(
                Call(
                    operation,
                    request.method,
                    request.url.path,
                    dict(request.query_params),
                    {k.lower(): v for k, v in request.headers.items()},
                    dict(request.cookies),
                    body,
                )
            )
            reply = self._scripts[operation].popleft() if self._scripts[operation] else None
        if reply is not None:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.body is not None:
                return reply, Response(reply.body, reply.status, reply.headers, media_type=reply.content_type)
        return reply, None

    def _member_denied(self, request: Request, operation: str) -> Response | None:
        with self._lock:
            live = self._live(request.cookies.get("access_token_web"))
        if not live:
            return JSONResponse({"code": 100, "message_code": "invalid_authentication_token"}, 401)
        if operation in WRITES and request.headers.get("x-csrf-token") != CSRF_TOKEN:
            return JSONResponse({"code": 106, "message_code": "access_denied"}, 403)
        return None

    async def _member(self, request: Request, operation: str) -> Response | None:
        _, scripted = await self._enter(request, operation)
        return scripted or self._member_denied(request, operation)

    # --- the site ---------------------------------------------------------------------------------

    async def _home(self, request: Request) -> Response:
        _, scripted = await self._enter(request, "home")
        if scripted:
            return scripted
        response = HTMLResponse("<!DOCTYPE html><html><head><title>Vinted</title></head><body></body></html>")
        with self._lock:
            token = self._issue_access("anon")
        response.set_cookie("access_token_web", token, httponly=True, path="/")
        response.set_cookie("anon_id", "f3b0c2d1-8c4e-4b7a-9d2e-5a6b7c8d9e0f", path="/")
        return response

    async def _csrf_page(self, request: Request) -> Response:
        _, scripted = await self._enter(request, "csrf")
        if scripted:
            return scripted
        with self._lock:
            live = self._live(request.cookies.get("access_token_web"))
        if not live:  # the stand-in's choice: the contract does not say how the form refuses a stranger
            return JSONResponse({"code": 100, "message_code": "invalid_authentication_token"}, 401)
        html = (
            '<!DOCTYPE html><html><body><script>self.__next_f.push([1,"{\\"CSRF_TOKEN\\":\\"'
            + CSRF_TOKEN
            + '\\",\\"locale\\":\\"it-IT\\"}"])</script></body></html>'
        )
        return HTMLResponse(html)

    async def _item(self, request: Request) -> Response:
        _, scripted = await self._enter(request, "item")
        return scripted or HTMLResponse(self.item_page)

    async def _refresh(self, request: Request) -> Response:
        _, scripted = await self._enter(request, "refresh")
        if scripted:
            return scripted
        access = request.cookies.get("access_token_web")
        refresh = request.cookies.get("refresh_token_web")
        with self._lock:
            if not access or access not in self.access_tokens or refresh not in self.refresh_tokens:
                if refresh is not None:
                    self.used_refresh_tokens.add(refresh)
                return Response(b"", 400)
            self.refresh_tokens.discard(refresh)
            self.used_refresh_tokens.add(refresh)
            new_access = self._issue_access("member")
            new_refresh = secrets.token_urlsafe(24)
            self.refresh_tokens.add(new_refresh)
        response = JSONResponse({})
        response.set_cookie("access_token_web", new_access, httponly=True, path="/")
        response.set_cookie("refresh_token_web", new_refresh, httponly=True, path="/")
        return response

    # --- search -----------------------------------------------------------------------------------

    async def _search(self, request: Request) -> Response:
        _, scripted = await self._enter(request, "search")
        if scripted:
            return scripted
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            live = self._live(bearer)
        if not live or not request.headers.get("x-anon-id"):
            return JSONResponse({"code": 100, "message_code": "invalid_authentication_token"}, 401)
        page = int(request.query_params.get("page", "1"))
        answer = copy.deepcopy(self.search_fixture)
        answer["pagination"]["current_page"] = page
        answer["pagination"]["total_pages"] = self.search_pages
        return JSONResponse(answer)

    async def _old_search(self, request: Request) -> Response:
        _, scripted = await self._enter(request, "old_search")
        return scripted or JSONResponse({"code": 104, "message_code": "not_found"}, 404)

    # --- a member's reads -------------------------------------------------------------------------

    async def _wardrobe(self, request: Request) -> Response:
        denied = await self._member(request, "wardrobe")
        if denied:
            return denied
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", "20"))
        return JSONResponse(
            wardrobe_page(request.path_params["user_id"], page, per_page, self.wardrobe_total)
        )

    async def _orders(self, request: Request) -> Response:
        denied = await self._member(request, "orders")
        if denied:
            return denied
        if request.query_params.get("type") != "sold" or request.query_params.get("status") != "all":
            return JSONResponse({"code": 99, "message_code": "validation_error"}, 400)
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", "20"))
        return JSONResponse(
            orders_page(
                page, per_page, self.orders_total, statuses=self.order_statuses, dropped=self.dropped_orders
            )
        )

    async def _transaction(self, request: Request) -> Response:
        denied = await self._member(request, "transaction")
        if denied:
            return denied
        tid = request.path_params["tid"]
        # Order n sold wardrobe item n (wardrobe_page's ids); another transaction, the recorded item.
        n = tid - 7_000_000_000
        item_id = 9_000_000_000 + n if 0 <= n < 1_000_000 else 10051317969
        body: dict[str, Any] = {
            "id": tid,
            "status": 230,
            "item_id": item_id,
            "buyer": {"id": 5005, "login": "compratrice"},
        }
        if n not in self.without_shipment:
            body["shipment"] = {
                "id": tid + 1,
                "status": 200,
                "tracking_code": "3SVOPT123456" if n <= 0 else f"3SVOPT{n:06d}",
                "carrier": {"name": "BRT"},
            }
        return JSONResponse({"transaction": body})

    async def _journey(self, request: Request) -> Response:
        denied = await self._member(request, "journey")
        if denied:
            return denied
        return JSONResponse(
            {
                "journey_summary": {
                    "status": "in_transit",
                    "tracking_code": "3SVOPT123456",
                    "steps": [
                        {
                            "status": "label_created",
                            "title": "Etichetta creata",
                            "date": "2026-11-20T09:00:00Z",
                        },
                        {"status": "in_transit", "title": "In transito", "date": "2026-11-21T15:30:00Z"},
                    ],
                }
            }
        )

    async def _label(self, request: Request) -> Response:
        denied = await self._member(request, "label")
        if denied:
            return denied
        return Response(
            label_pdf(["Vinted Go", f"Ordine {request.path_params['tid']}"]), media_type="application/pdf"
        )

    # --- writes -----------------------------------------------------------------------------------

    def _new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    async def _photo(self, request: Request) -> Response:
        denied = await self._member(request, "photo")
        if denied:
            return denied
        form = await request.form()
        upload = form.get("photo[file]")
        if form.get("photo[type]") != "item" or not form.get("photo[temp_uuid]") or upload is None:
            return JSONResponse({"code": 99, "message_code": "validation_error"}, 400)
        content = await upload.read() if not isinstance(upload, str) else upload.encode()
        photo_id = self._new_id()
        self.photos[photo_id] = content
        return JSONResponse({"id": photo_id, "temp_uuid": form.get("photo[temp_uuid]")})

    async def _create(self, request: Request) -> Response:
        denied = await self._member(request, "create")
        if denied:
            return denied
        body = json.loads(await request.body() or b"{}")
        item = body.get("item") or {}
        if not item.get("package_size_id"):
            return JSONResponse({"code": 99, "message_code": "validation_error", "errors": [
                {"field": "package_size_id", "value": "obbligatorio"}]}, 400)  # fmt: skip
        if not isinstance(item.get("price"), int | float) or isinstance(item.get("price"), bool):
            return JSONResponse({"code": 99, "message_code": "validation_error"}, 400)
        item_id = self._new_id()
        self.items[item_id] = body
        return JSONResponse({"item": {"id": item_id, "title": item.get("title")}})

    async def _delete(self, request: Request) -> Response:
        denied = await self._member(request, "delete")
        if denied:
            return denied
        if not self.delete_method_allowed:
            return Response(b"", 405)
        self.deleted.append(request.path_params["item_id"])
        return JSONResponse({"code": 0})

    async def _delete_post(self, request: Request) -> Response:
        denied = await self._member(request, "delete_post")
        if denied:
            return denied
        self.deleted.append(request.path_params["item_id"])
        return JSONResponse({"code": 0})
