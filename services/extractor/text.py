"""Small string helpers shared by the extractor modules: folding, keys, title stripping."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import pairwise

from spacy.lang.en.stop_words import STOP_WORDS

# Honorifics and offices that precede names in news copy; stripped from people's names.
TITLE_WORDS = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "sheikh", "shaikh",
    "pm", "president", "premier", "prime", "minister", "deputy", "foreign", "general", "gen", "lt", "col",
    "colonel", "major", "maj", "capt", "captain", "admiral", "adm", "brig", "brigadier", "marshal", "field",
    "chief", "justice", "judge", "senator", "sen", "rep", "representative", "governor", "gov", "mayor",
    "ambassador", "amb", "envoy", "secretary", "special", "spokesperson", "spokesman", "spokeswoman",
    "king", "queen", "prince", "princess", "emperor", "pope", "father", "rev", "reverend", "imam", "mufti",
    "maulana", "hazrat", "syed", "chairman", "chairwoman", "chair", "ceo", "speaker", "mp", "mna", "mpa",
    "state", "vice", "chancellor", "defence", "defense", "finance", "interior", "commerce", "advisor",
    "adviser", "counsellor", "counselor", "officer", "commander", "army", "coach", "striker", "goalkeeper",
    "dy", "amir", "emir", "crown", "his", "her", "excellency", "honourable", "hon", "lieutenant", "sergeant",
    "sgt", "cpl", "corporal", "inspector", "superintendent", "detective", "mr.", "dr.", "st",
}

# Name particles that are part of a surname, not titles.
PARTICLES = {"van", "von", "de", "da", "del", "der", "di", "du", "la", "le", "al", "el", "bin", "ibn", "ben"}

_PLACE_NOISE = {"republic", "of", "the", "province", "region", "state", "krai", "kray", "oblast", "oblast'",
                "governorate", "prefecture", "district", "division", "territory", "county", "respublika",
                "autonomous", "okrug", "avtonomnyy"}

_PUNCT = re.compile(r"[^\w\s-]")


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used for comparing names."""
    text = strip_accents(text).replace("’", "'").casefold()
    text = re.sub(r"'s\b", "", text)
    text = _PUNCT.sub(" ", text)
    return " ".join(text.replace("-", " ").split())


def place_key(name: str) -> str:
    """Key that unifies spellings of a place: 'Republic of Tatarstan' ~ 'Tatarstan, Respublika'."""
    tokens = [t for t in fold(name).split() if t not in _PLACE_NOISE]
    tokens = [re.sub(r"(sk|ck|tsk)iy$", r"\1y", t) for t in tokens]
    return " ".join(tokens)


def tokens(text: str) -> list[str]:
    return fold(text).split()


_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’-]{1,}\b")
_LETTERS = re.compile(r"[A-Za-z]")


_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
             ("er", ""), ("est", ""))


def dictionary_word(word: str, lexicon: frozenset[str] | set[str]) -> bool:
    """Whether a lowercase word is an English word: in ``lexicon`` (lemmas), a stop word, or an
    inflection of a lemma ('standings' -> 'standing', 'played' -> 'play')."""
    if word in lexicon or word in STOP_WORDS:
        return True
    return any(word.endswith(suf) and len(word) > len(suf) + 1 and word[: -len(suf)] + rep in lexicon
               for suf, rep in _SUFFIXES)


def _title(word: str) -> str:
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))


def normalize_case(text: str, keep: set[str] | frozenset[str] = frozenset(),
                   is_name: Callable[[str], bool] | None = None,
                   is_word: Callable[[str], bool] | None = None) -> str:
    """Re-case shouted words so the model can read them, keeping every character offset.

    News copy shouts datelines ('ISLAMABAD:'), lead-ins ('RUSSIAN Deputy Prime Minister') and whole
    headlines; the model reads those as acronyms or, title-cased, as one long name. In a normal line a
    shouted first word or one before a colon is title-cased. A shouted line is sentence-cased, except
    words ``is_name`` knows (countries, cities, demonyms), which are title-cased, and words in ``keep``
    (known acronyms), which stay as they are. With ``is_word`` (an English dictionary), a shouted word
    that is neither a known name nor an English word is a proper noun: kept as an acronym when short or
    nearly vowel-less ('NBA', 'ICFTU'), else title-cased ('CUTTITTA' -> 'Cuttitta').
    """
    out: list[str] = []
    for line in text.split("\n"):
        letters = _LETTERS.findall(line)
        upper = sum(1 for ch in letters if ch.isupper())
        shouting = len(letters) >= 12 and upper / len(letters) > 0.7

        named: set[int] = set()  # start offsets of words inside a known multi-word name ('NEW ORLEANS')
        if shouting and is_name is not None:
            words = list(_CAPS_WORD.finditer(line))
            for i in range(len(words)):
                for size in (3, 2):
                    group = words[i:i + size]
                    if len(group) == size and all(
                            line[a.end():b.start()] == " " for a, b in pairwise(group)):
                        phrase = " ".join(_title(w.group(0)) for w in group)
                        if is_name(phrase):
                            named.update(w.start() for w in group)
                            break

        def fix(m: re.Match[str], shouting: bool = shouting, line: str = line, named: set[int] = named) -> str:
            word = m.group(0)
            if word in keep or not word.isascii():
                return word
            at_start = not line[: m.start()].strip(" -\"'“‘")
            titled = _title(word)
            if shouting:
                if is_word is not None and word.isalpha() and m.start() not in named \
                        and not (is_name is not None and is_name(titled)) and not is_word(word.lower()):
                    # Not an English word: an acronym ('NBA BASKETBALL - STANDINGS') or a name.
                    vowels = sum(1 for ch in word if ch in "AEIOUY")
                    return word if len(word) <= 4 or vowels <= 1 else titled
                if at_start or m.start() in named or (is_name is not None and is_name(titled)):
                    return titled
                return word.lower()
            if len(word) >= 4 and (line[m.end(): m.end() + 1] == ":" or (at_start and (
                    word.lower() in STOP_WORDS or (is_name is not None and is_name(titled))))):
                return titled  # 'ISLAMABAD:', 'RUSSIAN Deputy...', 'WHILE political...'; not 'NATO said'
            return word

        out.append(_CAPS_WORD.sub(fix, line))
    return "\n".join(out)
