"""Vinted's order status text mapped to our sale status (the sales sync); unknown is pending."""

from __future__ import annotations

import pytest

from vinted_optimizer.vocabulary import sale_status_of_vinted


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Spedito", "shipped"),
        ("In transito", "shipped"),
        ("Consegnato", "delivered"),
        ("Completato", "completed"),
        ("Ordine completato", "completed"),
        ("Rimborso completato", "refunded"),  # a refund, though it says "completed"
        ("Ordine annullato", "cancelled"),
        ("Transaction cancelled", "cancelled"),
        ("Da spedire", "pending"),
        ("In attesa di spedizione", "pending"),
        ("qualcosa di nuovo", "pending"),
        ("", "pending"),
        (None, "pending"),
    ],
)
def test_vinted_order_status(text, status):
    assert sale_status_of_vinted(text) == status
