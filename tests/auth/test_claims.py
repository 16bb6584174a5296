"""Claims of a bring-your-own token that become identifiers are checked before use."""

import pytest

from atlas_auth.byot.claims import workspace_from


@pytest.mark.parametrize(("payload", "expected"), [
    ({"org_id": "acme"}, "acme"),
    ({"org_id": 42}, "42"),
    ({"org_id": "  acme  "}, "acme"),
    ({"org_id": "ac\x00me"}, None),
    ({"org_id": "acme\n"}, "acme"),
    ({"org_id": "a\x1bb"}, None),
    ({"org_id": "x" * 129}, None),
    ({"org_id": ""}, None),
    ({"org_id": True}, None),
    ({"org_id": ["acme"]}, None),
    ({}, None),
])
def test_a_workspace_id_is_a_short_printable_string(payload: dict[str, object],
                                                    expected: str | None) -> None:
    assert workspace_from(payload, "org_id") == expected
