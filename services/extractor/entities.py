"""People, organisations and locations from a spaCy Doc, made canonical and deduplicated.

The model finds the spans; the rules here fix what it is weak at in news copy:
- people: titles stripped ('Mr', 'PM', 'General', 'Prime Minister'); every later mention mapped to
  the full name it abbreviates ('Mr Sharif' -> 'Shehbaz Sharif'); places tagged PERSON moved to locations;
- organisations: acronyms tied to the expansion the text defines ('Foreign Office (FO)') or to a shipped
  list of well-known ones (SCO, UN, BRICS...); near-duplicate spellings merged;
- locations: country names made canonical ('U.S.' -> 'United States'), 'Pakistan-Russia' split,
  demonyms and ORG-tagged country names handled.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from services.extractor.places import Gazetteer, gazetteer
from services.extractor.text import PARTICLES, TITLE_WORDS, fold

ORG_DATA = Path(__file__).resolve().parent / "data" / "organizations.tsv"

PERSON_LABELS = {"PERSON"}
ORG_LABELS = {"ORG"}
LOC_LABELS = {"GPE", "LOC"}

# Words that never make a name on their own, whatever the model says.
NOT_NAMES = {"premier", "minister", "president", "ambassador", "envoy", "sources", "official", "officials",
             "spokesperson", "government", "state", "said", "the", "a", "an", "he", "she", "they", "it"}
ORG_STOP = {"government", "the government", "ministry", "embassy", "party", "council", "committee", "commission",
            "department", "mou", "league", "division", "eastern", "western", "central division"}
DEFINITION_RE = re.compile(
    r"(?P<long>(?:[A-Z][\w&'’.-]*\s+(?:(?:of|and|for|the|on|in|&|de|des|du)\s+)*)+[A-Z][\w&'’.-]*)"
    r"\s*\((?P<short>[A-Z][A-Za-z&.-]{1,11})\)")


@dataclass(frozen=True)
class KnownOrg:
    acronym: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass
class Entities:
    people: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def known_orgs() -> dict[str, KnownOrg]:
    """Folded acronym, name or alias -> organisation, from ``data/organizations.tsv``."""
    table: dict[str, KnownOrg] = {}
    with ORG_DATA.open(encoding="utf-8") as handle:
        for row in csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            if len(row) < 2:
                continue
            aliases = tuple(a for a in (row[2].split("|") if len(row) > 2 else []) if a)
            org = KnownOrg(row[0], row[1], aliases)
            for key in (row[0], row[1], *aliases):
                table.setdefault(fold(key), org)
    return table


@lru_cache(maxsize=1)
def _known_org_regex() -> re.Pattern[str]:
    """Case-sensitive matcher for acronyms (3+ letters, and UN/EU) and full names in running text."""
    terms: set[str] = set()
    for org in known_orgs().values():
        if len(org.acronym) >= 3 or org.acronym in {"UN", "EU"}:
            terms.add(org.acronym)
        if len(org.name) > 4:
            terms.add(org.name)
        terms.update(a for a in org.aliases if len(a) > 4)
    alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")


def _initials_match(short: str, long: str) -> bool:
    """'FO' ~ 'Foreign Office', 'ISSI' ~ 'Institute of Strategic Studies Islamabad', 'OGDCL' ~ 'Oil and Gas...'."""
    letters = [c.lower() for c in short if c.isalpha()]
    words = [w for w in re.split(r"[\s-]+", long) if w]
    initials = [w[0].lower() for w in words]
    # Every letter of the acronym must be an initial, in order; minor words may be skipped.
    i = 0
    for w, ini in zip(words, initials, strict=True):
        if i < len(letters) and ini == letters[i]:
            i += 1
        elif w.lower() not in {"of", "and", "for", "the", "on", "in", "&", "de", "des", "du"} and i < len(letters):
            return False
    return i == len(letters)


def acronym_definitions(text: str) -> dict[str, str]:
    """Acronyms the text defines: 'Institute of Strategic Studies Islamabad (ISSI)' -> {'ISSI': ...}."""
    defs: dict[str, str] = {}
    for m in DEFINITION_RE.finditer(text):
        short, long = m["short"], m["long"].strip()
        words = long.split()
        # Keep the shortest tail of the capitalised run whose initials spell the acronym.
        for start in range(len(words)):
            candidate = " ".join(words[start:])
            if words[start].lower() in {"of", "and", "for", "the", "on", "in", "&"}:
                continue
            if _initials_match(short, candidate):
                defs.setdefault(short, candidate)
                break
    return defs


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles and office acronyms: 'FO Spokesperson Mumtaz Zahra Baloch' -> the name."""
    while len(tokens) > 1 and (tokens[0].lower().rstrip(".") in TITLE_WORDS or tokens[0].lower() in {"the", "'s"}
                               or (tokens[0].isupper() and len(tokens[0]) <= 5 and "." not in tokens[0])):
        tokens = tokens[1:]
    if tokens and tokens[0].lower().rstrip(".") in TITLE_WORDS:
        return []
    return tokens


