"""The privacy scan itself: it must find what it looks for, or its silence proves nothing."""

from __future__ import annotations

from tests.support import privacy


def test_it_finds_a_remembered_name_or_address_in_a_log_line() -> None:
    privacy.remember_body(b'{"grid_user": {"sub": "x"}, "address": "Veldstraat 9, 9000 Gent"}')
    privacy.remember_body(b"sub=klant-zoe&name=Zoe+Zegers&state=s")
    line = '{"level":"INFO","message":"request","detail":"Zoe Zegers, Veldstraat 9, 9000 Gent"}'
    assert privacy.found_in(line) == ["Veldstraat 9, 9000 Gent", "Zoe Zegers"]
    assert privacy.found_in('{"message":"request","route":"/v1/me","status":200}') == []


def test_short_values_are_not_taken_for_personal_data() -> None:
    privacy.remember("Test", "")
    assert privacy.found_in("Test run") == []
