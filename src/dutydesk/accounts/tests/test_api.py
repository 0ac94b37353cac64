import pytest

from dutydesk.api.tests.client import api_client, client_as
from dutydesk.testing.factories import OrganizationFactory, customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(acme, globex, anna, boris, gina, l1_agent, l2_agent, supervisor):
    return None


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "url", ["/api/v1/organizations", "/api/v1/organizations/acme", "/api/v1/users", "/api/v1/teams"]
)
def test_anonymous_is_401(everyone, client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("gina", ["globex"]),
        ("boris", ["acme"]),
        # Staff serve every client; their teams limit tickets, not the client list.
        ("l2_agent", ["acme", "globex"]),
        ("l1_agent", ["acme", "globex"]),
        ("supervisor", ["acme", "globex"]),
    ],
)
def test_organization_list(request, everyone, caller, expected):
    assert slugs(client_as(request, caller).get("/api/v1/organizations")) == expected


@pytest.mark.parametrize(
    ("caller", "expected"),
    [("gina", 404), ("boris", 200), ("l2_agent", 200), ("l1_agent", 200), ("supervisor", 200)],
)
def test_organization_detail(request, everyone, caller, expected):
    response = client_as(request, caller).get("/api/v1/organizations/acme")

    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert (body["slug"], body["name"], body["support_hours"]) == ("acme", "Acme", "24x7")


def test_an_unknown_organization_is_a_404(everyone, supervisor):
    assert api_client(supervisor).get("/api/v1/organizations/nope").status_code == 404


def test_a_slug_with_a_nul_character_is_a_422_not_a_database_error(everyone, supervisor):
    assert api_client(supervisor).get("/api/v1/organizations/a%00b").status_code == 422


def test_organizations_page_by_cursor(supervisor):
    for i in range(5):
        OrganizationFactory(slug=f"client-{i}", name=f"Client {i}")
    client = api_client(supervisor)

    first = client.get("/api/v1/organizations", {"limit": 3}).json()
    second = client.get(
        "/api/v1/organizations", {"limit": 3, "cursor": first["next_cursor"]}
    ).json()

    assert [o["slug"] for o in first["items"] + second["items"]] == [
        f"client-{i}" for i in range(5)
    ]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("gina", {"gina@globex.test"}),
        ("boris", {"anna@acme.test", "boris@acme.test"}),
        ("l2_agent", "all"),
        ("l1_agent", "all"),
        ("supervisor", "all"),
    ],
)
def test_user_list(request, everyone, caller, expected):
    response = client_as(request, caller).get("/api/v1/users")

    assert response.status_code == 200
    emails = {u["email"] for u in response.json()["items"]}
    if expected == "all":
        expected = {
            "anna@acme.test",
            "boris@acme.test",
            "gina@globex.test",
            "lena@support.test",
            "oleg@support.test",
            "sveta@support.test",
        }
    assert emails == expected


def test_a_user_is_shown_with_role_and_organization(everyone, supervisor):
    users = api_client(supervisor).get("/api/v1/users").json()["items"]

    anna = next(u for u in users if u["email"] == "anna@acme.test")
    lena = next(u for u in users if u["email"] == "lena@support.test")
    assert (anna["name"], anna["role"], anna["organization"]) == ("Anna", "customer", "acme")
    assert (lena["role"], lena["organization"]) == ("agent", None)
    assert set(anna) == {"id", "email", "name", "role", "organization"}


def test_users_page_by_cursor_without_repeats(acme, supervisor):
    for i in range(7):
        customer(acme, f"c{i}@acme.test")
    client = api_client(supervisor)

    emails, cursor = [], None
    while True:
        body = client.get("/api/v1/users", {"limit": 2, **({"cursor": cursor} if cursor else {})})
        emails += [u["email"] for u in body.json()["items"]]
        cursor = body.json()["next_cursor"]
        if cursor is None:
            break

    assert len(emails) == len(set(emails)) == 8
    assert emails == sorted(emails)


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("gina", []),
        ("boris", []),
        ("l2_agent", ["l1", "l2"]),
        ("l1_agent", ["l1", "l2"]),
        ("supervisor", ["l1", "l2"]),
    ],
)
def test_team_list(request, everyone, caller, expected):
    response = client_as(request, caller).get("/api/v1/teams")

    assert response.status_code == 200
    assert [t["slug"] for t in response.json()] == expected
