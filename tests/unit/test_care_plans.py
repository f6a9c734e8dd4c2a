import re
import tomllib
from importlib import resources
from itertools import pairwise

import pytest

from bot.content.care import (
    CareContentError,
    CareItem,
    CareKind,
    Status,
    Track,
    care_item,
    care_items,
    load_care_plans,
    parse_care_plans,
)
from bot.content.places import LANGUAGES, ContentError


def _packaged() -> str:
    return resources.files("bot.content").joinpath("care_plans.toml").read_text(encoding="utf-8")


def _ids(track: Track, kind: CareKind) -> list[str]:
    return [i.id for i in care_items(track) if i.kind is kind]


# --- the packaged file ----------------------------------------------------------------------


def test_file_loads_once_and_sorted() -> None:
    items = care_items()
    assert items is load_care_plans() is care_items()
    assert len(items) > 30
    assert list(items) == sorted(items, key=lambda i: (i.track, i.start_day, i.id))
    assert parse_care_plans(_packaged()) == items


def test_tracks() -> None:
    for track in Track:
        subset = care_items(track)
        assert subset and all(i.track is track for i in subset)
    assert sum(len(care_items(t)) for t in Track) == len(care_items())
    assert care_items(Track("child")) == care_items(Track.CHILD)


def test_eight_anc_contacts() -> None:
    anc = [i for i in care_items(Track.PREGNANCY) if i.kind is CareKind.ANTENATAL_VISIT]
    assert [i.id for i in anc] == [f"anc_{w}w" for w in (12, 20, 26, 30, 34, 36, 38, 40)]
    first = anc[0]
    assert first.status is Status.CONFIRMED and first.is_official  # WHO first contact + legal duty [S1][S2]
    assert first.start_day == 0 and first.end_day <= 84
    assert "[S1]" in first.source and "[S2]" in first.source
    for item, week in zip(anc[1:], (20, 26, 30, 34, 36, 38, 40), strict=True):
        assert item.status is Status.SECONDARY, item.id  # contact weeks are ⚠️ [S49]
        assert "[S49]" in item.source
        assert item.start_day <= week * 7 <= item.end_day, item.id
        assert item.end_day - item.start_day <= 14, item.id
    for earlier, later in pairwise(anc):
        assert earlier.end_day < later.start_day, (earlier.id, later.id)


def test_three_ultrasounds_unconfirmed() -> None:
    scans = [i for i in care_items(Track.PREGNANCY) if i.kind is CareKind.ULTRASOUND]
    assert [i.id for i in scans] == ["us_first_trimester", "us_second_trimester", "us_third_trimester"]
    assert all(i.status is Status.UNCONFIRMED and not i.is_official for i in scans)
    assert all("[S4]" in i.source for i in scans)
    first = care_item("us_first_trimester")
    assert first is not None and (first.start_day, first.end_day) == (77, 97)  # 11+0 – 13+6


def test_glucose_test_secondary() -> None:
    ogtt = care_item("lab_ogtt")
    assert ogtt is not None and ogtt.kind is CareKind.LAB_TEST and ogtt.status is Status.SECONDARY
    assert (ogtt.start_day, ogtt.end_day) == (24 * 7, 28 * 7 + 6)


def test_vaccinations_confirmed() -> None:
    vaccines = [i for i in care_items() if i.kind is CareKind.VACCINATION]
    assert {i.id for i in vaccines} == {"vac_birth", "vac_2m", "vac_3m", "vac_4m", "vac_12m", "vac_18m"}
    for item in vaccines:
        assert item.track is Track.CHILD
        assert item.status is Status.CONFIRMED and item.is_official, item.id
        assert "[S17]" in item.source
    windows = {i.id: (i.start_day, i.end_day) for i in vaccines}
    assert windows["vac_birth"] == (0, 4)
    assert windows["vac_2m"][0] == 61
    assert windows["vac_3m"][0] == 91
    assert windows["vac_4m"][0] == 122
    assert windows["vac_12m"] == (365, 456)
    assert windows["vac_18m"][0] == 547
    assert max(end for _start, end in windows.values()) < 6 * 365  # 6 years and later are not in the track


