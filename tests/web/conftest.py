"""Helpers for driving the web pages through a real HTTP client (TestClient)."""

import re

import pytest

from tests.factories import PASSWORD


def hidden_field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name} in the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, *, next_path: str = "/"):
    page = client.get("/login")
    token = hidden_field(page.text, "csrf_token")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token,
                                       "next": next_path}, follow_redirects=False)


@pytest.fixture
def signed_in(client, person):
    """A client signed in as a fresh stakeholder; returns (client, stakeholder)."""
    stakeholder, _ = person()
    response = sign_in(client, stakeholder.email)
    assert response.status_code == 303, response.text
    return client, stakeholder
