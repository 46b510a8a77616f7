"""Each member's e-mail opt-out per kind, in preferences.notifications through PATCH /users/me."""

from __future__ import annotations

import pytest

from tests.auth.factories import register
from tests.notifications.factories import choose_emails
from vinted_optimizer.notifications.schemas import NOTIFICATION_KINDS
from vinted_optimizer.users.schemas import NotificationPreferences


def test_the_preferences_name_every_kind_of_notification():
    assert set(NotificationPreferences.model_fields) == set(NOTIFICATION_KINDS)


async def test_a_partial_update_merges_kind_by_kind(client):
    member = await register(client)
    first = await choose_emails(client, member=member, sale_recorded=False)
    assert first["preferences"] == {"language": "it", "notifications": {"sale_recorded": False}}
    second = await choose_emails(client, member=member, parcel_trouble=False)
    assert second["preferences"]["notifications"] == {"sale_recorded": False, "parcel_trouble": False}
    back_on = await choose_emails(client, member=member, sale_recorded=True)
    assert back_on["preferences"]["notifications"] == {"sale_recorded": True, "parcel_trouble": False}
    # Other keys still replace the stored ones and leave the notifications alone.
    other = await client.patch(
        "/api/v1/users/me", json={"preferences": {"language": "en"}}, headers=member.headers
    )
    assert other.json()["preferences"] == {
        "language": "en",
        "notifications": {"sale_recorded": True, "parcel_trouble": False},
    }


@pytest.mark.parametrize(
    ("notifications", "field", "message"),
    [
        ({"sale_recorded": "no"}, "preferences.notifications.sale_recorded", "Deve essere vero o falso."),
        ({"sale_recorded": 0}, "preferences.notifications.sale_recorded", "Deve essere vero o falso."),
        (
            {"parcel_delivered": None},
            "preferences.notifications.parcel_delivered",
            "Deve essere vero o falso.",
        ),
        ({"pacco_perso": True}, "preferences.notifications.pacco_perso", "Campo non previsto."),
        ("off", "preferences.notifications", "Deve essere un oggetto JSON."),
        (None, "preferences.notifications", "Deve essere un oggetto JSON."),
    ],
)
async def test_anything_but_the_three_kinds_as_booleans_is_an_italian_422(
    client, notifications, field, message
):
    member = await register(client)
    response = await client.patch(
        "/api/v1/users/me", json={"preferences": {"notifications": notifications}}, headers=member.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == [{"field": field, "message": message}]
    assert field in response.json()["detail"]
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.json()["preferences"] == {"language": "it"}
