"""The questionnaires file: what ships, its texts, and the loader refusing broken files."""

import re
from importlib import resources

import pytest

from bot.content.care import Status, Track
from bot.content.common import LANGUAGES, ContentError
from bot.content.questionnaires import (
    MAX_LABEL,
    Audience,
    Band,
    Condition,
    Questionnaire,
    QuestionnaireContentError,
    Scoring,
    Topic,
    load_questionnaires,
    parse_questionnaires,
    questionnaire,
    questionnaires,
)
from tests.unit.questionnaire_sample import TINY

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
DANGER = ("danger_preg", "danger_post", "danger_newborn", "danger_child")
DEV = ("dev_2m", "dev_4m", "dev_6m", "dev_9m", "dev_12m", "dev_18m", "dev_24m", "dev_36m", "dev_48m")


def _packaged() -> str:
    return resources.files("bot.content").joinpath("questionnaires.toml").read_text(encoding="utf-8")


def _q(questionnaire_id: str) -> Questionnaire:
    found = questionnaire(questionnaire_id)
    assert found is not None, questionnaire_id
    return found


def _all_texts(q: Questionnaire) -> list[tuple[str, dict[str, str]]]:
    texts: list[tuple[str, dict[str, str]]] = [("title", dict(q.titles)), ("intro", dict(q.intros))]
    texts += [(f"advice.{band}", dict(t)) for band, t in q.advices.items()]
    if q.self_harm_advices is not None:
        texts.append(("self_harm", dict(q.self_harm_advices)))
    for question in q.questions:
        texts.append((question.id, dict(question.texts)))
        for option in question.options:
            texts.append((f"{question.id}.{option.id}", dict(option.labels)))
            if option.details is not None:
                texts.append((f"{question.id}.{option.id}.detail", dict(option.details)))
    return texts


# --- the packaged file ----------------------------------------------------------------------


def test_loads_once_with_every_questionnaire() -> None:
    catalog = load_questionnaires()
    assert catalog is load_questionnaires()
    assert parse_questionnaires(_packaged()) == catalog
    assert [q.id for q in questionnaires()] == [
        *DANGER, "phq2", "phq9", "gad2", "gad7", "safety", "habits", *DEV,
    ]
    assert len(catalog) == 19 and list(catalog) == list(questionnaires())
    assert questionnaire("epds") is None  # copyrighted: not shipped (§6a)
    assert questionnaire("nope") is None


def test_ids_short_and_fit_in_callback_data() -> None:
    ids = [q.id for q in questionnaires()]
    assert len(set(ids)) == len(ids)
    for q in questionnaires():
        assert re.fullmatch(r"[a-z0-9_]{1,16}", q.id), q.id
        question_ids = [question.id for question in q.questions]
        assert len(set(question_ids)) == len(question_ids), q.id
        for question in q.questions:
            assert re.fullmatch(r"[a-z0-9_]{1,12}", question.id), (q.id, question.id)
            option_ids = [o.id for o in question.options]
            assert len(set(option_ids)) == len(option_ids), (q.id, question.id)
            for option in question.options:
                assert re.fullmatch(r"[a-z0-9_]{1,8}", option.id), (q.id, question.id, option.id)
                # A generous callback layout still fits Telegram's 64 bytes.
                assert len(f"scr:{q.id}:{question.id}:{option.id}:x".encode()) <= 64


def test_every_text_in_every_language() -> None:
    for q in questionnaires():
        for where, texts in _all_texts(q):
            assert set(texts) == set(LANGUAGES), (q.id, where)
            kk, ru, en = texts["kk"], texts["ru"], texts["en"]
            assert all(t and t == t.strip() for t in (kk, ru, en)), (q.id, where)
            assert not CYRILLIC.search(en), (q.id, where, en)
            assert CYRILLIC.search(ru) and CYRILLIC.search(kk), (q.id, where)
            assert not set(kk + ru + en) & set("<>&{}"), (q.id, where)
        # Longer Kazakh texts are Kazakh, not Russian left in place.
        assert set(q.title("kk") + q.intro("kk") + q.advice(Band.NONE, "kk")) & KAZAKH_LETTERS, q.id


def test_button_labels_short() -> None:
    for q in questionnaires():
        for question in q.questions:
            for option in question.options:
                for lang in LANGUAGES:
                    assert len(option.label(lang)) <= MAX_LABEL == 40, (q.id, option.id, lang)


