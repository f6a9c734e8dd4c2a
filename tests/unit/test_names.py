import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.names import clean_person_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Айгерім", "Айгерім"),
        ("Әсел", "Әсел"),
        ("Ғалия", "Ғалия"),
        ("Қуаныш", "Қуаныш"),
        ("Аңсар", "Аңсар"),
        ("Өмір", "Өмір"),
        ("Ұлжан", "Ұлжан"),
        ("Үміт", "Үміт"),
        ("Һ", "Һ"),
        ("ӘәҒғҚқҢңӨөҰұҮүҺһІі", "ӘәҒғҚқҢңӨөҰұҮүҺһІі"),
        ("Анна", "Анна"),
        ("Мария Ивановна", "Мария Ивановна"),
        ("Анна-Мария", "Анна-Мария"),
        ("Ёлка", "Ёлка"),
        ("Aigerim", "Aigerim"),
        ("O'Brien", "O'Brien"),
        ("O’Brien", "O’Brien"),
        ("Qanysh Aitbaiuly", "Qanysh Aitbaiuly"),
        ("Aıgerım", "Aıgerım"),
        ("J. R. R.", "J. R. R."),
        ("A", "A"),
        ("  Айгерім   Нұрланқызы  ", "Айгерім Нұрланқызы"),
        ("Айгерім\n\tНұрланқызы", "Айгерім Нұрланқызы"),
        ("Anna\u00a0Maria", "Anna Maria"),
        ("Йо\u0306", "Йо\u0306"),  # a stray combining breve is kept
        ("Сауле" + "а" * 59, "Сауле" + "а" * 59),  # exactly 64
    ],
)
def test_accepted(text: str, expected: str) -> None:
    assert clean_person_name(text) == expected


def test_combining_marks_are_composed() -> None:
    assert clean_person_name("Аи\u0306гүл") == "Айгүл"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "/start",
        "/ Анна",
        "12345",
        "Анна2",
        "😀",
        "😀😀",
        "Анна 😀",
        "---",
        "...",
        "'",
        "ʼʼ",
        "Анна!",
        "Анна@mail",
        "<b>Анна</b>",
        "Анна_Мария",
        "Анна\u200bМария",  # zero-width space
        "Сауле" + "а" * 60,  # 65
    ],
)
def test_rejected(text: str) -> None:
    assert clean_person_name(text) is None


@given(st.text(max_size=80))
def test_result_is_clean(text: str) -> None:
    name = clean_person_name(text)
    if name is not None:
        assert 1 <= len(name) <= 64
        assert name == name.strip()
        assert "  " not in name
        assert any(ch.isalpha() for ch in name)
        assert not name.startswith("/")
        assert clean_person_name(name) == name


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=64))
def test_letters_only_are_accepted(text: str) -> None:
    assert clean_person_name(text) is not None