def clean_person(text: str) -> str | None:
    """'Prime Minister Shehbaz Sharif's' -> 'Shehbaz Sharif'; None when no name remains."""
    text = re.sub(r"['’]s?$", "", text.strip()).strip(" ,.;:-–—\"“”‘’'")
    tokens = _strip_titles(text.split())
    # The model sometimes runs on into the next word: cut at the first lowercase non-particle word.
    for i, tok in enumerate(tokens):
        if i > 0 and tok[:1].islower() and tok.lower() not in PARTICLES:
            tokens = tokens[:i]
            break
    if not tokens or any(ch.isdigit() for ch in "".join(tokens)):
        return None
    name = " ".join(tokens)
    if fold(name) in NOT_NAMES or not tokens[-1][:1].isupper() or len(name) < 2:
        return None
    if len(tokens) == 1 and name.isupper() and len(name) <= 5:
        return None  # an acronym ('FO', 'SCO') is not a person
    return name


INITIAL_NAME_RE = re.compile(r"^[A-Z]\.? (?:[A-Z]\.? )?(?:(?:Mc|Mac|O')?[A-Z][a-z]+ ?){1,2}$")
EVENT_WORDS = {"summit", "conference", "expo", "games", "cup", "forum", "meeting", "session", "talks", "visit"}


def clean_org(text: str) -> str | None:
    """'the Shanghai Cooperation Organisation (SCO' -> 'Shanghai Cooperation Organisation'; offices -> None."""
    text = re.sub(r"\s*\([^)]*\)?\s*$", "", text.strip())
    text = re.sub(r"['’]s?$", "", text.strip()).strip(" ,.;:-–—\"“”‘’'")
    text = re.sub(r"^(?:the|The)\s+", "", text)
    words = text.split()
    if not words or (words[0].lower().rstrip(".") in TITLE_WORDS - {
            "state", "special", "foreign", "finance", "interior", "commerce", "defence", "defense", "army", "chief"}
            and not any(w.lower() in ORG_HEADS for w in words[1:])):
        return None  # 'the Minister for Commerce' is an office; 'General Administration of Customs' is not
    if len(text) < 2 or not re.search(r"[A-Za-z]", text) or fold(text) in ORG_STOP:
        return None
    if text[:1].islower() or re.fullmatch(r"[\d\W]+", text):
        return None
    return text


def clean_place(text: str) -> str | None:
    text = re.sub(r"['’]s?$", "", text.strip()).strip(" ,.;:-–—\"“”‘’'")
    text = re.sub(r"^(?:the|The)\s+", "", text)
    if len(text) < 2 or not text[:1].isupper() or any(ch.isdigit() for ch in text):
        return None
    return text


def _person_canonical(mentions: list[str]) -> dict[str, str]:
    """Map every person mention to the fullest name in the article that contains all its tokens."""
    ordered = list(dict.fromkeys(mentions))
    counts = Counter(mentions)
    canonical: dict[str, str] = {}
    for name in ordered:
        toks = set(fold(name).split())
        best = name
        for other in ordered:
            other_toks = set(fold(other).split())
            best_size = len(set(fold(best).split()))
            if other != name and toks < other_toks and (
                    len(other_toks) > best_size or (len(other_toks) == best_size and counts[other] > counts[best])):
                best = other
        canonical[name] = best
    # Chains: 'Khan' -> 'Imran Khan' -> 'Imran Ahmed Khan' resolve to the last link.
    for name in ordered:
        seen = {name}
        while canonical[canonical[name]] != canonical[name] and canonical[name] not in seen:
            seen.add(canonical[name])
            canonical[name] = canonical[canonical[name]]
    return canonical