def test_status_and_source_are_honest() -> None:
    for q in questionnaires():
        assert q.source, q.id
    # Step 6: our wording of §6c is ⚠️, and the review's added signs (§6g) are ⚠️ too.
    assert _q("danger_preg").status is Status.SECONDARY and "[S33]" in _q("danger_preg").source
    assert _q("danger_newborn").status is Status.SECONDARY and "[S35]" in _q("danger_newborn").source
    assert _q("danger_child").status is Status.SECONDARY and "[S34]" in _q("danger_child").source
    assert _q("danger_post").status is Status.UNCONFIRMED  # not in the reference
    for qid in ("phq2", "phq9", "gad2", "gad7"):
        assert _q(qid).status is Status.CONFIRMED and "[S30]" in _q(qid).source, qid
        assert "our own translations" in _q(qid).note and {"kk", "ru"} <= _q(qid).unvalidated, qid
    for qid in ("safety", "habits", *DEV):
        assert _q(qid).status is Status.UNCONFIRMED, qid
        assert "own wording" in _q(qid).source.lower(), qid
    assert "§5" in _q("dev_12m").source


def test_danger_checklists() -> None:
    expected_signs = {
        # §6c: eleven signs, then §6g (Step 6): preterm labour and thoughts of harming the baby.
        "danger_preg": {"bleed", "fits", "headache", "fever", "pain", "breath", "moves", "fluid", "swelling",
                        "dizzy", "harm", "preterm", "harmbaby"},
        "danger_post": {"bleed", "fever", "smell", "headache", "breath", "leg", "harm",
                        "fits", "pain", "dizzy", "swelling", "harmbaby"},
        # §6e: seven signs, then §6g: jaundice, the cord, blue lips or grunting.
        "danger_newborn": {"feed", "fits", "floppy", "breath", "chest", "hot", "cold", "yellow", "cord", "blue"},
        # §6d: five signs, then §6g: fever under 3 months, stridor, dehydration, stiff neck, rash.
        "danger_child": {"drink", "vomit", "fits", "sleepy", "fitsnow", "fever3m", "stridor", "dry", "neck", "rash"},
    }
    for qid, signs in expected_signs.items():
        q = _q(qid)
        assert q.topic is Topic.DANGER and q.scoring is Scoring.FLAGS and q.positive_band is Band.URGENT
        assert q.hotline == "103"
        (question,) = q.questions
        assert question.multi
        assert {o.id for o in question.options[:-1]} == signs and question.options[-1].id == "none", qid
        none = question.options[-1]
        assert none.exclusive and not none.alerts
        assert all(o.alerts and not o.exclusive for o in question.options[:-1]), qid
        harm = question.option("harm")
        assert (harm is not None and harm.self_harm) is (qid in ("danger_preg", "danger_post")), qid
        baby = question.option("harmbaby")
        assert (baby is not None and baby.harm_baby) is (qid in ("danger_preg", "danger_post")), qid
        assert set(q.advices) == {Band.URGENT, Band.NONE}
        for lang in LANGUAGES:
            assert "103" in q.advice(Band.URGENT, lang) and "112" in q.advice(Band.URGENT, lang), (qid, lang)


def test_danger_audiences() -> None:
    assert dict(_q("danger_preg").audience) == {Audience.PREGNANCY: (0, 300)}
    assert dict(_q("danger_post").audience) == {Audience.POSTPARTUM: (0, 42)}
    assert dict(_q("danger_newborn").audience) == {Audience.NEWBORN: (0, 59)}
    assert dict(_q("danger_child").audience) == {Audience.CHILD: (60, 1826)}
    assert not _q("danger_post").about_child and _q("danger_newborn").about_child


def test_newborn_thresholds_in_plain_words() -> None:
    question = _q("danger_newborn").questions[0]
    breath, hot, cold = question.option("breath"), question.option("hot"), question.option("cold")
    assert breath is not None and hot is not None and cold is not None
    assert "60" in (breath.detail("en") or "") and "60" in (breath.detail("kk") or "")
    assert "37.5" in hot.label("en") and "37,5" in hot.label("ru") and "37,5" in hot.label("kk")
    assert "35.5" in cold.label("en") and "35,5" in cold.label("ru")


