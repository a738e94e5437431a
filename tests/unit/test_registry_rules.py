import pytest

from api.core.config import Settings
from api.core.errors import BadRequest
from api.core.pagination import decode_cursor, encode_cursor
from api.registry.service import initials_for, slugify


@pytest.mark.parametrize(("name", "initials"), [
    ("Jane Smith", "JS"), ("Dr Jane Smith-Jones", "JSJ"), ("Cllr. Ola  Adeyemi", "OA"), ("cher", "C"),
])
def test_initials(name, initials):
    assert initials_for(name) == initials


def test_slugify():
    assert slugify("Live Well and Workplace Thematic Group") == "live-well-and-workplace-thematic-group"
    assert slugify("  St Helens / Place (PA) ") == "st-helens-place-pa"
    assert slugify("!!!") == "group"


def test_cursor_round_trip_and_tampering():
    assert decode_cursor(encode_cursor(["Ann", 3]), [str, int]) == ["Ann", 3]
    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor(["Ann", "3"]), [str, int])
    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor([1]), [str, int])


def test_production_refuses_placeholder_or_short_secret():
    with pytest.raises(ValueError, match="ATA_SECRET_KEY"):
        Settings(_env_file=None, env="production")
    with pytest.raises(ValueError, match="32 characters"):
        Settings(_env_file=None, env="production", secret_key="short")
    assert Settings(_env_file=None, env="production", secret_key="s" * 40).secret_key == "s" * 40
