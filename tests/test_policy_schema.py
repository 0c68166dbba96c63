"""A policy profile is checked against its declared schema at load: a broken or dangerous
profile is refused as a whole, and the refusal names the file, the key and the rule."""
from __future__ import annotations

import json
import re

import pytest

from app.engine import policy
from app.engine.errors import ValidationError
from app.engine.evidence.release import AGENCY_TYPES
from app.engine.permissions import ACTIONS

GOOD = (policy.POLICY_DIR / "calabasas.toml").read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    """The Calabasas profile with one line (or block) changed."""
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def line(key: str) -> str:
    """The whole line of a top-level key in the Calabasas profile."""
    m = re.search(rf"^{re.escape(key)} = .*$", GOOD, re.M)
    assert m, key
    return m.group(0)


def setting(key: str, value: str) -> str:
    return edited(line(key), f"{key} = {value}")


# (case id, profile text, key the message must name, words of the rule the message must give)
BROKEN = [
    ("retention-zero", setting("retention_days", "0"), "retention_days", "at least 1"),
    ("retention-negative", setting("retention_days", "-5"), "retention_days", "at least 1"),
    ("retention-beyond-law", setting("retention_days", "731"), "retention_days", "retention_max_days"),
    ("retention-ten-thousand", setting("retention_days", "10000"), "retention_days", "at most 3650"),
    ("retention-string", setting("retention_days", '"30"'), "retention_days", "integer"),
    ("retention-fraction", setting("retention_days", "30.5"), "retention_days", "integer"),
    ("retention-nan", setting("retention_days", "nan"), "retention_days", "finite"),
    ("retention-max-missing", edited(line("retention_max_days") + "\n", ""), "retention_max_days", "missing"),
    ("lockout-zero", setting("lockout_attempts", "0"), "lockout_attempts", "at least 3"),
    ("lockout-eleven", setting("lockout_attempts", "11"), "lockout_attempts", "at most 10"),
    ("lockout-minutes-zero", setting("lockout_minutes", "0"), "lockout_minutes", "at least 10"),
    ("idle-negative", setting("idle_lock_minutes", "-1"), "idle_lock_minutes", "at least 1"),
    ("idle-two-hours", setting("idle_lock_minutes", "120"), "idle_lock_minutes", "at most 60"),
    ("idle-inf", setting("idle_lock_minutes", "inf"), "idle_lock_minutes", "finite"),
    ("password-age-zero", setting("password_max_age_days", "0"), "password_max_age_days", "at least 1"),
    ("case-dot-star", setting("case_number_pattern", "'.*'"), "case_number_pattern", "empty string"),
    ("case-dot-plus", setting("case_number_pattern", "'.+'"), "case_number_pattern", "may not match everything"),
    ("case-any-word", setting("case_number_pattern", r"'^[A-Z0-9-]+$'"), "case_number_pattern",
     "may not match everything"),
    ("case-optional", setting("case_number_pattern", r"'^(CE-\d{4})?$'"), "case_number_pattern", "empty string"),
    ("case-not-compiling", setting("case_number_pattern", "'^(CE|LHS-\\d{4}$'"), "case_number_pattern",
     "compiles"),
    ("case-empty", setting("case_number_pattern", "''"), "case_number_pattern", "must not be empty"),
    ("hint-does-not-match", setting("case_number_pattern", r"'^RSO-\d{9}$'"), "case_number_hint",
     "hint matches the pattern"),
    ("breach-notice-string", setting("breach_notice", '"false"'), "breach_notice", "boolean"),
    ("key-misspelt", edited("lockout_attempts = 5", "lockout_attempt = 5"), "lockout_attempt", "unknown keys"),
    ("key-missing", edited(line("idle_lock_minutes") + "\n", ""), "idle_lock_minutes", "missing"),
    ("grant-unknown", edited('grants = ["audit_view", "audit_export", "audit_verify", "audit_review"]',
                             'grants = ["audit_view", "delete_everything"]'),
     "roles.auditor.grants[1]", "one of"),
    ("grant-repeated", edited('grants = ["audit_view", "audit_export", "audit_verify", "audit_review"]',
                              'grants = ["audit_view", "audit_view"]'), "roles.auditor.grants", "repeat"),
    ("audit-sample-zero", edited("sample_size = 20 ", "sample_size = 0 "), "audit.sample_size", "at least 1"),
    ("audit-key-misspelt", edited("burst_minutes = 10", "burst_mins = 10"), "audit.burst_mins", "unknown keys"),
    ("audit-share-whole", edited("unusual_hour_share = 0.02", "unusual_hour_share = 2"),
     "audit.unusual_hour_share", "at most 0.5"),
    ("totp-unknown-role", setting("totp_roles", '["administrator", "sheriff"]'), "totp_roles[1]", "known role"),
    ("release-to-private", edited('full_data_to = ["law_enforcement", "prosecutorial"]',
                                  'full_data_to = ["law_enforcement", "private"]'),
     "release.full_data_to[1]", "1798.90.55"),
    ("release-to-unknown", edited('full_data_to = ["law_enforcement", "prosecutorial"]',
                                  'full_data_to = ["anyone"]'), "release.full_data_to[0]", "one of"),
    ("release-flag-missing", edited("public_agencies_only = true", ""), "release.public_agencies_only",
     "missing"),
    ("purpose-catch-all", edited('code = "AUDIT"\nlabel = "Compliance audit of ALPR use (policy, Accountability (c))"',
                                 'code = "INVESTIGATION"\nlabel = "Investigation"'),
     "purposes[8]", "catch-all"),
    ("purpose-repeated", edited('code = "AUDIT"', 'code = "WANTED"'), "purposes[8].code", "unique"),
    ("purpose-lower-case", edited('code = "AUDIT"', 'code = "audit"'), "purposes[8].code", "must match"),
    ("vendor-rate-above-one", edited(line("training_course"), line("training_course")
                                     + "\nvendor_perfect_read_rate = 1.5"), "vendor_perfect_read_rate", "at most 1"),
    ("vendor-rate-nan", edited(line("training_course"), line("training_course")
                               + "\nvendor_capture_accuracy = nan"), "vendor_capture_accuracy", "finite"),
    ("table-key-in-wrong-table", GOOD + "\nretention_days = 1\n", "purposes[8].retention_days", "unknown keys"),
    ("id-other-file", setting("id", '"coachella"'), "id", "file name"),
    ("name-blank", setting("name", '"   "'), "name", "must not be blank"),
    ("not-toml", GOOD.replace("[release]", "[release"), "line", "not valid TOML"),
    ("plateless-window-a-week", setting("plateless_search_max_hours", "168"), "plateless_search_max_hours",
     "at most 24"),
    ("aggregate-threshold-one", setting("aggregate_min_count", "1"), "aggregate_min_count", "at least 2"),
    ("time-zone-unknown", edited(line("training_course"), line("training_course")
                                 + '\ntime_zone = "Mars/Olympus_Mons"'), "time_zone", "IANA"),
    ("role-name-with-space", edited("[roles.auditor]", '[roles."Big Boss"]'), "roles", "lower-case letters"),
    ("totp-roles-a-number", setting("totp_roles", "5"), "totp_roles", "must be an array"),
    ("speed-unit-knots", edited(line("training_course"), line("training_course") + '\nspeed_unit = "knots"'),
     "speed_unit", "one of"),
]


