"""The pages benchmark's data (bench/pages.py) at small scale: My dashboard, the largest group's
page and the largest meeting's page make the same SQL queries however much data there is.

Counts, never timings. The demo as loaded, then grown by one and by two more demo-sized
portions: the person's groups and open actions, the group's members and meetings and the
meeting's agenda, attendance and actions all grow, and no page may run one statement more.
"""

import random
from collections import Counter

from bench import pages


def _statements(client, count_queries, found: pages.Targets) -> dict[str, list[str]]:
    caught = {}
    for label, path in found.pages():
        # Not following redirects: a 200 is the page itself, never the sign-in form.
        assert client.get(path, follow_redirects=False).status_code == 200, path  # warm: one-off caches
        with count_queries() as counter:
            response = client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        caught[label] = counter.statements
    return caught


def _shapes(statements: list[str]) -> Counter:
    return Counter(map(pages.shape, statements))


def test_pages_make_the_same_queries_as_the_data_grows(anonymous_client, engine, count_queries):
    pages.load_demo_data(engine)
    demo = pages.targets(engine)
    pages.sign_in(anonymous_client, demo.person_email)
    at_demo = _statements(anonymous_client, count_queries, demo)

    rng = random.Random(19)
    pages.grow(engine, 1, rng=rng)
    twice = pages.targets(engine)
    at_twice = _statements(anonymous_client, count_queries, twice)
    pages.grow(engine, 1, rng=rng)
    thrice = pages.targets(engine)
    at_thrice = _statements(anonymous_client, count_queries, thrice)

    # What the pages show really grew, or the comparison proves nothing.
    sizes = [t.sizes for t in (demo, twice, thrice)]
    assert sizes[0]["person_groups"] < sizes[1]["person_groups"] < sizes[2]["person_groups"]
    assert sizes[0]["person_open_actions"] < sizes[1]["person_open_actions"] < sizes[2]["person_open_actions"]
    assert sizes[0]["group_current_members"] < sizes[1]["group_current_members"] < sizes[2]["group_current_members"]
    assert sizes[1]["group_meetings"] < sizes[2]["group_meetings"]
    meeting = [s["meeting"] for s in sizes]
    assert meeting[0]["items"] < meeting[1]["items"] and meeting[0]["attendees"] < meeting[1]["attendees"]
    assert meeting[0]["actions"] < meeting[1]["actions"]

    for label, _ in demo.pages():
        # Twice to three times the demo: the very same statements.
        assert _shapes(at_thrice[label]) == _shapes(at_twice[label]), label
        # From the demo as loaded, only the one statement that fetches the notes of the actions
        # shown, which is skipped when a page shows none (the demo member owns no open action).
        added = _shapes(at_twice[label]) - _shapes(at_demo[label])
        notes = [s for s in added.elements() if "FROM action_update" in s]
        assert len(notes) <= 1, label
        assert len(at_twice[label]) - len(at_demo[label]) == len(notes), label


def test_shape_folds_in_lists_only():
    assert pages.shape("SELECT a FROM t WHERE t.id IN (?, ?, ?)") == pages.shape("SELECT a FROM t WHERE t.id IN (?)")
    assert pages.shape("SELECT a FROM t WHERE t.id = ?") != pages.shape("SELECT a FROM u WHERE u.id = ?")
    postgres = "SELECT a\nFROM t WHERE t.id IN (%(id_1_1)s, %(id_1_2)s)"
    assert pages.shape(postgres) == "SELECT a FROM t WHERE t.id IN (...)"