def test_patronage_visits() -> None:
    pregnancy = _ids(Track.PREGNANCY, CareKind.PATRONAGE_VISIT)
    child = _ids(Track.CHILD, CareKind.PATRONAGE_VISIT)
    assert pregnancy == ["patronage_preg_1", "patronage_preg_2"]
    assert child == [f"patronage_child_{n}" for n in range(1, 11)]
    for item_id in pregnancy + child:
        item = care_item(item_id)
        assert item is not None
        assert "[S10]" in item.source
        assert item.status is Status.UNCONFIRMED, item_id  # the visits exist; their timing is a default
        assert "[S53]" in item.note and "[S54]" in item.note


def test_screenings_and_development_checks() -> None:
    screenings = _ids(Track.CHILD, CareKind.NEWBORN_SCREENING)
    assert set(screenings) == {"screen_heel_prick", "screen_hearing", "screen_rop"}
    checks = [i for i in care_items(Track.CHILD) if i.kind is CareKind.DEVELOPMENT_CHECK]
    assert len(checks) == 8
    for item in [*checks, *(care_item(s) for s in screenings)]:
        assert item is not None
        assert item.status is Status.UNCONFIRMED, item.id
        assert "[S20]" in item.source


POSTNATAL = ("pnc_mother_24h", "pnc_mother_3d", "pnc_mother_2w", "pnc_mother_6w")


def test_mother_postnatal_care_follows_who() -> None:
    # WHO 2022: at least four contacts for the mother, within 24 h, 48–72 h, 7–14 days and at 6 weeks (§6g).
    items = [i for i in care_items(Track.CHILD) if i.kind is CareKind.POSTNATAL_CARE]
    assert tuple(i.id for i in items) == POSTNATAL
    windows = {i.id: (i.start_day, i.end_day) for i in items}
    assert windows["pnc_mother_24h"][0] == 0 and windows["pnc_mother_24h"][1] <= 1
    assert windows["pnc_mother_3d"][0] >= 2 and windows["pnc_mother_3d"][1] <= 3
    assert windows["pnc_mother_2w"][0] >= 7 and windows["pnc_mother_2w"][1] <= 14
    assert windows["pnc_mother_6w"][0] <= 42 <= windows["pnc_mother_6w"][1]
    for earlier, later in pairwise(items):
        assert earlier.end_day < later.start_day, (earlier.id, later.id)
    for item in items:
        assert item.only_if is None, item.id  # every mother
        # ✅ for WHO, ⚠️ for Kazakhstan's own schedule: guidance, never an official date
        assert item.status is Status.SECONDARY and not item.is_official, item.id
        assert "WHO" in item.source and "WHO" in item.note and "Kazakhstan" in item.note, item.id
        assert item.title("en").startswith("Your check-up after the birth"), item.id  # hers, not the baby's
        assert item.title("ru").startswith("Ваш осмотр после родов"), item.id
        assert item.title("kk").startswith("Босанғаннан кейінгі тексеруіңіз"), item.id


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("contracept", "pregnancy", "blood pressure", "anaemia", "mood")),
        ("ru", ("контрацеп", "беременност", "давлени", "анеми", "настроени")),
        ("kk", ("контрацеп", "жүктілік", "қан қысым", "анемия", "көңіл-күй")),
    ],
)
def test_six_week_check_covers_contraception_and_her_health(lang: str, words: tuple[str, ...]) -> None:
    item = care_item("pnc_mother_6w")
    assert item is not None
    about = item.about(lang).lower()
    for word in words:
        assert word in about, (lang, word)


