"""The load test's workload (run by bench/load.py, which writes the plan this reads).

58 simulated users: 50 stakeholders reading pages in a browser (signed in through the web form),
5 officers writing minutes, attendance and actions through the API, 3 partner systems pulling
indicator data. Requests are named by route template so the statistics group per page.
Anything but the expected status is a failure; a 409 on a minutes race is an expected outcome
and is counted under its own name.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115 - read once at import
HOSTS = itertools.cycle(PLAN["hosts"])
READERS = itertools.cycle(PLAN["readers"])
OFFICERS = itertools.cycle(PLAN["officers"])
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
API = "/api/v1"
# Scales every think time (bench/load.py --think): 0 sends requests back to back, to find capacity.
THINK = float(os.environ.get("BENCH_THINK", "1"))


class _Spread(HttpUser):
    """Each user takes the next instance round-robin: sessions and tokens live in the shared
    database, so any instance would do."""

    abstract = True
    host = PLAN["hosts"][0]

    def __init__(self, environment):
        self.host = next(HOSTS)
        super().__init__(environment)

    def expect(self, method: str, path: str, name: str, status: int, *, race: bool = False, **kwargs):
        """`race`: a 409 means another writer got there first (the expected outcome of a race,
        counted under its own name, not a failure)."""
        with self.client.request(method, path, name=name, catch_response=True, allow_redirects=False,
                                 **kwargs) as response:
            if race and response.status_code == 409:
                response.request_meta["name"] = f"{name} 409 race"
                response.success()
            elif response.status_code != status:
                response.failure(f"{response.status_code} (expected {status})")
            return response


class Reader(_Spread):
    weight = 50
    fixed_count = PLAN["counts"]["readers"]
    wait_time = between(1 * THINK, 3 * THINK)

    def on_start(self):
        page = self.expect("GET", "/login", "/login", 200)
        token = CSRF.search(page.text or "")
        email = next(READERS)
        self.expect("POST", "/login", "/login [POST]", 303,
                    data={"email": email, "password": PLAN["password"], "next": "/",
                          "csrf_token": token.group(1) if token else ""})

    @task(3)
    def dashboard(self):
        self.expect("GET", "/", "/", 200)

    @task(2)
    def group(self):
        self.expect("GET", f"/groups/{random.choice(PLAN['groups'])}", "/groups/[slug]", 200)

    @task(2)
    def meeting(self):
        self.expect("GET", f"/meetings/{random.choice(PLAN['meetings'])}", "/meetings/[id]", 200)

    @task(1)
    def summary(self):
        self.expect("GET", f"/meetings/{random.choice(PLAN['meetings'])}/summary", "/meetings/[id]/summary", 200)

    @task(1)
    def search(self):
        self.expect("GET", "/search", "/search?q=", 200, params={"q": random.choice(PLAN["words"])})


class Officer(_Spread):
    weight = 5
    fixed_count = PLAN["counts"]["officers"]
    wait_time = between(1 * THINK, 3 * THINK)

    def on_start(self):
        self.me = next(OFFICERS)
        answer = self.expect("POST", f"{API}/auth/token", f"{API}/auth/token [password]", 200,
                             data={"grant_type": "password", "username": self.me["email"],
                                   "password": PLAN["password"]})
        token = answer.json().get("access_token", "") if answer.status_code == 200 else ""
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task(3)
    def minutes(self):
        meeting = random.choice(self.me["meetings"])
        path = f"{API}/meetings/{meeting['id']}/minutes"
        with self.client.get(path, name=f"{API}/meetings/[id]/minutes", catch_response=True) as read:
            if read.status_code == 404:
                # No minutes written yet: the first write sends version 0.
                read.request_meta["name"] = f"{API}/meetings/[id]/minutes 404 none yet"
                read.success()
                version = 0
            elif read.status_code == 200:
                version = read.json()["version"]
            else:
                read.failure(f"{read.status_code} (expected 200)")
                return
        items = [{"agenda_item_id": item, "text": f"Noted ({random.randrange(10**6)}): progress reported."}
                 for item in meeting["items"][:3]]
        name = f"{API}/meetings/[id]/minutes [PUT]"
        with self.client.put(path, name=name, catch_response=True,
                             json={"version": version, "items": items}) as response:
            if response.status_code == 409:
                # Another officer wrote first: the expected outcome of a race, not an error.
                response.request_meta["name"] = f"{name} 409 race"
                response.success()
            elif response.status_code != 200:
                response.failure(f"{response.status_code} (expected 200)")

    @task(2)
    def attendance(self):
        meeting = random.choice(self.me["meetings"])
        entries = [{"stakeholder_id": person, "status": random.choice(["present", "apologies", "absent"])}
                   for person in self.me["members"]]
        self.expect("PUT", f"{API}/meetings/{meeting['id']}/attendance", f"{API}/meetings/[id]/attendance [PUT]",
                    200, race=True, json={"items": entries})

    @task(1)
    def action(self):
        # Two officers of a group adding actions at once can race for the next number.
        self.expect("POST", f"{API}/actions", f"{API}/actions [POST]", 201, race=True,
                    json={"group_id": self.me["group_id"], "text": "Circulate the draft delivery plan."})


class Partner(_Spread):
    weight = 3
    fixed_count = PLAN["counts"]["partners"]
    wait_time = between(0.2 * THINK, 1 * THINK)

    def on_start(self):
        self.queries = itertools.cycle(random.sample(PLAN["data"], len(PLAN["data"])))
        answer = self.expect("POST", f"{API}/auth/token", f"{API}/auth/token [client]", 200,
                             data={"grant_type": "client_credentials", "client_id": PLAN["client_id"],
                                   "client_secret": PLAN["client_secret"]})
        token = answer.json().get("access_token", "") if answer.status_code == 200 else ""
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task
    def data(self):
        self.expect("GET", f"{API}/data", f"{API}/data", 200, params=next(self.queries))
