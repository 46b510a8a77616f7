"""All tables, re-exported so Alembic sees the whole metadata."""

from vinted_optimizer.kit.db import Base
from vinted_optimizer.models.audit_log import AuditLog
from vinted_optimizer.models.auth_sessions import AuthSession, RefreshToken
from vinted_optimizer.models.chat import ChatMessage, ChatSession
from vinted_optimizer.models.families import Family, FamilyRole, Invitation
from vinted_optimizer.models.images import Image
from vinted_optimizer.models.listings import Listing
from vinted_optimizer.models.notifications import Notification, WebhookReceipt
from vinted_optimizer.models.password_resets import PasswordReset
from vinted_optimizer.models.sales import Sale
from vinted_optimizer.models.shipments import Shipment, ShippingAccount
from vinted_optimizer.models.trends import Trend, TrendFollow
from vinted_optimizer.models.users import User
from vinted_optimizer.models.vinted_pairings import VintedPairing

__all__ = [
    "AuditLog",
    "AuthSession",
    "Base",
    "ChatMessage",
    "ChatSession",
    "Family",
    "FamilyRole",
    "Image",
    "Invitation",
    "Listing",
    "Notification",
    "PasswordReset",
    "RefreshToken",
    "Sale",
    "Shipment",
    "ShippingAccount",
    "Trend",
    "TrendFollow",
    "User",
    "VintedPairing",
    "WebhookReceipt",
]