@pytest.mark.parametrize("text, key, rule", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_profile_is_refused_naming_file_key_and_rule(tmp_path, text, key, rule):
    (tmp_path / "calabasas.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        policy.load_profile("calabasas", tmp_path)
    msg = str(err.value)
    assert str(tmp_path / "calabasas.toml") in msg, msg
    assert key in msg and rule in msg, msg
    assert "\n" not in msg and "Traceback" not in msg


def test_there_are_at_least_eighteen_broken_profiles():
    assert len(BROKEN) >= 18


def test_every_error_of_a_profile_is_named_at_once(tmp_path):
    text = setting("retention_days", "0").replace(line("lockout_attempts"), "lockout_attempts = 0")
    text = text.replace(line("idle_lock_minutes"), "idle_lock_minutes = -1")
    (tmp_path / "calabasas.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        policy.load_profile("calabasas", tmp_path)
    for key in ("retention_days", "lockout_attempts", "idle_lock_minutes"):
        assert key in str(err.value)


def test_a_profile_that_is_not_utf8_or_not_a_name_is_refused(tmp_path):
    (tmp_path / "calabasas.toml").write_bytes(GOOD.encode("utf-8").replace(b"Calabasas", b"Calabas\xe1s"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        policy.load_profile("calabasas", tmp_path)
    for name in ("../calabasas", "/etc/passwd", "", "Calabasas", "a" * 100):
        with pytest.raises(ValidationError, match="not the name of a policy profile"):
            policy.load_profile(name, tmp_path)


def test_the_optional_settings_pass_when_sound(tmp_path):
    text = edited(line("training_course"), line("training_course")     # (the profile sets the other two)
                  + '\ntime_zone = "America/Los_Angeles"\nspeed_unit = "mph"')
    text = text.replace(line("plateless_search_max_hours"), "plateless_search_max_hours = 4")
    text = text.replace(line("aggregate_min_count"), "aggregate_min_count = 5")
    (tmp_path / "calabasas.toml").write_text(text, encoding="utf-8")
    assert policy.load_profile("calabasas", tmp_path).retention_days == 730


def test_the_shipped_profiles_pass_and_keep_their_settings():
    for pid in policy.available_profiles():
        raw = policy.tomllib.loads((policy.POLICY_DIR / f"{pid}.toml").read_text(encoding="utf-8"))
        assert policy.check_profile(raw, pid) == [], pid
        p = policy.load_profile(pid)
        assert 1 <= p.retention_days <= raw["retention_max_days"]
        assert 3 <= p.lockout_attempts <= 10 and 1 <= p.idle_lock_minutes <= 60


def test_the_schema_knows_what_the_engine_knows():
    schema = json.loads(policy.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert tuple(schema["$defs"]["agency_type"]["enum"]) == AGENCY_TYPES
    assert policy._schema()["$defs"]["action"]["enum"] == sorted(ACTIONS)
    optional = {"vendor_capture_accuracy", "vendor_perfect_read_rate", "plateless_search_max_hours",
                "aggregate_min_count", "time_zone", "speed_unit", "audit", "parking"}
    assert set(schema["required"]) | optional == set(schema["properties"])
