"""422 messages are Italian, whoever wrote the check (Pydantic, email-validator, our own validators)."""

from __future__ import annotations

from tests.auth.factories import register


async def test_an_invalid_email_and_an_empty_password_read_in_italian(client):
    response = await client.post(
        "/api/v1/auth/register", json={"email": "nonvalida", "username": "abc", "password": ""}
    )
    assert response.status_code == 422
    messages = {field["field"]: field["message"] for field in response.json()["fields"]}
    assert messages["email"].startswith("Scrivi un indirizzo e-mail valido")
    assert messages["password"] == "Non può essere vuoto."
    assert "value is not" not in response.text.lower() and "Value error" not in response.text


async def test_our_own_rules_lose_pydantics_prefix(client):
    member = await register(client)
    response = await client.post(
        "/api/v1/listings/bulk",
        json={"ids": ["00000000-0000-0000-0000-000000000001"], "action": "set_status"},
        headers=member.headers,
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["message"] == "Per cambiare stato indica 'status'."


async def test_a_validator_s_value_error_reaches_the_field_without_pydantic_s_prefix(client):
    """The password policy raises ValueError inside a field validator: its Italian sentence, alone."""
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "nuova@example.it", "username": "nuova", "password": "corta"},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"field": "password", "message": "La password deve avere almeno 10 caratteri."}
    ]
    assert response.json()["detail"] == "password: La password deve avere almeno 10 caratteri."
    assert "Value error" not in response.text and "value_error" not in response.text