def _merge_near_duplicates(names: list[str], counts: Counter[str]) -> list[str]:
    """'Pakistan Still Mills' next to 'Pakistan Steel Mills': keep the one written first or more often."""
    kept: list[str] = []
    for name in names:
        folded = fold(name)
        dup = False
        for i, other in enumerate(kept):
            fo = fold(other)
            if folded == fo or (len(folded.split()) == len(fo.split()) and len(folded) > 8
                                and SequenceMatcher(None, folded, fo).ratio() >= 0.86):
                if counts[name] > counts[other]:
                    kept[i] = name
                dup = True
                break
        if not dup:
            kept.append(name)
    return kept


def _dedupe_subsumed(names: list[str]) -> list[str]:
    """Drop a name whose tokens all appear in another name of the same list ('Mishustin' vs the full name)."""
    folded = [set(fold(n).split()) for n in names]
    out = []
    for i, name in enumerate(names):
        if any(i != j and folded[i] < folded[j] for j in range(len(names))):
            continue
        out.append(name)
    return list(dict.fromkeys(out))


def _split_compound(text: str, gaz: Gazetteer) -> list[str]:
    """'Pakistan-Russia' -> ['Pakistan', 'Russia'] when every part is a country."""
    parts = re.split(r"\s*[-–/]\s*", text)
    if len(parts) > 1 and all(gaz.country(p) for p in parts):
        return parts
    return [text]


@dataclass(frozen=True)
class Mention:
    label: str
    text: str
    start: int  # character offsets in the doc text
    end: int


FUNCTION_WORDS = {"of", "for", "and", "on", "the", "in", "to", "at", "with"}
PLACE_HEADS = {"republic", "state", "province", "region", "kingdom", "emirate"}
PLACE_TAILS = {"krai", "kray", "oblast", "province", "region", "state", "district", "valley", "county",
               "territory", "governorate", "prefecture"}


def repair_mentions(doc: Doc, skip: list[tuple[int, int]], gaz: Gazetteer,
                    is_word: Callable[[str], bool] | None = None) -> list[Mention]:
    """The model's spans, repaired where news copy trips it up.

    - spans inside an amount of money ('US $ 478 million', 'Rs 5bn') are not names;
    - a person span grows left over capitalised name words it missed ('PM Imran Khan' -> 'Imran Khan'),
      stopping at titles and at office names ('Minister for Industries and Production Haroon Khan');
    - an unknown place/organisation span glued to a person span is the person's first name;
    - 'Republic of Tatarstan', 'Primorsky Krai' become one place; a region tagged NORP becomes a place.
    """
    ents = list(doc.ents)
    out: list[Mention] = []
    i = 0
    while i < len(ents):
        ent = ents[i]
        label, start_tok, end_tok = ent.label_, ent.start, ent.end
        if any(s < ent.end_char and ent.start_char < e for s, e in skip) \
                and label in LOC_LABELS | ORG_LABELS | PERSON_LABELS:
            i += 1
            continue
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        if label in LOC_LABELS | ORG_LABELS | {"NORP"} and nxt is not None and nxt.label_ in PERSON_LABELS \
                and nxt.start == ent.end and len(ent) <= 2 and not gaz.is_well_known_place(ent.text) \
                and all(t.text[:1].isupper() for t in ent):
            label, end_tok = "PERSON", nxt.end
            i += 1
        if label in PERSON_LABELS:
            grown = 0
            while start_tok > 0 and grown < 2:
                prev = doc[start_tok - 1]
                if not (prev.text[:1].isupper() and prev.is_alpha and prev.tag_ == "NNP") or prev.ent_type_ \
                        or prev.lower_ in TITLE_WORDS or prev.is_sent_start:
                    break
                before = doc[start_tok - 2] if start_tok >= 2 else None
                if before is not None and before.lower_ in FUNCTION_WORDS:
                    break
                start_tok -= 1
                grown += 1
        if label in LOC_LABELS and ent.text.lower() in PLACE_HEADS and nxt is not None \
                and nxt.label_ in LOC_LABELS and nxt.start == ent.end + 1 and doc[ent.end].lower_ == "of":
            end_tok = nxt.end
            i += 1
        if label in LOC_LABELS | {"NORP"} and end_tok < len(doc) and doc[end_tok].lower_ in PLACE_TAILS \
                and doc[end_tok].text[:1].isupper():
            end_tok += 1
        if label == "NORP" and not gaz.demonym(ent.text) and gaz.lookup(ent.text):
            label = "GPE"
        span = doc[start_tok:end_tok]
        out.extend(_split_span(doc.text, label, span.start_char, span.end_char, is_word))
        i += 1
    return _datelines(doc.text, out, gaz)