def test_phq_and_gad_data() -> None:
    phq2, phq9, gad2, gad7 = (_q(i) for i in ("phq2", "phq9", "gad2", "gad7"))
    # Step 6: PHQ-2 also asks item 9 (self-harm) and about harming the baby, neither in its total.
    assert (len(phq2.questions), len(phq9.questions), len(gad2.questions), len(gad7.questions)) == (4, 10, 2, 7)
    assert (phq2.max_total, phq9.max_total, gad2.max_total, gad7.max_total) == (6, 27, 6, 21)
    assert (phq2.step_to, phq2.step_at, gad2.step_to, gad2.step_at) == ("phq9", 3, "gad7", 3)
    assert phq9.step_to is None and gad7.step_to is None
    # Every short-form question is in the long form, the same: answers carry over.
    assert all(phq9.question(question.id) == question for question in phq2.questions if question.in_total)
    assert gad7.questions[:2] == gad2.questions
    for q in (phq2, phq9, gad2, gad7):
        assert q.topic is (Topic.MOOD if q.id.startswith("phq") else Topic.ANXIETY)
        for question in q.questions:
            assert [(o.id, o.score) for o in question.options] == [("0", 0), ("1", 1), ("2", 2), ("3", 3)]
            assert not question.multi
    assert [(r.low, r.high, r.band, r.label) for r in phq9.bands] == [
        (0, 4, Band.NONE, "minimal"), (5, 9, Band.MODERATE, "mild"), (10, 14, Band.HIGH, "moderate"),
        (15, 19, Band.HIGH, "mod_severe"), (20, 27, Band.HIGH, "severe"),
    ]
    assert [(r.low, r.high, r.band) for r in gad7.bands] == [
        (0, 4, Band.NONE), (5, 9, Band.MODERATE), (10, 14, Band.HIGH), (15, 21, Band.HIGH),
    ]
    item9 = phq9.question("phq_9")
    assert item9 is not None and [o.self_harm for o in item9.options] == [False, True, True, True]
    assert phq9.has_self_harm and phq2.has_self_harm and not gad7.has_self_harm
    assert "better off dead" in item9.text("en")  # the standard English wording


def test_self_harm_text_has_crisis_numbers_and_no_score() -> None:
    for qid in ("danger_preg", "danger_post", "phq9"):
        for lang in LANGUAGES:
            text = _q(qid).self_harm_advice(lang)
            assert "112" in text and "103" in text, (qid, lang)
    with pytest.raises(KeyError):
        _q("gad7").self_harm_advice("en")


def test_safety_and_habits() -> None:
    safety, habits = _q("safety"), _q("habits")
    assert safety.consent_to_share and habits.consent_to_share
    assert safety.positive_band is Band.HIGH and habits.positive_band is Band.MODERATE
    assert safety.hotline == "111" and habits.hotline is None
    assert 2 <= len(safety.questions) <= 4 and 2 <= len(habits.questions) <= 3
    for lang in LANGUAGES:
        assert "111" in safety.advice(Band.HIGH, lang) and "111" in safety.advice(Band.NONE, lang)
    for question in safety.questions:
        assert [(o.id, o.positive) for o in question.options] == [("yes", True), ("no", False), ("skip", False)]
    # Not HITS (hurt / insult / threaten / scream, "how often") and not WAST ("tension", "arguments").
    wording = " ".join(q.text("en").lower() for q in safety.questions)
    assert not any(word in wording for word in ("insult", "scream", "tension", "argument", "how often"))
    assert set(habits.audience) == {Audience.PREGNANCY, Audience.POSTPARTUM}


def test_development_sets() -> None:
    months = (2, 4, 6, 9, 12, 18, 24, 36, 48)
    for qid, month in zip(DEV, months, strict=True):
        q = _q(qid)
        # Step 6: one missed milestone is moderate; a lost skill or two findings are high.
        assert q.topic is Topic.DEVELOPMENT and q.positive_band is Band.MODERATE and q.serious_band is Band.HIGH
        assert q.serious_count == 2 and not q.consent_to_share
        assert 4 <= len(q.questions) <= 6, qid
        # From X months to the day before X+2 months, 30.4 days a month, rounded.
        assert dict(q.audience) == {Audience.CHILD: (round(month * 30.4), round((month + 2) * 30.4) - 1)}, qid
        for question in q.questions:
            assert sum(o.positive for o in question.options) == 1, (qid, question.id)
        assert "early intervention centre" in q.advice(Band.HIGH, "en")
        assert "раннего вмешательства" in q.advice(Band.HIGH, "ru")
        assert "ерте араласу орталығ" in q.advice(Band.HIGH, "kk")
    assert dict(_q("dev_2m").audience) == {Audience.CHILD: (61, 121)}
    lost = _q("dev_24m").question("lost")
    assert lost is not None and [o.id for o in lost.options if o.positive] == ["yes"]  # "has lost skills"