def test_retinopathy_screening_only_for_babies_at_risk() -> None:
    item = care_item("screen_rop")
    assert item is not None
    assert item.track is Track.CHILD and item.kind is CareKind.NEWBORN_SCREENING
    assert item.only_if is not None and item.only_if.value == "rop_risk"
    assert item.status is Status.UNCONFIRMED and not item.is_official  # cut-offs and timing not confirmed
    assert (item.start_day, item.end_day) == (28, 42)  # 4–6 weeks of age, our guidance
    assert "[S20]" in item.source and "[S21]" in item.source
    assert "34 weeks" in item.note and "2,000 g" in item.note and "guidance" in item.note
    assert [i.id for i in care_items() if i.only_if is not None] == ["screen_rop"]


def test_only_if_is_parsed_and_limited_to_the_child_track() -> None:
    (item,) = parse_care_plans(_with('note = "a note"\n', 'note = "a note"\nonly_if = "rop_risk"\n'))
    assert item.only_if is not None and item.only_if.value == "rop_risk"
    assert parse_care_plans(GOOD)[0].only_if is None
    with pytest.raises(CareContentError, match="unknown only_if 'preterm'"):
        parse_care_plans(_with('note = "a note"\n', 'note = "a note"\nonly_if = "preterm"\n'))
    pregnancy = _with('track = "child"', 'track = "pregnancy"').replace(
        'note = "a note"\n', 'note = "a note"\nonly_if = "rop_risk"\n'
    )
    with pytest.raises(CareContentError, match="use track 'child'"):
        parse_care_plans(pregnancy)


def test_planning_checkup() -> None:
    (item,) = care_items(Track.PLANNING)
    assert item.id == "prepregnancy_checkup" and item.kind is CareKind.PREPREGNANCY_CHECKUP
    assert (item.start_day, item.end_day) == (0, 60)
    assert "[S52]" in item.source
    assert "12" in item.about("en")


def test_ids_unique_and_stable_ascii() -> None:
    ids = [i.id for i in care_items()]
    assert len(ids) == len(set(ids))
    for item_id in ids:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", item_id), item_id
        assert care_item(item_id) is not None and care_item(item_id).id == item_id  # type: ignore[union-attr]
    assert care_item("nope") is None
    assert care_item("") is None


def test_windows_in_range() -> None:
    limits = {Track.PREGNANCY: 300, Track.CHILD: 1826, Track.PLANNING: 365}
    for item in care_items():
        assert 0 <= item.start_day <= item.end_day <= limits[item.track], item.id


def test_every_item_has_all_languages() -> None:
    for item in care_items():
        assert set(item.titles) == set(LANGUAGES), item.id
        assert set(item.abouts) == set(LANGUAGES), item.id
        for lang in LANGUAGES:
            assert item.title(lang).strip() and len(item.title(lang)) <= 60, (item.id, lang)
            assert item.about(lang).strip() and len(item.about(lang)) <= 300, (item.id, lang)


def test_every_item_cites_and_explains() -> None:
    for item in care_items():
        assert re.search(r"\[S\d+b?\]", item.source), item.id
        if item.status is not Status.CONFIRMED:
            assert item.note, item.id  # editable defaults say why and where the real rule is


def test_texts_state_no_dates_and_no_official_claims() -> None:
    date_like = re.compile(r"\b\d{1,2}[./]\d{1,2}([./]\d{2,4})?\b|\b20\d\d\b")
    official = re.compile(r"official|официальн|ресми", re.IGNORECASE)
    for item in care_items():
        for lang in LANGUAGES:
            assert not date_like.search(item.about(lang)), (item.id, lang)
            if not item.is_official:
                assert not official.search(item.about(lang) + item.title(lang)), (item.id, lang)


def test_header_explains_format() -> None:
    text = _packaged()
    header = text[: text.index("\n[[items]]\n")]
    for word in ("confirmed", "secondary", "unconfirmed", "editable", "30.4", "polyclinic"):
        assert word in header.lower(), word
    for key in (*(kind.value for kind in CareKind), "only_if", "rop_risk"):  # every kind and key it accepts
        assert f'"{key}"' in header or key == "only_if" and f"  {key} " in header, key
    doc = tomllib.loads(text)
    assert doc["source"] and doc["status"]


