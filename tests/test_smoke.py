from tests.auth.factories import register


async def test_register_and_me(client):
    member = await register(client)
    response = await client.get("/api/v1/users/me", headers=member.headers)
    assert response.status_code == 200, response.text
    assert response.json()["username"] == member.username
    assert response.json()["role"] == "admin"
