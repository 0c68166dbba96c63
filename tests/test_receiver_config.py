"""The receiver's configuration and mappings are checked before it listens: a mistake is one
sentence, a password in an address is refused, and a mapping that breaks its schema is named."""
from __future__ import annotations

import json

import pytest

from app.engine.errors import ValidationError
from app.server.receiver import config, mapping
from tests.receiver_helpers import TOKEN_SHA

GOOD = {"server": "host=db dbname=alpr user=receiver",
        "sources": [{"name": "lv", "kind": "openalpr", "token_sha256": TOKEN_SHA}]}


@pytest.mark.parametrize("change, says", [
    ({"server": "postgresql://receiver:secret@db/alpr"}, "must not hold a password"),
    ({"sources": []}, "at least one [[sources]]"),
    ({"sources": [{"name": "lv", "kind": "openalpr"}]}, "needs a token_sha256"),
    ({"sources": [{"name": "lv", "kind": "openalpr", "token_sha256": "abc"}]}, "64 hex digits"),
    ({"sources": [{"name": "Bad Name", "kind": "openalpr", "token_sha256": TOKEN_SHA}]}, "lower-case"),
    ({"sources": [{"name": "f", "kind": "frigate"}]}, "needs an [mqtt] broker"),
    ({"sources": [{"name": "lv", "kind": "openalpr", "token_sha256": TOKEN_SHA,
                   "base_url": "http://u:pw@agent:8355"}]}, "must not hold a password"),
    ({"port": 70000}, "port must be a whole number"),
])
def test_configuration_mistakes_are_one_sentence(change, says):
    with pytest.raises(ValidationError) as err:
        config.parse(GOOD | change)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_a_mapping_against_its_schema(tmp_path):
    assert {"genetec_sharpv", "verkada_lpr", "plate_recognizer_stream", "plate_recognizer_csv"} <= set(
        mapping.shipped())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "bad", "format": "yaml",
                               "fields": {"camera": {"path": "c"}, "plate": {"path": "p"}, "time": {"path": "t"}}}))
    with pytest.raises(ValidationError, match="not valid at format"):
        mapping.load(str(bad))
    bad.write_text(json.dumps({"name": "bad", "format": "json",
                               "fields": {"camera": {"path": "c"}, "plate": {"path": "p"},
                                          "time": {"path": "t"}, "state": {"path": "s", "shout": 1}}}))
    with pytest.raises(ValidationError, match="fields.state"):
        mapping.load(str(bad))
