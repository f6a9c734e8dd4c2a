"""Registration and profile edits as she reads them: each step's question, the consent text and
what is said when an answer cannot be taken."""

from __future__ import annotations

from datetime import date

from aiogram import html
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.children import MAX_CHILDREN
from bot.domain.dates import format_date
from bot.domain.flow import Draft, EditTarget, Step, dating_from_draft
from bot.domain.pregnancy import DatingError, DatingMethod, PregnancyDating
from bot.views.profile import dating_check_text, summary_text
from bot.views.questions import nurse_text
from db.records import StaffRecord, UserRecord


def dating_error_text(error: DatingError) -> str:
    return {
        DatingError.DUE_TOO_FAR_IN_PAST: _(
            "This due date is more than two weeks ago. Please check it and type it again. "
            "If your baby is already born, congratulations! Choose «I have a child under five» instead."
        ),
        DatingError.DUE_TOO_FAR_AHEAD: _("This due date is more than 42 weeks from today. Please check it and type it again."),
        DatingError.LMP_IN_FUTURE: _("This date is in the future. Please type the first day of your last period."),
        DatingError.LMP_TOO_LONG_AGO: _("This date is more than 44 weeks ago. Please check it and type it again."),
        DatingError.WEEK_OUT_OF_RANGE: _("Please type a whole number of weeks from 4 to 42."),
        DatingError.TOO_EARLY: _(
            "This is before week 4 of pregnancy. So early, a pregnancy usually cannot be confirmed or dated yet, "
            "so I can take it from week 4. Please check the date, or come back in a few days. "
            "Until then, see your polyclinic if you have pain or bleeding, and call 103 in an emergency."
        ),
    }[error]


def children_limit_text() -> str:
    return _("I can follow up to {count} children under five in one family, and you have told me about {count}. "
             "If there are more, please tell your nurse: /nurse").format(count=MAX_CHILDREN)


def dating_clash_text(child_name: str, born: date, started: date) -> str:
    """Her pregnancy's dates put its start too close to (or before) an older child's birth."""
    return _(
        "These dates do not fit {name}'s date of birth ({born}): by them, your pregnancy began around {date}, "
        "and an older child must have been born at least two weeks before that. Please check them and type "
        "them again."
    ).format(name=html.quote(child_name), born=format_date(born), date=format_date(started))


def birth_clash_text(started: date, *, registering: bool) -> str:
    """A child's date of birth does not fit her pregnancy; in registration a button under it fixes the pregnancy."""
    return _(
        "This date of birth does not fit your pregnancy: by its dates, your pregnancy began around {date}, "
        "and an older child must have been born at least two weeks before that. Please check the date of "
        "birth and type it again. If it is right, your pregnancy dates need correcting: {how}"
    ).format(
        date=format_date(started),
        how=_("press «Change the pregnancy dates» below.") if registering else _("change them in /profile first."),
    )


def registered_text(user: UserRecord, nurse: StaffRecord | None) -> str:
    """Her registration is saved: what she can do now, and who her nurse is."""
    return "\n\n".join([
        _(
            "Thank you! You are registered.\n\n"
            "/profile — see or change your details\n"
            "/help — everything I can do\n\n"
            "If you ever feel that something is seriously wrong with you or your baby, "
            "call 103 (ambulance) or 112 at once."
        ),
        nurse_text(user, nurse),
    ])


def bad_date_text() -> str:
    return _("I could not read this date. Please type it as day.month.year, for example 15.03.2027.")


def consent_text() -> str:
    return _(
        "<b>Welcome to AnaBala!</b>\n\n"
        "I support pregnant women and families with young children in Kazakhstan's patronage programme: "
        "reminders of check-ups, screenings and vaccinations, short tips for your stage, "
        "self-check questions, and a way to reach your patronage nurse.\n\n"
        "<b>What I keep:</b> your name, phone number, region and polyclinic, your pregnancy dates, "
        "your children's names, dates of birth and sex, and later your answers to self-check questions. "
        "Only your nurse and the programme's coordinators can see them, to take care of you and your child. "
        "You can erase everything at any time with /delete_me. More: /privacy\n\n"
        "Do you agree that AnaBala keeps and uses your personal and health data for this?"
    )


def language_prompt(i18n: I18n) -> str:
    # Shown before she has chosen: the same line in all three languages.
    return "\n".join(i18n.gettext("Please choose your language", locale=code) for code in ("kk", "ru", "en"))


def _dating(data: Draft) -> PregnancyDating | None:
    pregnancy = data.get("pregnancy")
    return dating_from_draft(pregnancy) if pregnancy else None


def _child_name(data: Draft) -> str:
    return html.quote(data.get("child", {}).get("name") or _("your child"))


def step_question(step: Step, data: Draft, today: date, i18n: I18n) -> str:
    """The question a registration or profile-edit step asks (its buttons: handlers/steps.py)."""
    match step:
        case Step.LANGUAGE:
            return language_prompt(i18n)
        case Step.CONSENT:
            return consent_text()
        case Step.ROLES:
            return _("Who are you? Choose everything that fits, then press «Continue».")
        case Step.NAME:
            return _("What is your name? Please type it, for example: Aigerim.")
        case Step.PHONE:
            return _(
                "Please share your phone number with the button below, or type a Kazakhstan mobile number, "
                "for example +7 701 123 45 67. Your nurse will use it to reach you."
            )
        case Step.REGION:
            return _("Which region do you live in?")
        case Step.POLYCLINIC:
            return _("Which polyclinic are you attached to?")
        case Step.DATING_METHOD:
            return _("What do you know about your pregnancy dates?")
        case Step.DATING_DATE:
            if data.get("dating_method") == DatingMethod.DUE_DATE:
                return _("Please type your expected due date, for example 15.03.2027.")
            return _("Please type the first day of your last period, for example 02.06.2026.")
        case Step.DATING_WEEK:
            return _("Which week of pregnancy are you in? Please type a number from 4 to 42.")
        case Step.DATING_CONFIRM:
            dating = _dating(data)
            assert dating is not None  # asked once her dates are typed (next_step)
            return dating_check_text(dating, today)
        case Step.CHILD_NAME:
            if data.get("target") == EditTarget.BIRTH:
                return _("Congratulations! What is your baby's name?")
            return _("What is your child's name?")
        case Step.CHILD_BIRTH:
            return _("When was {name} born? Please type the date, for example 05.09.2025.").format(name=_child_name(data))
        case Step.CHILD_SEX:
            return _("Is {name} a girl or a boy?").format(name=_child_name(data))
        case Step.CHILD_GESTATION:
            return _("How many weeks of pregnancy was it when {name} was born? Please type a number, for example 39. "
                     "Your nurse uses it to plan her visits.").format(name=_child_name(data))
        case Step.CHILD_WEIGHT:
            return _("How much did {name} weigh at birth? Please type the weight in grams, for example 3200.").format(
                name=_child_name(data))
        case Step.MORE_CHILDREN:
            return _("Do you have another child under five?")
        case Step.SUMMARY:
            return summary_text(data, _dating(data), today)
    raise ValueError(f"no question for {step}")