def test_schedule_data() -> None:
    entries = {(e.questionnaire_id, e.track, e.only_if): e.days for e in load_questionnaires().schedule}
    assert entries[("danger_preg", Track.PREGNANCY, Condition.ALWAYS)] == tuple(range(196, 295, 7))
    assert entries[("danger_newborn", Track.CHILD, Condition.ALWAYS)] == (3, 7, 14, 28)
    assert entries[("danger_post", Track.CHILD, Condition.ALWAYS)] == (7, 14, 21, 28, 35, 42)
    assert entries[("phq2", Track.PREGNANCY, Condition.ALWAYS)] == (196,)
    assert entries[("phq2", Track.CHILD, Condition.ALWAYS)] == (14, 42)
    assert entries[("phq2", Track.CHILD, Condition.MOOD_POSITIVE)] == (61, 91, 122, 152, 182)
    assert entries[("gad2", Track.PREGNANCY, Condition.ALWAYS)] == (196,)
    assert entries[("gad2", Track.CHILD, Condition.ALWAYS)] == (42,)
    dev_days = [entries[(qid, Track.CHILD, Condition.ALWAYS)] for qid in DEV]
    assert dev_days == [(61,), (122,), (182,), (274,), (365,), (547,), (730,), (1094,), (1459,)]


# --- the loader refuses broken files --------------------------------------------------------


def _broken(old: str, new: str, count: int = 1) -> str:
    assert TINY.count(old) >= count, old
    return TINY.replace(old, new, count)


def test_tiny_file_parses() -> None:
    catalog = parse_questionnaires(TINY)
    assert [q.id for q in catalog] == ["tiny", "short", "long", "yesno"]
    tiny = catalog.get("tiny")
    assert tiny is not None and tiny.self_harm_advices is not None
    smile = catalog.get("yesno").questions[0]  # type: ignore[union-attr]
    assert [(o.id, o.positive) for o in smile.options] == [("yes", False), ("no", True)]
    assert [e.days for e in catalog.schedule] == [(196, 203, 210), (61,)]


