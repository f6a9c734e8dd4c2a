import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.phone import (
    KZ_MOBILE_CODES,
    format_phone,
    normalize_contact_phone,
    normalize_kz_mobile,
)


@pytest.mark.parametrize(
    "text",
    [
        "+7 701 123 45 67",
        "87011234567",
        "8 (701) 123-45-67",
        "+7(701)1234567",
        "7011234567",
        "77011234567",
        "+77011234567",
        "  +7 701 123 45 67  ",
        "8-701-123-45-67",
        "+7 (701) 123 4567",
        "8 701 1234567",
    ],
)
def test_accepts_typed_forms(text: str) -> None:
    assert normalize_kz_mobile(text) == "+77011234567"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+7 700 000 00 00", "+77000000000"),
        ("87081234567", "+77081234567"),
        ("87471234567", "+77471234567"),
        ("87501234567", "+77501234567"),
        ("87511234567", "+77511234567"),
        ("87601234567", "+77601234567"),
        ("87641234567", "+77641234567"),
        ("87711234567", "+77711234567"),
        ("87751234567", "+77751234567"),
        ("87781234567", "+77781234567"),
    ],
)
def test_operator_code_edges(text: str, expected: str) -> None:
    assert normalize_kz_mobile(text) == expected


def test_operator_code_list() -> None:
    expected = (
        {str(n) for n in range(700, 709)}
        | {"747", "750", "751"}
        | {str(n) for n in range(760, 765)}
        | {"771", "775", "776", "777", "778"}
    )
    assert expected == KZ_MOBILE_CODES


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "+7 727 123 45 67",  # Almaty landline
        "87272123456",
        "7272123456",
        "+7 717 212 34 56",  # Astana landline
        "+7 916 123 45 67",  # Russian mobile
        "89161234567",
        "9161234567",
        "+7 709 123 45 67",  # not a mobile code
        "+7 746 123 45 67",
        "+7 752 123 45 67",
        "+7 765 123 45 67",
        "+7 772 123 45 67",
        "+7 779 123 45 67",
        "+8 701 123 45 67",  # "+" demands the country code 7
        "+87011234567",
        "+7 701 123 45 6",  # too short
        "+7 701 123 45 678",  # too long
        "701123456",
        "870112345678",
        "97011234567",  # 11 digits not starting with 7 or 8
        "007011234567",
        "+7 701 abc 45 67",
        "+7 701 123 45 67 доб. 2",
        "seven oh one",
        "+7 701 123 45 67+",
        "7+7011234567",
        "+380 44 123 4567",  # Ukraine
        "+7\u00a0701\u00a0123\u00a045\u00a067x",
        "8" * 200,
    ],
)
def test_rejects(text: str) -> None:
    assert normalize_kz_mobile(text) is None


def test_format_phone_kz() -> None:
    assert format_phone("+77011234567") == "+7 701 123 45 67"


@pytest.mark.parametrize(
    "number", ["+79161234567", "+380441234567", "+7701123456", "77011234567", "", "hello"]
)
def test_format_phone_other_numbers_unchanged(number: str) -> None:
    assert format_phone(number) == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("77011234567", "+77011234567"),
        ("+77011234567", "+77011234567"),
        ("79161234567", "+79161234567"),
        ("380441234567", "+380441234567"),
        ("+1 (202) 555-0100", "+12025550100"),
    ],
)
def test_normalize_contact_phone(raw: str, expected: str) -> None:
    assert normalize_contact_phone(raw) == expected


def test_normalize_contact_phone_without_digits() -> None:
    with pytest.raises(ValueError):
        normalize_contact_phone("+")


kz_mobiles = st.builds(
    lambda code, rest: f"+7{code}{rest}",
    st.sampled_from(sorted(KZ_MOBILE_CODES)),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)


@given(kz_mobiles)
def test_format_normalize_round_trip(e164: str) -> None:
    assert normalize_kz_mobile(format_phone(e164)) == e164


@given(kz_mobiles)
def test_trunk_and_bare_forms_agree(e164: str) -> None:
    national = e164[2:]
    assert normalize_kz_mobile("8" + national) == e164
    assert normalize_kz_mobile("7" + national) == e164
    assert normalize_kz_mobile(national) == e164


@given(st.text(max_size=30))
def test_normalize_never_raises(text: str) -> None:
    result = normalize_kz_mobile(text)
    assert result is None or (result.startswith("+77") and len(result) == 12)
