"""GET /api/v1/meta/catalogs: the category picker browses Vinted's tree in Italian and searches its paths."""

from __future__ import annotations

from vinted_optimizer.vocabulary.catalog import load_catalogs

URL = "/api/v1/meta/catalogs"


async def test_browsing_starts_at_the_six_roots_in_italian(client):
    response = await client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["parent"] is None
    assert [item["title"] for item in body["items"]] == [
        "Animali",
        "Bambini",
        "Casa",
        "Donna",
        "Intrattenimento",
        "Uomo",
    ]
    assert all(item["parent_id"] is None and not item["leaf"] for item in body["items"])


async def test_a_level_of_the_tree_down_to_a_leaf(client):
    women = (await client.get(URL, params={"parent": 1904})).json()
    assert women["parent"] == {
        "id": 1904,
        "title": "Donna",
        "path": "Donna",
        "parent_id": None,
        "leaf": False,
    }
    titles = [item["title"] for item in women["items"]]
    assert "Abbigliamento" in titles and "Scarpe" in titles and "Borse" in titles
    jackets = (await client.get(URL, params={"parent": 1908})).json()
    assert jackets["parent"]["path"] == "Donna > Abbigliamento > Capispalla > Giacche"
    assert jackets["items"] and all(item["parent_id"] == 1908 for item in jackets["items"])
    leaf = next(item for item in jackets["items"] if item["leaf"])
    assert leaf["path"] == "Donna > Abbigliamento > Capispalla > Giacche > " + leaf["title"]
    below = (await client.get(URL, params={"parent": leaf["id"]})).json()
    assert below["items"] == [] and below["parent"]["leaf"] is True
    # "Altro" comes last at every level that has one.
    for level in (women, jackets):
        titles = [item["title"] for item in level["items"]]
        assert "Altro" not in titles[:-1]


async def test_search_finds_italian_paths_as_typed(client):
    found = (await client.get(URL, params={"q": "giacca di jeans donna"})).json()["items"]
    assert found[0]["path"] == "Donna > Abbigliamento > Capispalla > Giacche > Giacche di jeans"
    assert found[0]["id"] == next(c.id for c in load_catalogs().values() if c.path_it == found[0]["path"])
    # Accents and case are ignored, a word may be cut short, singular finds plural.
    assert (await client.get(URL, params={"q": "SCARP uomo sneak"})).json()["items"][0]["path"] == (
        "Uomo > Scarpe > Sneakers"
    )
    # What Vinted files items under (leaves) comes first.
    plates = (await client.get(URL, params={"q": "piatto", "limit": 50})).json()["items"]
    leaves = [item["leaf"] for item in plates]
    assert leaves == sorted(leaves, reverse=True)
    assert (await client.get(URL, params={"q": "zzzz"})).json()["items"] == []


async def test_search_within_a_branch_and_the_limit(client):
    found = (await client.get(URL, params={"q": "giacche", "parent": 5, "limit": 5})).json()
    assert found["parent"]["title"] == "Uomo"
    assert 0 < len(found["items"]) <= 5
    assert all(item["path"].startswith("Uomo > ") for item in found["items"])


async def test_bad_queries_are_italian_errors_naming_the_field(client):
    missing = await client.get(URL, params={"parent": 999_999})
    assert missing.status_code == 404 and missing.json()["detail"] == "Categoria non trovata."
    for params, field in (
        ({"parent": 0}, "parent"),
        ({"parent": "giacche"}, "parent"),
        ({"q": "x" * 101}, "q"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
        ({"colour": "blu"}, "colour"),
    ):
        response = await client.get(URL, params=params)
        assert response.status_code == 422, params
        assert [item["field"] for item in response.json()["fields"]] == [field], params
        assert "Value error" not in response.text


async def test_a_catalog_s_form_fields_sizes_parcel_and_material(client):
    jacket = (await client.get(f"{URL}/1908/fields")).json()  # Donna > … > Giacche
    assert jacket["catalog"]["path"] == "Donna > Abbigliamento > Capispalla > Giacche"
    titles = [size["title"] for size in jacket["sizes"]]
    assert "M / 38 / 10" in titles and "Taglia unica" in titles
    assert jacket["suggested_package_size_id"] == 1
    assert jacket["brand"] and jacket["color"] and not jacket["material"] and not jacket["new_only"]
    cushions = next(c for c in load_catalogs().values() if c.path_it == "Casa > Tessili > Cuscini")
    home = (await client.get(f"{URL}/{cushions.id}/fields")).json()
    assert home["material"] and home["suggested_package_size_id"] == 2
    assert [size["title"] for size in home["sizes"]][:2] == ["30 x 50 cm", "35 x 50 cm"]


async def test_the_fields_of_an_unknown_catalog_are_404_and_a_bad_id_422(client):
    missing = await client.get(f"{URL}/999999/fields")
    assert missing.status_code == 404 and missing.json()["detail"] == "Categoria non trovata."
    for bad in ("abc", "0", "99999999999"):
        response = await client.get(f"{URL}/{bad}/fields")
        assert response.status_code == 422, bad
        assert response.json()["fields"][0]["field"] == "catalog_id"


async def test_the_parcel_sizes_are_in_the_vocabulary(client):
    sizes = (await client.get("/api/v1/meta")).json()["vocabulary"]["package_sizes"]
    assert [(size["id"], size["title"]) for size in sizes] == [(1, "Piccolo"), (2, "Medio"), (3, "Grande")]
    assert all(size["hint"] for size in sizes)