def test_title_fallback_and_official() -> None:
    item = CareItem(
        id="x",
        track=Track.CHILD,
        kind=CareKind.VACCINATION,
        start_day=0,
        end_day=1,
        status=Status.SECONDARY,
        source="[S1]",
        note="",
        titles={"kk": "К", "ru": "Р"},
        abouts={"kk": "К"},
    )
    assert item.title("en") == "Р"
    assert item.title("de") == "Р"
    assert item.title("kk") == "К"
    assert item.about("ru") == "К"
    assert not item.is_official
    loaded = care_item("vac_2m")
    assert loaded is not None and loaded.title("de") == loaded.title("en")


def test_items_are_hashable_and_frozen() -> None:
    assert len(set(care_items())) == len(care_items())
    item = care_items()[0]
    with pytest.raises(AttributeError):
        item.start_day = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        item.titles["en"] = "changed"  # type: ignore[index]


# --- validation on load -----------------------------------------------------------------------

GOOD = """
[[items]]
id = "x_item"
track = "child"
kind = "vaccination"
start_day = 61
end_day = 90
status = "confirmed"
source = "gov.kz [S17]"
note = "a note"

[items.title]
kk = "Екпе"
ru = "Прививка"
en = "Vaccination"

[items.about]
kk = "Екпе туралы."
ru = "О прививке."
en = "About the vaccination."
"""


