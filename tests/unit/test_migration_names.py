"""Migrations are named one way: versions/<date>_<number>_<words>.py, with a readable revision id
that starts with the same number, one chain in number order, and ids that fit alembic_version."""

import re
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
FILE_NAME = re.compile(r"^\d{4}_\d{2}_\d{2}_(\d{4})_[a-z0-9_]+\.py$")
REVISION = re.compile(r"^(\d{4})_[a-z0-9_]+$")
VERSION_NUM_WIDTH = 32  # alembic_version.version_num is VARCHAR(32)


def _revisions():
    scripts = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    return list(scripts.walk_revisions())


def test_every_file_is_dated_and_numbered_like_its_revision():
    for script in _revisions():
        name = Path(script.path).name
        file_match, id_match = FILE_NAME.match(name), REVISION.match(script.revision)
        assert file_match, f"{name}: expected <yyyy>_<mm>_<dd>_<number>_<words>.py"
        assert id_match, f"{script.revision}: expected <number>_<words>, e.g. 0013_group_notes"
        assert file_match.group(1) == id_match.group(1), f"{name} and revision {script.revision} differ in number"
        assert len(script.revision) <= VERSION_NUM_WIDTH, f"{script.revision} is longer than {VERSION_NUM_WIDTH}"


def test_the_chain_runs_in_number_order():
    numbers = [int(script.revision[:4]) for script in reversed(_revisions())]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_file_template_writes_the_revision_id_after_the_date():
    template = Config(str(ROOT / "alembic.ini")).get_main_option("file_template")
    name = template % {"year": 2026, "month": 12, "day": 3, "rev": "0013_group_notes"}
    assert FILE_NAME.match(name + ".py") and name == "2026_12_03_0013_group_notes"
