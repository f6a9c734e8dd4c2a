"""The audit log's pseudonym after /delete_me: stable, negative, and useless without the pepper."""

from bot.domain.privacy import pseudonym


def test_the_same_person_gets_the_same_pseudonym_and_it_is_never_a_telegram_id() -> None:
    assert pseudonym(987654321, b"pepper") == pseudonym(987654321, b"pepper") < 0
    assert pseudonym(987654321, b"pepper") != pseudonym(987654322, b"pepper")


def test_another_pepper_gives_another_pseudonym() -> None:
    assert pseudonym(987654321, b"pepper") != pseudonym(987654321, b"salt")
