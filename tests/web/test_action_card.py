"""The action card offers its update form only to those who may post one (authz.may_update_action:
the owner, the group's officers, admins); every other reader sees the card without it."""

from tests.web.conftest import sign_in
from tests.web.test_dashboard_page import mine  # noqa: F401 (fixture)

FORM = "/updates"


def test_the_owner_sees_the_form_on_their_action_and_not_on_a_colleagues(mine):  # noqa: F811
    client, _, _, rows = mine
    own, colleagues = rows[0], rows[2]
    assert f"/actions/{own.id}{FORM}" in client.get(f"/actions/{own.id}").text
    page = client.get(f"/actions/{colleagues.id}")
    assert page.status_code == 200 and "Book the venue" in page.text
    assert FORM not in page.text
    # The dashboard lists only the caller's own actions, each with its form.
    home = client.get("/").text
    assert f"/actions/{rows[0].id}{FORM}" in home and f"/actions/{rows[1].id}{FORM}" in home


def test_a_reader_outside_the_group_sees_no_form_and_an_admin_does(mine, client_factory, person):  # noqa: F811
    _, _, _, rows = mine
    stranger, _ = person("stranger@example.org")
    reader = client_factory()
    assert sign_in(reader, stranger.email).status_code == 303
    page = reader.get(f"/actions/{rows[0].id}")
    assert page.status_code == 200 and "Map the training offer" in page.text
    assert FORM not in page.text

    admin, _ = person("admin.example@example.org", is_admin=True)
    officer = client_factory()
    assert sign_in(officer, admin.email).status_code == 303
    assert f"/actions/{rows[0].id}{FORM}" in officer.get(f"/actions/{rows[0].id}").text