def _with(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_parse_good() -> None:
    (item,) = parse_care_plans(GOOD)
    assert item == CareItem(
        id="x_item",
        track=Track.CHILD,
        kind=CareKind.VACCINATION,
        start_day=61,
        end_day=90,
        status=Status.CONFIRMED,
        source="gov.kz [S17]",
        note="a note",
        titles={"kk": "Екпе", "ru": "Прививка", "en": "Vaccination"},
        abouts={"kk": "Екпе туралы.", "ru": "О прививке.", "en": "About the vaccination."},
    )
    assert item.is_official
    assert parse_care_plans(_with('note = "a note"\n', ""))[0].note == ""


def test_parse_sorts_by_track_start_and_id() -> None:
    second = GOOD.replace('"x_item"', '"a_item"').replace("start_day = 61", "start_day = 10")
    third = GOOD.replace('"x_item"', '"b_item"').replace('track = "child"', 'track = "pregnancy"')
    items = parse_care_plans(third + GOOD + second)
    assert [i.id for i in items] == ["a_item", "x_item", "b_item"]


@pytest.mark.parametrize(
    ("track", "end_day"),
    [("pregnancy", 300), ("child", 1826), ("planning", 365)],
)
def test_window_limits_inclusive(track: str, end_day: int) -> None:
    text = _with('track = "child"', f'track = "{track}"').replace("start_day = 61", "start_day = 0")
    (item,) = parse_care_plans(text.replace("end_day = 90", f"end_day = {end_day}"))
    assert (item.start_day, item.end_day) == (0, end_day)


def test_lengths_at_limit_are_fine() -> None:
    text = _with('en = "Vaccination"', f'en = "{"t" * 60}"').replace(
        'en = "About the vaccination."', f'en = "{"a" * 300}"'
    )
    (item,) = parse_care_plans(text)
    assert len(item.title("en")) == 60 and len(item.about("en")) == 300


def test_single_day_window() -> None:
    (item,) = parse_care_plans(_with("end_day = 90", "end_day = 61"))
    assert item.start_day == item.end_day == 61


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + GOOD, "duplicate id 'x_item'"),
        (_with('track = "child"', 'track = "baby"'), "unknown track 'baby'"),
        (_with('track = "child"\n', ""), "missing key(s) 'track'"),
        (_with('kind = "vaccination"', 'kind = "vaccine"'), "unknown kind 'vaccine'"),
        (_with('status = "confirmed"', 'status = "✅"'), "unknown status '✅'"),
        (_with("end_day = 90", "end_day = 60"), "need 0 ≤ start_day ≤ end_day"),
        (_with("start_day = 61", "start_day = -1"), "need 0 ≤ start_day ≤ end_day"),
        (_with("start_day = 61", 'start_day = "61"'), "'start_day' must be a whole number"),
        (_with("end_day = 90", "end_day = 90.5"), "'end_day' must be a whole number"),
        (_with("end_day = 90", "end_day = true"), "'end_day' must be a whole number"),
        (_with("end_day = 90\n", ""), "missing key(s) 'end_day'"),
        (_with("end_day = 90", "end_day = 1827"), "outside 0–1826 days allowed for track 'child'"),
        (
            _with('track = "child"', 'track = "pregnancy"').replace("end_day = 90", "end_day = 301"),
            "outside 0–300 days allowed for track 'pregnancy'",
        ),
        (
            _with('track = "child"', 'track = "planning"').replace("end_day = 90", "end_day = 366"),
            "outside 0–365 days allowed for track 'planning'",
        ),
        (_with('en = "Vaccination"\n', ""), "missing or empty title in 'en'"),
        (_with('kk = "Екпе"', 'kk = "  "'), "missing or empty title in 'kk'"),
        (_with('ru = "О прививке."', 'ru = ""'), "missing or empty about in 'ru'"),
        (
            _with('en = "Vaccination"', 'en = "Vaccination"\nkz = "Екпе"'),
            "title has unknown language(s) 'kz'",
        ),
        (_with("[items.about]", "[items.nothing]"), "unknown key(s) 'nothing'"),
        (_with('en = "Vaccination"', f'en = "{"t" * 61}"'), "title in 'en' is 61 characters, at most 60"),
        (
            _with('en = "About the vaccination."', f'en = "{"a" * 301}"'),
            "about in 'en' is 301 characters, at most 300",
        ),
        (_with('source = "gov.kz [S17]"', 'source = " "'), "'source' must name the reference keys"),
        (_with('source = "gov.kz [S17]"\n', ""), "missing key(s) 'source'"),
        (_with('note = "a note"', "note = 3"), "'note' must be text"),
        (_with('note = "a note"', 'notes = "typo"'), "unknown key(s) 'notes'"),
    ],
)
def test_rule_errors_name_the_item(text: str, message: str) -> None:
    with pytest.raises(CareContentError, match=re.escape(message)) as raised:
        parse_care_plans(text)
    assert "x_item" in str(raised.value)
    assert "care_plans.toml: items[" in str(raised.value)


@pytest.mark.parametrize(
    ("bad_id", "shown"),
    [
        ('"X Item"', "'X Item'"),
        ('"' + "x" * 33 + '"', "'" + "x" * 33 + "'"),
        ('"прививка"', "'прививка'"),
        ('""', "''"),
        ("12", "12"),
    ],
)
def test_bad_id(bad_id: str, shown: str) -> None:
    with pytest.raises(CareContentError, match=re.escape("'id' must be 1–32 characters")) as raised:
        parse_care_plans(_with('"x_item"', bad_id))
    assert shown in str(raised.value) and "items[0]" in str(raised.value)


def test_missing_id_names_the_position() -> None:
    second = GOOD.replace('id = "x_item"\n', "")
    with pytest.raises(CareContentError, match=re.escape("items[1]: 'id' must be")):
        parse_care_plans(GOOD + second)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[items", "not valid TOML"),
        ("", "'items' must be an array of tables"),
        ("items = 3", "'items' must be an array of tables"),
        ("items = []", "no items"),
    ],
)
def test_file_errors(text: str, message: str) -> None:
    with pytest.raises(CareContentError, match=re.escape(message)) as raised:
        parse_care_plans(text)
    assert "care_plans.toml" in str(raised.value)


def test_error_types() -> None:
    assert issubclass(CareContentError, ContentError)
    assert issubclass(CareContentError, ValueError)