@pytest.mark.parametrize(
    ("old", "new", "named", "reason"),
    [
        ('title = { kk = "Тест", ru = "Тест", en = "Test" }', 'title = { kk = "Тест", en = "Test" }',
         "questionnaires[0] (tiny)", "title in 'ru'"),
        ('{ id = "bleed", positive', '{ id = "bleeding1", positive', "questionnaires[0] (tiny) question signs",
         "1–8 characters"),
        ('id = "tiny"', 'id = "a_very_long_questionnaire"', "questionnaires[0]", "1–16 characters"),
        ('id = "smile"', 'id = "Smile"', "questionnaires[3] (yesno)", "question 'id'"),
        ('options = "yn"', 'options = "yesno"', "(yesno) question smile", "unknown option set 'yesno'"),
        ('positive = ["no"]', 'positive = ["maybe"]', "(yesno) question smile", "unknown option(s) 'maybe'"),
        ('en = "Blood" }', 'en = "Blood from anywhere at all, any amount, any colour" }',
         "(tiny) question signs option bleed", "at most 40"),
        ('en = "Blood" }', 'en = "Blood <b>" }', "(tiny) question signs option bleed", "plain text"),
        ('kind = "multi"\n', "", "(tiny) question signs option none", "'exclusive' only makes sense"),
        ('{ id = "none", exclusive = true,', '{ id = "none", exclusive = true, positive = true,',
         "(tiny) question signs option none", "cannot be positive"),
        ('bands = [{ min = 0, max = 3, band = "none" }]', 'bands = [{ min = 1, max = 3, band = "none" }]',
         "questionnaires[1] (short)", "without gaps"),
        ('bands = [{ min = 0, max = 3, band = "none" }]', 'bands = [{ min = 0, max = 2, band = "none" }]',
         "questionnaires[1] (short)", "highest possible total is 3"),
        ('step_to = "long"', 'step_to = "longer"', "questionnaires[1] (short)", "unknown questionnaire 'longer'"),
        ('{ id = "3", score = 3,', '{ id = "3",', "(short) question q1 option 3", "needs a 'score'"),
        ('positive_band = "high"', 'positive_band = "moderate"', "questionnaires[3] (yesno)",
         "missing advice for band(s) 'moderate'"),
        ('advice.none = { kk = "Жақсы", ru = "Хорошо", en = "Good" }\n\n[[questionnaires.questions]]\nid = "signs"',
         'advice.none = { kk = "Жақсы", ru = "Хорошо", en = "Good" }\nadvice.high = { kk = "Иә", ru = "Да", '
         'en = "Yes" }\n\n[[questionnaires.questions]]\nid = "signs"', "questionnaires[0] (tiny)",
         "advice for band(s) 'high' that no answer can reach"),
        ('advice.urgent = { kk = "Қазір 103", ru = "Сейчас 103", en = "Now 103" }\n', "",
         "questionnaires[0] (tiny)", "missing advice for band(s) 'urgent'"),
        ('positive_band = "urgent"\n', "", "questionnaires[0] (tiny)", "no 'positive_band'"),
        ('audience = { child = [61, 121] }', 'audience = { child = [61, 2000] }', "questionnaires[3] (yesno)",
         "within 0–1826"),
        ('audience = { child = [61, 121] }', 'audience = { child = [61, 121], postpartum = [0, 42] }',
         "questionnaires[3] (yesno)", "not both"),
        ('status = "unconfirmed"', 'status = "maybe"', "questionnaires[0] (tiny)", "unknown status 'maybe'"),
        ('source = "test"', 'source = " "', "questionnaires[0] (tiny)", "'source'"),
        ('[self_harm.advice]\nkk = "Көмек бар. 112."\nru = "Помощь есть. 112."\nen = "Help is there. 112."\n', "",
         "questionnaires[0] (tiny)", "[self_harm.advice]"),
        ("days = [61]", "days = [30]", "schedule[1] (yesno)", "outside 'yesno'"),
        ("days = [61]", "days = [61, 61]", "schedule[1] (yesno)", "increasing order"),
        ('track = "pregnancy"\nfrom_day', 'track = "child"\nfrom_day', "schedule[0] (tiny)",
         "not for the 'child' track"),
        ('questionnaire = "yesno"', 'questionnaire = "gone"', "schedule[1] (gone)", "unknown questionnaire"),
        ('topic = "danger"', 'topic = "danger"\ncolour = "red"', "questionnaires[0] (tiny)",
         "unknown key(s) 'colour'"),
    ],
)
def test_broken_file_names_the_item(old: str, new: str, named: str, reason: str) -> None:
    with pytest.raises(QuestionnaireContentError) as caught:
        parse_questionnaires(_broken(old, new))
    message = str(caught.value)
    assert named in message and reason in message, message
    assert isinstance(caught.value, ContentError) and isinstance(caught.value, ValueError)


def test_stepping_must_repeat_the_short_form() -> None:
    head, tail = TINY.split('id = "long"')
    changed = head + 'id = "long"' + tail.replace('{ id = "3", score = 3,', '{ id = "2", score = 3,', 1)
    with pytest.raises(QuestionnaireContentError, match=r"questionnaires\[1\] \(short\).*'q1'.*carry over"):
        parse_questionnaires(changed)


def test_duplicates_refused() -> None:
    with pytest.raises(QuestionnaireContentError, match=r"questionnaires\[2\] \(short\): duplicate id"):
        parse_questionnaires(_broken('id = "long"', 'id = "short"'))
    doubled = TINY + '\n[[schedule]]\nquestionnaire = "yesno"\ntrack = "child"\ndays = [61]\n'
    with pytest.raises(QuestionnaireContentError, match=r"schedule\[2\] \(yesno\): day 61 is already scheduled"):
        parse_questionnaires(doubled)


def test_not_toml() -> None:
    with pytest.raises(QuestionnaireContentError, match="not valid TOML"):
        parse_questionnaires("[[questionnaires]\n")
    with pytest.raises(QuestionnaireContentError, match="unknown top-level"):
        parse_questionnaires('extra = "x"\n' + TINY)
