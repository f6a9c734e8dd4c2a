"""What /help and /privacy say, and the answer to a message no question asked for."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def help_text() -> str:
    return _(
        "<b>AnaBala</b> supports pregnant women and families with children under five, "
        "together with your polyclinic's patronage nurse.\n\n"
        "/calendar — your check-ups, screenings and vaccinations\n"
        "/appointments — your appointments: add, change, cancel\n"
        "/check — a short self-check: warning signs, mood, your baby's development\n"
        "/nurse — your nurse: who she is, ask her a question\n"
        "/plan — the support plan you agreed with your nurse\n"
        "/profile — see and change your details, tell me your baby is born\n"
        "/language — change the language\n"
        "/privacy — what data I keep and why\n"
        "/stop — pause my messages (/start turns them on again)\n"
        "/delete_me — erase all your data\n"
        "/help — this message\n\n"
        "In an emergency call 103 (ambulance) or 112."
    )


def privacy_text() -> str:
    return _(
        "<b>Your data and your privacy</b>\n\n"
        "<b>What I keep:</b> your name, phone number, language, region and polyclinic; your pregnancy dates; "
        "your children's names, dates of birth and sex; and, later, your answers to self-check questions "
        "and the messages I send you.\n\n"
        "<b>Why:</b> to remind you of check-ups, screenings and vaccinations at the right time, "
        "and so that your patronage nurse can support you.\n\n"
        "<b>Who sees it:</b> only your nurse and the programme's coordinators. "
        "I do not share it with anyone else and I do not use it for advertising.\n\n"
        "<b>Your choices:</b> /profile to correct anything, /stop to pause messages, "
        "/delete_me to erase everything. After erasing, only anonymous counts remain, with nothing that identifies you."
    )


def free_message_reply(kept: bool) -> str:
    """A message to the bot, not to a question: `kept` when it can be passed on to her health workers."""
    if kept:
        return _(
            "I am a bot and cannot answer free messages myself, but I can pass this one on to the health "
            "workers who look after you. "
            "If something worries you about your health or your child's, call your polyclinic. "
            "In an emergency call 103 (ambulance) or 112.\n\n"
            "What I can do: /help"
        )
    return _(
        "I am a bot and cannot read free messages. To write to your nurse, send /nurse. "
        "If something worries you about your health or your child's, call your polyclinic. "
        "In an emergency call 103 (ambulance) or 112.\n\n"
        "What I can do: /help"
    )