# Where a name never continues: a line break, a spaced dash or slash ('CRICKET - PAKISTAN', 'Dampier /
# Kaohsiung'), 'v'/'vs' between sides ('Pakistan v New Zealand').
NAME_BREAK_RE = re.compile(r"\s*\n\s*| [-–—/] | vs?\.? ")


def _split_span(text: str, label: str, start: int, end: int,
                is_word: Callable[[str], bool] | None = None) -> list[Mention]:
    """A span's parts between name breaks; a lone common word left over ('Cricket - ...') is dropped."""
    parts: list[tuple[int, int]] = []
    pos = start
    for m in NAME_BREAK_RE.finditer(text, start, end):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, end))
    out = []
    for a, b in parts:
        raw = text[a:b]
        a, b = a + len(raw) - len(raw.lstrip()), b - (len(raw) - len(raw.rstrip()))
        if b <= a:
            continue
        common = len(parts) > 1 and is_word is not None and text[a:b].isalpha() and is_word(text[a:b].lower())
        if not common:
            out.append(Mention(label, text[a:b], a, b))
    return out


DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z.'’-]+(?: [A-Z][A-Za-z.'’-]+){0,2})(?:, [A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+){0,3})?"
    r"(?P<tail>:| \(\w[\w ]*\) ?[-–—]| \d{4}-\d{2}-\d{2}\b)",
    re.MULTILINE)


def known_place(name: str, gaz: Gazetteer) -> bool:
    """A country or a main place of the gazetteer: what a dateline's first words must name."""
    return bool(gaz.country(name) or any(p.primary for p in gaz.lookup(name)))


def dateline_place_known(match: re.Match[str], gaz: Gazetteer) -> bool:
    """Whether a dateline (a DATELINE_RE match) names a known place: its own ("MADRID"), or the
    country or region that qualifies a smaller one ("VAIL, Colorado", "IGLS, Austria")."""
    if known_place(match["place"], gaz):
        return True
    qualifier = match.string[match.end("place"):match.start("tail")].strip(" ,")
    return bool(qualifier) and known_place(qualifier, gaz)


