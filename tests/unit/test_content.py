import re
import tomllib
from importlib import resources

import pytest

from bot import content
from bot.content import ContentError, Polyclinic, Region, polyclinic, polyclinics, region, regions
from bot.content.places import LANGUAGES, load_places, parse_places

REGION_ORDER = [
    "astana", "almaty_city", "shymkent", "abai", "akmola", "aktobe", "almaty_region", "atyrau",
    "east_kz", "zhambyl", "zhetisu", "west_kz", "karaganda", "kostanay", "kyzylorda",
    "mangystau", "pavlodar", "north_kz", "turkistan", "ulytau",
]  # fmt: skip


def _packaged(name: str) -> str:
    return resources.files("bot.content").joinpath(name).read_text(encoding="utf-8")


def test_twenty_regions_in_reference_order() -> None:
    assert [r.code for r in regions()] == REGION_ORDER
    assert len(regions()) == 20


def test_region_names() -> None:
    almaty = region("almaty_city")
    assert almaty is not None
    assert almaty.name("kk") == "Алматы қаласы"
    assert almaty.name("ru") == "г. Алматы"
    assert almaty.name("en") == "Almaty city"
    east = region("east_kz")
    assert east is not None and east.name("ru") == "Восточно-Казахстанская область"
    ulytau = region("ulytau")
    assert ulytau is not None and ulytau.name("kk") == "Ұлытау облысы"


def test_every_region_has_all_languages() -> None:
    for r in regions():
        assert set(r.names) == set(LANGUAGES)
        assert all(r.names[lang].strip() for lang in LANGUAGES)


def test_name_fallback() -> None:
    r = Region(code="x", names={"kk": "К", "ru": "Р", "en": "E"})
    assert r.name("de") == "E"
    assert Region(code="x", names={"kk": "К", "ru": "Р"}).name("en") == "Р"
    assert Region(code="x", names={"kk": "К"}).name("ru") == "К"
    p = Polyclinic(code="p", region="x", names={"ru": "Р", "kk": "К"})
    assert p.name("en") == "Р"


def test_region_and_polyclinic_are_hashable() -> None:
    assert len({*regions(), *regions()}) == 20
    assert len(set(load_places().polyclinics)) == len(load_places().polyclinics)


def test_unknown_codes() -> None:
    assert region("moscow") is None
    assert region("") is None
    assert polyclinics("moscow") == ()
    assert polyclinic("nope") is None


def test_every_region_has_a_polyclinic() -> None:
    for r in regions():
        clinics = polyclinics(r.code)
        assert len(clinics) >= 1, r.code
        assert all(c.region == r.code for c in clinics)


def test_named_seed_polyclinics() -> None:
    almaty = {c.code: c for c in polyclinics("almaty_city")}
    assert {"almaty_pc1", "almaty_pc6", "almaty_pc7"} <= set(almaty)
    assert almaty["almaty_pc6"].name("kk") == "№6 қалалық емхана"
    assert almaty["almaty_pc6"].name("ru") == "Городская поликлиника №6"
    assert almaty["almaty_pc6"].name("en") == "City polyclinic No. 6"
    taraz = [c for c in polyclinics("zhambyl") if c.name("en") == "City polyclinic No. 5"]
    assert len(taraz) == 1
    found = polyclinic(taraz[0].code)
    assert found is not None and found.region == "zhambyl"


def test_polyclinic_codes_are_stable_ascii() -> None:
    codes = [c.code for c in load_places().polyclinics]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9_]{1,24}", code), code
    for c in load_places().polyclinics:
        assert polyclinic(c.code) == c


def test_files_have_source_and_status() -> None:
    for name in ("regions.toml", "polyclinics.toml"):
        doc = tomllib.loads(_packaged(name))
        assert isinstance(doc.get("source"), str) and doc["source"]
        assert isinstance(doc.get("status"), str) and doc["status"]
    assert "demo" in tomllib.loads(_packaged("polyclinics.toml"))["status"].lower()


def test_package_reexports() -> None:
    for name in ("Region", "Polyclinic", "regions", "region", "polyclinics", "polyclinic"):
        assert hasattr(content, name)


def test_loaded_once() -> None:
    assert load_places() is load_places()
    assert regions() is regions()


# --- validation on load --------------------------------------------------------------------

GOOD_REGIONS = """
[[regions]]
code = "a"
kk = "А"
ru = "А"
en = "A"

[[regions]]
code = "b"
kk = "Б"
ru = "Б"
en = "B"
"""

GOOD_CLINICS = """
[[polyclinics.a]]
code = "a_pc1"
kk = "№1 қалалық емхана"
ru = "Городская поликлиника №1"
en = "City polyclinic No. 1"
"""


def test_parse_good() -> None:
    places = parse_places(GOOD_REGIONS, GOOD_CLINICS)
    assert [r.code for r in places.regions] == ["a", "b"]
    assert places.polyclinics == (
        Polyclinic(
            code="a_pc1",
            region="a",
            names={"kk": "№1 қалалық емхана", "ru": "Городская поликлиника №1", "en": "City polyclinic No. 1"},
        ),
    )


def test_packaged_files_parse() -> None:
    places = parse_places(_packaged("regions.toml"), _packaged("polyclinics.toml"))
    assert places == load_places()


@pytest.mark.parametrize(
    ("regions_toml", "clinics_toml", "message"),
    [
        (GOOD_REGIONS + GOOD_REGIONS, GOOD_CLINICS, "duplicate region code 'a'"),
        (GOOD_REGIONS, GOOD_CLINICS + GOOD_CLINICS, "duplicate polyclinic code 'a_pc1'"),
        (GOOD_REGIONS, GOOD_CLINICS.replace("polyclinics.a]", "polyclinics.zz]"), "polyclinics.zz: no such region"),
        (GOOD_REGIONS.replace('en = "A"\n', ""), GOOD_CLINICS, "missing or empty name in 'en'"),
        (GOOD_REGIONS.replace('kk = "А"', 'kk = " "'), GOOD_CLINICS, "missing or empty name in 'kk'"),
        (GOOD_REGIONS, GOOD_CLINICS.replace('ru = "Городская поликлиника №1"\n', ""), "name in 'ru'"),
        (GOOD_REGIONS, GOOD_CLINICS.replace('"a_pc1"', '"A PC 1"'), "'code' must be"),
        (GOOD_REGIONS, GOOD_CLINICS.replace('"a_pc1"', '"' + "x" * 25 + '"'), "'code' must be"),
        (GOOD_REGIONS, GOOD_CLINICS.replace('"a_pc1"', '"емхана"'), "'code' must be"),
        (GOOD_REGIONS.replace('code = "b"\n', ""), GOOD_CLINICS, "'code' must be"),
        ("", GOOD_CLINICS, "regions.toml"),
        ("regions = 1", GOOD_CLINICS, "array of tables"),
        ("[[regions", GOOD_CLINICS, "not valid TOML"),
        (GOOD_REGIONS, "polyclinics = 3", "table keyed by region code"),
        (GOOD_REGIONS, "[polyclinics]\na = 3", "array of tables"),
    ],
)
def test_parse_errors(regions_toml: str, clinics_toml: str, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        parse_places(regions_toml, clinics_toml)


def test_content_error_is_value_error() -> None:
    assert issubclass(ContentError, ValueError)
