"""English local authorities with children's services, and the forms people write them in."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

AUTHORITIES = (
    "Barking and Dagenham",
    "Barnet",
    "Barnsley",
    "Bath and North East Somerset",
    "Bedford",
    "Bexley",
    "Birmingham",
    "Blackburn with Darwen",
    "Blackpool",
    "Bolton",
    "Bournemouth, Christchurch and Poole",
    "Bracknell Forest",
    "Bradford",
    "Brent",
    "Brighton and Hove",
    "Bristol",
    "Bromley",
    "Buckinghamshire",
    "Bury",
    "Calderdale",
    "Cambridgeshire",
    "Camden",
    "Central Bedfordshire",
    "Cheshire East",
    "Cheshire West and Chester",
    "Cornwall",
    "Coventry",
    "Croydon",
    "Cumberland",
    "Darlington",
    "Derby",
    "Derbyshire",
    "Devon",
    "Doncaster",
    "Dorset",
    "Dudley",
    "Durham",
    "Ealing",
    "East Riding of Yorkshire",
    "East Sussex",
    "Enfield",
    "Essex",
    "Gateshead",
    "Gloucestershire",
    "Greenwich",
    "Hackney",
    "Halton",
    "Hammersmith and Fulham",
    "Hampshire",
    "Haringey",
    "Harrow",
    "Hartlepool",
    "Havering",
    "Herefordshire",
    "Hertfordshire",
    "Hillingdon",
    "Hounslow",
    "Isle of Wight",
    "Isles of Scilly",
    "Islington",
    "Kensington and Chelsea",
    "Kent",
    "Kingston upon Hull",
    "Kingston upon Thames",
    "Kirklees",
    "Knowsley",
    "Lambeth",
    "Lancashire",
    "Leeds",
    "Leicester",
    "Leicestershire",
    "Lewisham",
    "Lincolnshire",
    "Liverpool",
    "City of London",
    "Luton",
    "Manchester",
    "Medway",
    "Merton",
    "Middlesbrough",
    "Milton Keynes",
    "Newcastle upon Tyne",
    "Newham",
    "Norfolk",
    "North East Lincolnshire",
    "North Lincolnshire",
    "North Northamptonshire",
    "North Somerset",
    "North Tyneside",
    "North Yorkshire",
    "Northumberland",
    "Nottingham",
    "Nottinghamshire",
    "Oldham",
    "Oxfordshire",
    "Peterborough",
    "Plymouth",
    "Portsmouth",
    "Reading",
    "Redbridge",
    "Redcar and Cleveland",
    "Richmond upon Thames",
    "Rochdale",
    "Rotherham",
    "Rutland",
    "Salford",
    "Sandwell",
    "Sefton",
    "Sheffield",
    "Shropshire",
    "Slough",
    "Solihull",
    "Somerset",
    "South Gloucestershire",
    "South Tyneside",
    "Southampton",
    "Southend-on-Sea",
    "Southwark",
    "St Helens",
    "Staffordshire",
    "Stockport",
    "Stockton-on-Tees",
    "Stoke-on-Trent",
    "Suffolk",
    "Sunderland",
    "Surrey",
    "Sutton",
    "Swindon",
    "Tameside",
    "Telford and Wrekin",
    "Thurrock",
    "Torbay",
    "Tower Hamlets",
    "Trafford",
    "Wakefield",
    "Walsall",
    "Waltham Forest",
    "Wandsworth",
    "Warrington",
    "Warwickshire",
    "West Berkshire",
    "West Northamptonshire",
    "West Sussex",
    "Westminster",
    "Westmorland and Furness",
    "Wigan",
    "Wiltshire",
    "Windsor and Maidenhead",
    "Wirral",
    "Wokingham",
    "Wolverhampton",
    "Worcestershire",
    "York",
    # Former authorities that older reports are about.
    "Bournemouth",
    "Poole",
    "Cumbria",
    "Northamptonshire",
)

# Councils Ofsted does not inspect (Wales, Scotland, Northern Ireland, the Crown dependencies): named so
# that a question about one is known to be about a place the reports cannot cover.
OUTSIDE_ENGLAND = (
    "Cardiff",
    "Swansea",
    "Wrexham",
    "Flintshire",
    "Gwynedd",
    "Powys",
    "Ceredigion",
    "Pembrokeshire",
    "Carmarthenshire",
    "Monmouthshire",
    "Rhondda Cynon Taf",
    "Caerphilly",
    "Vale of Glamorgan",
    "Bridgend",
    "Conwy",
    "Denbighshire",
    "Anglesey",
    "Glasgow",
    "Edinburgh",
    "Aberdeen",
    "Dundee",
    "Fife",
    "Belfast",
    "Derry",
    "Jersey",
    "Guernsey",
    "Isle of Man",
    "Gibraltar",
)

# Other names and abbreviations people use; "<name> Council", "<name> MBC" and the like contain the name.
ALIASES = {
    "Doncaster": ("DMBC",),
    "Bournemouth, Christchurch and Poole": ("BCP",),
    "Bath and North East Somerset": ("BANES", "B&NES"),
    "Kensington and Chelsea": ("RBKC",),
    "Barking and Dagenham": ("LBBD",),
    "Windsor and Maidenhead": ("RBWM",),
    "Cheshire West and Chester": ("CWAC",),
    "Durham": ("County Durham",),
    "City of London": ("London Corporation", "City of London Corporation"),
    "Kingston upon Hull": ("Hull",),
    "Newcastle upon Tyne": ("Newcastle",),
    "Stoke-on-Trent": ("Stoke",),
    "Southend-on-Sea": ("Southend",),
    "Stockton-on-Tees": ("Stockton",),
    "Telford and Wrekin": ("Telford",),
    "Blackburn with Darwen": ("Blackburn",),
    "Brighton and Hove": ("Brighton",),
    "Redcar and Cleveland": ("Redcar",),
    "East Riding of Yorkshire": ("East Riding",),
    "Richmond upon Thames": ("Richmond",),
    "Kingston upon Thames": ("Kingston",),
    "Hammersmith and Fulham": ("Hammersmith",),
}

# Names that are also everyday words: counted only when a council word or "in"/"of" stands beside them.
_AMBIGUOUS = {"Reading", "Bury"}
_BEFORE = r"(?:(?<=\bin )|(?<=\bof ))"
_AFTER = r"(?=(?:'s)? (?:Borough |Metropolitan |City )?Council\b|(?:'s)? children)"


def _forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for name in AUTHORITIES + OUTSIDE_ENGLAND:
        forms[name] = name
        forms[name.replace(" and ", " & ")] = name
        for alias in ALIASES.get(name, ()):
            forms[alias] = name
    return forms


@lru_cache(maxsize=2)
def _pattern(ignore_case: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    forms = _forms()
    parts = []
    for form in sorted(forms, key=len, reverse=True):  # longest first: "North Somerset" before "Somerset"
        escaped = re.escape(form)
        if form in _AMBIGUOUS:
            parts.append(f"(?-i:{_BEFORE}{escaped}|{escaped}{_AFTER})")
        elif form.isupper():
            parts.append(f"(?-i:{escaped})")  # abbreviations only in capitals
        else:
            parts.append(escaped)
    flags = re.IGNORECASE if ignore_case else 0
    lookup = {form.lower(): name for form, name in forms.items()}
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", flags), lookup


def find_authorities(text: str, ignore_case: bool = False) -> list[str]:
    """Authorities named in a text, most mentioned first (ties: first mentioned first)."""
    pattern, lookup = _pattern(ignore_case)
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for match in pattern.finditer(text):
        name = lookup[match.group(0).lower()]
        counts[name] += 1
        first.setdefault(name, match.start())
    return sorted(counts, key=lambda name: (-counts[name], first[name]))


def canonical(name: str) -> str | None:
    """The canonical name for any form of an authority's name, or None."""
    found = find_authorities(name.strip(), ignore_case=True)
    return found[0] if found else None


def without_authorities(text: str, names: list[str]) -> str:
    """The text without these authorities in any of their forms ("DMBC", "Devon County Council's")."""
    if not names:
        return text
    text = with_canonical_names(text)
    for name in names:
        text = re.sub(re.escape(name) + _COUNCIL_SUFFIX, " ", text, flags=re.IGNORECASE)
    return text


_COUNCIL_SUFFIX = (
    r"(?:['’]s)?(?:\s+(?:Metropolitan\s+)?(?:Borough\s+|County\s+|City\s+|District\s+)?Council\b|\s+MBC\b)?"
)


def with_canonical_names(text: str) -> str:
    """The text with every form of an authority's name replaced by its canonical name ("DMBC" -> "Doncaster")."""
    pattern, lookup = _pattern(True)
    return pattern.sub(lambda m: lookup[m.group(0).lower()], text)