def _datelines(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """'ISLAMABAD: ...', 'AL-AIN, United Arab Emirates 1996-12-06', 'LONDON (Reuters) -': the place is a place."""
    out = list(mentions)
    for m in DATELINE_RE.finditer(text):
        start, end = m.span("place")
        if text[start:end].lower() in TITLE_WORDS:
            continue
        if m["tail"] == ":" and not known_place(m["place"], gaz):
            continue  # 'Note:', 'Scorers:' are headings; 'ISLAMABAD:' is a dateline
        out = [x for x in out if not (x.start < end and start < x.end)]
        out.append(Mention("GPE", text[start:end], start, end))
    out.sort(key=lambda x: x.start)
    return out


ORG_HEADS = {"group", "council", "commission", "committee", "organisation", "organization", "agency", "bank",
             "ministry", "institute", "university", "association", "union", "forum", "party", "authority",
             "board", "corporation", "company", "centre", "center", "office", "assembly", "federation",
             "foundation", "fund", "bureau", "department", "court", "parliament", "senate", "army", "police",
             "mills", "airlines", "exchange", "administration", "school", "college", "society", "club"}
ORG_LINKS = {"of", "on", "for", "and", "de", "&"}


def _in_prose(text: str, char: int, cache: dict[int, bool]) -> bool:
    """Tables and lists (results, standings) are not running text."""
    start = text.rfind("\n", 0, char) + 1
    if start not in cache:
        end = text.find("\n", char)
        words = text[start: end if end != -1 else len(text)].split()
        lower = sum(1 for w in words if w[:1].islower() and w.isalpha())
        cache[start] = len(words) >= 6 and lower / len(words) >= 0.3
    return cache[start]


def scan_orgs(doc: Doc, taken: list[Mention]) -> list[Mention]:
    """Organisation names the model left untagged: a capitalised run with an organisation head word
    ('Pakistan-Russia Consultative Group on Strategic Stability')."""
    blocked = {c for m in taken if m.label not in LOC_LABELS | {"NORP"} for c in range(m.start, m.end)}
    text = doc.text
    cache: dict[int, bool] = {}
    found: list[Mention] = []
    i, n = 0, len(doc)
    while i < n:
        if not (doc[i].text[:1].isupper() and doc[i].is_alpha) or doc[i].lower_ in {"the", "a", "an"}:
            i += 1
            continue
        j = i
        while j < n:
            tok = doc[j]
            next_capital = j + 1 < n and doc[j + 1].text[:1].isupper()
            name_word = tok.text[:1].isupper() and (tok.is_alpha or tok.text == "&")
            link = (tok.text == "-" or (tok.lower_ in ORG_LINKS and j > i)) and next_capital
            if not (name_word or link):
                break
            j += 1
        while j > i and doc[j - 1].lower_ in ORG_LINKS | {"-"}:
            j -= 1
        span = doc[i:j]
        words = [t.lower_ for t in span if t.is_alpha]
        if len(words) >= 3 and any(w in ORG_HEADS for w in words[1:]) and span.start_char not in blocked \
                and not any(c in blocked for c in range(span.start_char, span.end_char)) \
                and _in_prose(text, span.start_char, cache) and words[0] not in TITLE_WORDS:
            found.append(Mention("ORG", span.text, span.start_char, span.end_char))
        i = max(j, i + 1)
    return found


def vote_labels(mentions: list[Mention]) -> list[Mention]:
    """One label per name in an article: the model's majority over all mentions (first seen on a tie)."""
    votes: dict[str, Counter[str]] = {}
    for m in mentions:
        kind = "LOC" if m.label in LOC_LABELS else m.label
        votes.setdefault(fold(m.text), Counter())[kind] += 1
    out = []
    for m in mentions:
        counter = votes[fold(m.text)]
        kind = "LOC" if m.label in LOC_LABELS else m.label
        best, n = counter.most_common(1)[0]
        if best != kind and n > counter[kind] and best in PERSON_LABELS | ORG_LABELS | {"LOC"}:
            m = Mention("GPE" if best == "LOC" else best, m.text, m.start, m.end)
        out.append(m)
    return out


def scan_places(doc: Doc, gaz: Gazetteer, taken: list[Mention]) -> list[Mention]:
    """Regions and big cities the model left untagged: capitalised proper-noun runs found in the gazetteer."""
    covered = {t for m in taken for t in range(m.start, m.end)}
    text = doc.text
    prose_cache: dict[int, bool] = {}

    found: list[Mention] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if tok.idx in covered or tok.ent_type_ or tok.tag_ != "NNP" or not tok.text[:1].isupper() \
                or tok.is_sent_start or not _in_prose(text, tok.idx, prose_cache):
            i += 1
            continue
        matched = False
        for size in (3, 2, 1):
            span = doc[i:i + size]
            if len(span) < size or any(t.tag_ != "NNP" or t.ent_type_ for t in span):
                continue
            places = [p for p in gaz.lookup(span.text) if p.primary]
            if places and len(span.text) >= 5 and (
                    size > 1 or any(p.kind == "region" or p.population >= 150_000 for p in places)):
                found.append(Mention("GPE", span.text, span.start_char, span.end_char))
                i += size
                matched = True
                break
        if not matched:
            i += 1
    return found


def _written_lower(text: str, word: str) -> bool:
    """Whether the article also writes ``word`` in lower case, as a word of its own: a common
    word, capitalised where it opens a sentence, not a name."""
    return re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", text) is not None


def extract_entities(doc: Doc, text: str, authors: Iterable[str] = (),
                     gaz: Gazetteer | None = None, skip: list[tuple[int, int]] | None = None,
                     is_word: Callable[[str], bool] | None = None) -> Entities:
    """All four entity fields for one article; ``text`` is the (case-normalised) text the doc was made from."""
    gaz = gaz or gazetteer()
    orgs_known = known_orgs()
    definitions = acronym_definitions(text)
    long_forms = {fold(v): k for k, v in definitions.items()}
    author_keys = {fold(a) for a in authors}

    person_mentions: list[str] = []
    org_mentions: list[str] = []
    place_mentions: list[str] = []
    demonym_codes: list[str] = []

    def add_place(raw: str) -> None:
        for part in _split_compound(raw, gaz):
            cleaned = clean_place(part)
            if not cleaned:
                continue
            if gaz.demonym(cleaned) and not gaz.country(cleaned):
                demonym_codes.append(gaz.demonym(cleaned))
                continue
            place_mentions.append(cleaned)

    def org_name(raw: str) -> str | None:
        cleaned = clean_org(raw)
        if cleaned is None:
            return None
        # "X's Y": a place's organisation is Y ('Pakistan's Foreign Office'); a known body's part is X.
        owner, sep, owned = cleaned.partition("’s ") if "’s " in cleaned else cleaned.partition("'s ")
        if sep:
            if gaz.country(owner) or gaz.lookup(owner):
                cleaned = owned
            elif fold(owner) in orgs_known or owner in definitions.values():
                cleaned = owner
        words = cleaned.split()
        if len(words) > 1 and words[-1].lower() in EVENT_WORDS:
            head = " ".join(words[:-1])
            if fold(head) in orgs_known or head in definitions or head in definitions.values():
                cleaned = head
            else:
                return None  # an event, not an organisation
        if len(words) > 1 and fold(words[0]) in orgs_known and all(
                w.lower() in {"news", "agency", "secretariat", "group", "inc", "ltd", "corp"} for w in words[1:]):
            cleaned = words[0]
        key = fold(cleaned)
        if cleaned in definitions:
            return definitions[cleaned]
        if key in orgs_known:
            known = orgs_known[key]
            return definitions.get(known.acronym, known.name)
        # 'TASS News Agency', 'Pakistan's Foreign Office' keep their own wording.
        return cleaned

    mentions = repair_mentions(doc, skip or [], gaz, is_word)
    mentions += scan_places(doc, gaz, mentions)
    mentions += scan_orgs(doc, mentions)
    mentions = vote_labels(mentions)
    for ent in mentions:
        label = ent.label
        raw = ent.text
        if label in ORG_LABELS and INITIAL_NAME_RE.match(raw) \
                and raw.split()[-1].lower() not in ORG_HEADS | {"corp", "inc", "ltd", "plc", "co", "group"}:
            label = "PERSON"  # 'B. Young', 'H McCulloch': an initial and a surname name a person
        if label in PERSON_LABELS:
            name = clean_person(raw)
            if name is None:
                continue
            key = fold(name)
            if gaz.is_well_known_place(name) and len(name.split()) <= 2:
                add_place(name)
                continue
            if key in orgs_known and (name.isupper() or len(name.split()) > 1):
                org_mentions.append(orgs_known[key].name)
                continue
            if key in author_keys and (ent.start < 200 or ent.start > len(text) - 200):
                continue  # a byline or sign-off, not a person the article is about
            if gaz.demonym(name) and len(name.split()) == 1:
                demonym_codes.append(gaz.demonym(name))
                continue
            if " " not in name and is_word is not None and is_word(name.lower()) and _written_lower(text, name):
                continue  # "Sure", "We": a word opening a sentence, written in lower case elsewhere
            person_mentions.append(name)
        elif label in ORG_LABELS:
            cleaned = clean_org(raw)
            if cleaned and len(_split_compound(cleaned, gaz)) > 1:
                add_place(cleaned)
                continue
            if cleaned and gaz.country(cleaned):
                add_place(cleaned)
                continue
            if cleaned and gaz.demonym(cleaned):
                demonym_codes.append(gaz.demonym(cleaned))
                continue
            name = org_name(raw)
            if name:
                org_mentions.append(name)
        elif label in LOC_LABELS:
            cleaned = clean_place(raw)
            if cleaned and fold(cleaned) in orgs_known and cleaned.isupper():
                org_mentions.append(orgs_known[fold(cleaned)].name)
                continue
            add_place(raw)
        elif label == "NORP":
            code = gaz.demonym(raw) or gaz.demonym(raw.split()[-1])
            if code:
                demonym_codes.append(code)

    # Organisations the model missed: acronyms and names from the shipped list, and defined acronyms.
    for m in _known_org_regex().finditer(text):
        org = orgs_known[fold(m.group(0))]
        org_mentions.append(definitions.get(org.acronym, org.name))
    for short, long in definitions.items():
        if fold(long) in orgs_known:
            continue
        if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
            org_mentions.append(long)

    # Canonical organisations: a defined/known long form stands for its acronym.
    org_canonical: list[str] = []
    for name in org_mentions:
        key = fold(name)
        if key in long_forms or name in definitions.values():
            org_canonical.append(name)
            continue
        if name in definitions:
            org_canonical.append(definitions[name])
            continue
        org_canonical.append(name)
    org_counts = Counter(org_canonical)
    person_keys = {fold(p) for p in person_mentions}
    place_keys = {fold(p) for p in place_mentions}
    organizations = [o for o in dict.fromkeys(org_canonical)
                     if fold(o) not in person_keys and fold(o) not in place_keys]
    organizations = _merge_near_duplicates(organizations, org_counts)
    organizations = _dedupe_org_variants(organizations)

    # A surname the model took for a place or organisation ('Sehgal said') belongs to the person it names.
    person_tokens = [set(fold(p).split()) for p in person_mentions if len(p.split()) > 1]
    kept_places = []
    for place in place_mentions:
        toks = set(fold(place).split())
        if not gaz.country(place) and not gaz.lookup(place) and any(toks <= pt for pt in person_tokens):
            person_mentions.append(place)
        else:
            kept_places.append(place)
    place_mentions = kept_places
    kept_orgs = []
    for org in organizations:
        toks = set(fold(org).split())
        if fold(org) not in orgs_known and org not in definitions.values() \
                and any(toks <= pt for pt in person_tokens):
            person_mentions.append(org)
        else:
            kept_orgs.append(org)
    organizations = kept_orgs

    # People: fullest name for every mention; drop names that are really organisations.
    org_keys = {fold(o) for o in organizations}
    person_mentions = [p for p in person_mentions if fold(p) not in org_keys]
    canonical = _person_canonical(person_mentions)
    people = list(dict.fromkeys(canonical[p] for p in person_mentions))
    people = _dedupe_subsumed(people)

    # Locations: country names canonical, others as written; deduplicated.
    locations: list[str] = []
    codes: list[str] = []
    for place in place_mentions:
        code = gaz.country(place)
        locations.append(gaz.canonical_country(code) if code else place)
    locations = _merge_near_duplicates(list(dict.fromkeys(locations)), Counter(locations))
    locations = [loc for loc in locations if fold(loc) not in org_keys and fold(loc) not in {fold(p) for p in people}]

    explicit = [gaz.country(loc) for loc in locations]
    context = [c for c in explicit if c] + demonym_codes
    for loc, code in zip(locations, explicit, strict=True):
        codes.append(code or gaz.resolve(loc, context) or "")
    codes.extend(demonym_codes)
    countries = list(dict.fromkeys(c for c in codes if c))
    return Entities(people=people, organizations=organizations, locations=locations, countries=countries)


def _dedupe_org_variants(orgs: list[str]) -> list[str]:
    """'Foreign Office' and "Pakistan's Foreign Office": keep the shorter canonical when one contains the other."""
    out: list[str] = []
    keys = [fold(o) for o in orgs]
    for i, org in enumerate(orgs):
        k = keys[i]
        if any(j != i and keys[j] != k and (k.endswith(" " + keys[j]) and len(k.split()) <= len(keys[j].split()) + 1)
               for j in range(len(orgs))):
            continue
        out.append(org)
    return out
