"""Scraped text -> the article's paragraphs, by a line classifier and a densest-region search.

Each line gets a score from general cues only: its length, whether it ends like a sentence,
its stopword density, how headline-like it is (short, no final punctuation, Title Case), how
many sentences it holds, and whether it says what boilerplate says (share and comment forms,
copyright, "read more"). Lines that repeat elsewhere (a sidebar shows a headline twice) and
runs of headline-like lines (menus, related links, sidebars) are pushed down. The article is
then the contiguous region with the greatest total score (max-subarray), never crossing a
trailer such as "Published in ..." or a copyright line; inside it, captions, bylines and
inline related links are dropped, subheadings kept. Everything is linear in the text length.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter

from services.cleaner.cues import (
    DATE_PREFIX,
    DATELINE,
    JOB_TITLES,
    ROLE_END,
    UPDATED_ONLY,
    Cues,
    byline_names,
    header_date,
    is_name,
    names_in,
    names_line,
    names_only,
    opens_with_by,
    read_line,
    updated_only,
    without_asides,
)
from services.cleaner.dates import DATE_RE, parse_date
from services.cleaner.headline import current_model
from services.cleaner.localdate import DATE_LINE_WORDS, is_local_date_line
from services.cleaner.metadata import strip_media_tag
from services.cleaner.segment import (
    count_line_words,
    count_sentences,
    count_words,
    has_spaceless,
    has_stopless,
    is_sentence_stop,
)
from services.cleaner.segment import words as segment_words

# Words every English sentence is built with; a line of prose has 30-50% of them, a headline,
# a menu or a list of names far fewer. Used only when the text is English-like overall.
STOPWORDS = frozenset(
    """a about after against all also an and any are as at be because been before being between
    both but by can could did do does during each for from had has have he her here him his how
    i if in into is it its just may me more most my no not now of on once only or other our out
    over said says she should so some such than that the their them then there these they this
    those through to under until up very was we were what when where which while who whom why
    will with would you your""".split()  # noqa: SIM905
)

# What page furniture says in any template: comment and share widgets, subscription prompts,
# navigation and legal lines. Matched against the whole of a short line, or its start.
_BOILER_START = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|write a comment|\d+\s+comments?\b|"
    r"comments?\s*(?:\(\d+\))?$|view comments|show comments|load(?:ing)? comments|join the conversation|"
    r"your email address will not be published|required fields are marked|cancel reply|"
    r"notify me of|save my name|"
    r"share(?: this| on| via| article| the story)?\b|click to (?:share|print|email)|tweet\b|"
    r"like this:|related(?: articles| posts| stories| news| content| topics|:)|"
    r"read (?:more|also|next)\b|also read\b|see also\b|recommended\b|most (?:read|popular|viewed)\b|"
    r"more (?:from|stories|news|must-reads|on this)\b|you (?:may|might) (?:also )?like|don'?t miss|trending\b|"
    r"advertisement\b|sponsored\b|ad feedback|story continues below|continue reading|skip to\b|"
    r"subscribe\b|sign up\b|(?:please )?(?:log|sign) ?in to\b|"
    r"newsletter\b|follow us\b|get the latest|download (?:the|our) app|save (?:article|story|for later)$|"
    r"follow\b[^.]{0,40}\bon (?:twitter|x|instagram|facebook|threads|tiktok|linkedin|bluesky)\b|"
    r"all rights reserved|terms (?:of|and) (?:use|service|conditions)|privacy (?:policy|notice)|"
    r"cookie|we use cookies|accept (?:all )?cookies|this (?:site|website) uses cookies|"
    r"posted in\b|filed under\b|tags?:|categories:|topics:|previous (?:post|article)|next (?:post|article)|"
    # a share button's network, alone or with one word ("Facebook", "Twitter icon"): "Facebook
    # offers explanation for ..." is another story's headline
    r"back to top|print\b|email\b|(?:whatsapp|facebook|twitter|linkedin|reddit|telegram)\b(?=(?:\s+\S+)?\s*$)|"
    r"(?:%d|\d+) bloggers like this|be the first to|loading\.\.\.|\(end\)$|editing by\b|reporting by\b|"
    # a media element's fallback text, a call to follow a link, a share widget's label
    r"your browser does not support\b|click here to (?:read|see|view|watch|listen)\b|social sharing\b|"
    # an embedded post's fallback text, a trial button, the ad-choices link
    r"view (?:this|the|full) post on\b|a post shared by\b|"
    r"start (?:your |a )?free trial\b|ad ?choices\b|"
    # a picture's or a chart's credit on a line of its own
    r"courtesy(?: of)? [^,.;:]{1,40}\.?$|(?:getty(?: images)?|shutterstock)$|source: [^.]{1,60}\.?$)",
    re.I,
)
# "Opinions expressed by Daily contributors are their own": a contributors' disclaimer
CONTRIBUTOR_DISCLAIMER = r"opinions expressed by .{1,60} are (?:their|his|her|the author'?s?) own"
_BOILER_ANY = re.compile(
    r"bloggers like this|all rights reserved|your email address will not be published|"
    r"required fields are marked|by clicking|you agree to (?:our|the)|cookie policy|"
    r"sign up for (?:our|the)|subscribe to (?:our|the)|the opinions expressed|"
    r"is the opinion of|comments are moderated|not (?:be )?(?:published|shared)\b.*email|"
    r"property of their respective owners|(?:are|is a) (?:registered )?trademarks? of|"
    + CONTRIBUTOR_DISCLAIMER + "|"
    r"privacy policy.{1,80}terms of (?:service|use)|terms of (?:service|use).{1,80}privacy policy",
    re.I,
)
# Cheap substring test before the pattern above: nearly every line contains none of these.
_BOILER_KEYS = ("blogger", "rights reserved", "email", "required fields", "by clicking", "you agree",
                "cookie", "sign up", "subscribe", "opinion", "moderated", "respective owners", "trademark",
                "privacy policy")
# The same test as one pattern (a literal alternation: "contains any of the keys"), one pass.
_HAS_BOILER_KEY = re.compile("|".join(map(re.escape, _BOILER_KEYS)))


def _boiler_anywhere(low: str, text: str) -> bool:
    """``low`` is ``text`` lower-cased (computed once per line by the caller)."""
    return _HAS_BOILER_KEY.search(low) is not None and _BOILER_ANY.search(text) is not None


# The author's box: "<Name> is a senior editor at ...", "<Name>, CLC is a certified ... journalist",
# "<Name> is <Outlet>'s Editor-in-Chief": a person introduced by what they do for a living.
_BIO = re.compile(
    r"^(?:[A-Z][\w'’.-]+,?\s+){0,4}[A-Z][\w'’.-]+,?\s+(?:[A-Z]{2,5}\s+)?(?:is|was|has been)\s+"
    r"(?i:(?:a|an|the|\S+['’]s)\b.{0,100}?\b(?:" + "|".join(JOB_TITLES) + r")s?\b)"
    # "<Name> covers faith and science for the Daily", "<Name> currently works for the Agency on ..."
    r"|^[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}\s+(?:covers\s[^.]{2,80}\bfor\s+(?:the\s+)?[A-Z]"
    r"|(?:currently\s+)?works\s+(?:for|at)\s+(?:the\s+)?[A-Z])"
    # "As a senior security analyst, I report on ...": the author's box in the first person
    r"|^As (?:an?|the) [^,]{0,60}\b(?:" + "|".join(JOB_TITLES) + r")s?,\s+I\b"
)
BIO_MAX_WORDS = 160
# "<Name> covers ...", "<Name> is a senior ... specialist": a person introduced by a line of
# their own, as an author's box does
_PERSON_INTRO = re.compile(
    r"^[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}\s+(?:is an?|covers|writes|reports)\b"
)
_BIO_VERBS = (" is ", " was ", " has been ", " covers ", " works ", "As a", "As the")


def _is_bio(text: str) -> bool:
    head = text[:80]
    return (
        len(text.split()) <= BIO_MAX_WORDS and any(map(head.__contains__, _BIO_VERBS)) and _BIO.match(text) is not None
    )


BIO_EDGE = 3
# the author's box going on about the same person: "She is also a blogger who ...", "He previously
# covered ..."
_BIO_GOES_ON = re.compile(
    r"^(?:She|He|They)\s+(?:is|was|has|had|also|currently|previously|lives|holds|writes|covers|joined|graduated)\b")


def trim_bios(paragraphs: list[str]) -> list[str]:
    """Without the author's box: a biography among the last three paragraphs ends the article
    (what follows it is furniture too), one among the first three before the first paragraph of
    prose goes. In
    the middle of the article, "X is the author of ..." is what the story says and stays."""
    if not paragraphs:
        return paragraphs
    for k in range(max(1, len(paragraphs) - BIO_EDGE), len(paragraphs)):
        if _is_bio(paragraphs[k]):
            paragraphs = paragraphs[:k]
            break
    head: list[int] = []
    for k in range(min(BIO_EDGE, len(paragraphs) - 1)):
        if _is_bio(paragraphs[k]) or (head and head[-1] == k - 1 and _BIO_GOES_ON.match(paragraphs[k])):
            head.append(k)
        elif len(paragraphs[k].split()) >= PROSE_MIN_WORDS:
            break  # the article has begun
    return [p for k, p in enumerate(paragraphs) if k not in head]


SIGNATURE_ROLE_WORDS = 5
_SIGNATURE_MARK = re.compile(r"^(?:[—–-]+\s*|[Bb]y\s+)")


def _signs(text: str, authors: set[str]) -> bool:
    return _SIGNATURE_MARK.sub("", text).strip().casefold() in authors


def _role_line(text: str) -> bool:
    words = text.split()
    return len(words) <= SIGNATURE_ROLE_WORDS and all(w[:1].isupper() or w in ("and", "of", "&") for w in words) \
        and ROLE_END.search(text) is not None


def without_signature(paragraphs: list[str], authors: list[str]) -> list[str]:
    """Without the author's signature under the article: the byline's name printed again as the
    last line ("Jane Doe", "— Jane Doe"), maybe with the job title below it ("Senior Editor").
    It names who wrote the story, which the authors field holds; it is not the story."""
    names = {a.casefold() for a in authors}
    if not names:
        return paragraphs
    if len(paragraphs) >= 3 and _role_line(paragraphs[-1]) and _signs(paragraphs[-2], names):
        return paragraphs[:-2]
    if len(paragraphs) >= 2 and _signs(paragraphs[-1], names):
        return paragraphs[:-1]
    return paragraphs


# A line ends like a sentence: final punctuation, maybe closed by quotes or brackets, or
# followed by an agency tag in parentheses ("... on Friday. (Reuters)").
_CLOSERS = "\"'”’)]」』»"
_TERMINAL_TAG = re.compile(r"""[.!?]["'”’)\]]*\s*\(\w[^)]{0,40}\)$""")


def is_terminal(text: str) -> bool:
    """Whether a line ends like a sentence (a string test; the pattern only for a final ")")."""
    last = text.rstrip(_CLOSERS)[-1:]
    if last in (".", "!", "?", "…") or (last > "\x7f" and is_sentence_stop(last)):
        return True
    return text.endswith(")") and _TERMINAL_TAG.search(text) is not None


_LINK_KEYS = ("://", "www.", "@", ".com", ".org", ".net")
_HAS_LINK_KEY = re.compile("|".join(map(re.escape, _LINK_KEYS)))
_SENTENCE_END = re.compile(r"""[.!?]["'”’)]?\s+["'“‘(]?[A-Z0-9]""")
_TEASER_ENDS = ("...", "…")
_LINKISH = re.compile(r"https?://|www\.|@\w+\.\w|\.(?:com|org|net)\b", re.I)
_READ_MORE = re.compile(r"^(?:read more|also read|read also|related|see also|watch|listen|also|more)\s*[:|>»-]", re.I)
# A call to follow a link, whose words "here" was the link: "Get the full recipe here.", "Listen to
# the single here." (an HTML page's link lines go for the same reason)
_LINK_CALL = re.compile(
    r"^(?:get|read|watch|listen to|see|find|shop|buy|download|check out)\b[^.!?,;]{0,100}\bhere[.!]?$", re.I)
LINK_CALL_MAX_WORDS = 20
# ... or one that names the story it links to: "For more, read How to Speed Up Your Computer."
_FOR_MORE_CALL = re.compile(
    r"^[Ff]or more(?: (?!than\b)[\w’' ]{0,40})?, (?:read|see|check out|visit|go to|head to) [\"“‘]?[A-Z]")
# ... or one set in brackets between paragraphs, its link on the words: "(Here's what to know
# about the solstice.)", "(Learn more about how to visit the site.)"
_BRACKETED_LINK_CALL = re.compile(
    r"^\((?:here['’]s|learn (?:more|how|why|what)|read (?:more|how|why|what|about)|find out"
    r"|see (?:also|more|how|why|what)|related)\b[^()]{0,150}\)$", re.I)
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.U)

_FIRST = itemgetter(0)
HARD_KINDS = frozenset({"trailer", "copyright"})
RUN_FACTOR_MAX = 3.0
RUN_FACTOR_STEP = 3.0
STOPLESS_PROSE_WORDS = 15


@dataclass(slots=True)
class Line:
    """One line of the scraped text and what the classifier made of it."""

    text: str
    index: int
    words: int
    kind: str | None = None  # cue kind from services.cleaner.cues, or 'boiler'
    score: float = 0.0
    headline_like: bool = False
    terminal: bool = False
    repeated: bool = False  # printed again elsewhere in the text (score lowered for it)
    cues: Cues | None = None


@dataclass
class TextResult:
    """The article paragraphs found in a scraped text, with what its boilerplate said."""

    paragraphs: list[str]
    cues: Cues = field(default_factory=Cues)
    title: str | None = None


# "by Jane Doe - 12/22/23", "by University of Oslo": a byline set in lower case under its
# headline, not the headline's wrapped continuation
_LOWER_BYLINE = re.compile(r"by\s+[A-Z][\w.'’-]+\s+(?:(?:of|for|and|the|de|van|von)\s+)?[A-Z]|by\s*:?$")


# A headline run into its date line by a scraper that joins inline elements: "<headline>
# posted on 2023-12-19 23:30 EST by Jane Doe", "<headline> by Jane Doe, Dec 19th 2023" (no final
# stop: a sentence saying that something was posted on a day ends with one)
_GLUED_POSTED = re.compile(
    r"^(?P<head>\S.{14,}?)\s+(?P<tail>(?:[Pp]osted|[Pp]ublished)(?:\s+on)?\s+\S.{4,40}?(?:\s+by\s+[A-Z][^.]{2,60})?"
    r"|by\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3},\s+\S.{4,30})$"
)


# A gallery's slide counter run into the slide's title: "01/7Jane Doe and John Roe"
_GLUED_COUNTER = re.compile(r"^(?P<head>\d{1,3}/\d{1,3})(?P<tail>[A-Z].*)$")


def split_glued(lines: list[str]) -> list[str]:
    """Split what a scraper that joins inline elements ran together, so that each part is read
    as what it is: a headline and the "posted on <date> by <name>" line glued onto its end, a
    slide counter and the slide's title."""
    out: list[str] = []
    for line in lines:
        # string tests before the pattern: a sentence (final stop) is never split, and most lines
        # hold none of the keys
        match = _GLUED_POSTED.match(line) if not line.endswith(".") and (
            "osted" in line or "ublished" in line or " by " in line) else None
        if match and header_date(match["tail"]) is not None:
            out.extend((match["head"], match["tail"]))
            continue
        match = _GLUED_COUNTER.match(line) if line[:1].isdigit() else None
        out.extend((match["head"], match["tail"]) if match else (line,))
    return out


def unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines: a line without final punctuation followed, with no blank line,
    by one that starts in lower case (or after a closing article, in any case) continues the same
    sentence (not a lone lower-case word: a player's or a form's label, "play", "report"), also
    across an inline chip
    (a ticker symbol) set on a line of its own; a "By" alone on its line opens the byline below."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip().rstrip(":").rstrip() in ("By", "by", "BY") and line[:1].isupper():
            out[-1] = f"{out[-1].strip()} {line}"  # "By" set apart from the name by a scraper
            continue
        if (
            out
            and out[-1]
            and line
            and (line[0].islower() or line[0] in ",;)" or out[-1][-4:].lower().endswith(_ARTICLE_ENDS))
            and not is_terminal(out[-1])
            and len(out[-1]) >= 30
            and not _LOWER_BYLINE.match(line)
            and not (line.isalpha() and line.islower())
        ):
            out[-1] = f"{out[-1]} {line}"
        elif (
            (line[:1].islower() or line[:1].isdigit())
            and len(out) >= 2
            and " " in line
            and _CHIP.fullmatch(out[-1])
            and out[-2]
            and not is_terminal(out[-2])
            and len(out[-2]) >= 30
            and header_date(line) is None
        ):
            # an inline chip (a ticker symbol, a tag) that a scraper set on a line of its own;
            # not an agency's name over a date line ("AFP", "30 April 2015 at 07:19"): a credit
            chip = out.pop()
            out[-1] = f"{out[-1]} {chip} {line}"
        else:
            out.append(line)
    return out


# a line that ends with an article ("... for tablets like the") runs on into the next line, whatever
# its case: a link on a name ("Apple iPad, a move that ...") that a scraper set on a line of its own
_ARTICLE_ENDS = (" the", " a", " an")
# one token of capitals, digits and symbol punctuation, with a letter: "SPX", "XX:SP500.55"
_CHIP = re.compile(r"(?=[^A-Z]*[A-Z])[A-Z0-9][A-Z0-9:.\-]{1,23}")


# A cookie-consent dialog: cookies spoken of with the browser, opting out, consent or third
# parties, in the site's own voice ("we use", "our website"). Matched from the line's start
# only (the lookaheads read the whole line): tried at every position, a long line of script
# text would take seconds.
_CONSENT = re.compile(
    r"(?=.*\b(?:we|our|us)\b)"
    r"(?=.*\b(?:browser|opt[- ]out|consent|third[- ]part(?:y|ies)|personal (?:data|information))\b)"
    r".*\bcookies?\b"
)


# The site speaking of itself to its reader, in any template. Its policies may fill a long
# paragraph: an affiliate disclosure ("we may earn a commission"), its editorial policy ("Read
# our editorial process"), a request to allow cookies for a player. Its prompts are shorter: a
# newsletter or notification sign-up ("delivered to your inbox"), a subscription offer ("Start
# your Premium subscription today"), an ad-blocker notice, an account or comment prompt, an
# icon's description read out as text ("An icon in the shape of ...").
_SITE_POLICY = re.compile(
    r"\bby using (?:this|our) (?:site|website|service)s?,? you (?:consent|agree)\b"
    r"|\b(?:our|[\w.]+['’]s)\s+editorial\s+(?:process|polic(?:y|ies)|standards|guidelines)\b"
    r"|\b(?:our|[\w.]+['’]s) editorial team\b|\beditorially independent\b"
    r"|\bethics (?:statement|policy)\b|\bfact[- ]checking process\b"
    # the site's legal lines: "Use of this site constitutes acceptance of our User Agreement",
    # "The material on this site may not be reproduced ...", "Community Rules apply to ..."
    r"|\bconstitutes (?:your )?acceptance of\b|\bmay not be reproduced\b|\bcommunity (?:rules|guidelines) apply\b"
)
# ... and with cookies: a player that asks for them
_COOKIE_ASK = re.compile(r"\b(?:enable|allow|permission|preferences|consented)\b|\bmay be using cookies\b")
# The affiliate disclosure in a line of its own ("We may earn a commission from links on this
# page."); set in a longer paragraph of the article ("Just a heads up: ... we may earn a small
# commission"), many pages count it as the article's.
_AFFILIATE_NOTE = re.compile(
    r"\b(?:may|might|could|will)\s+(?:also\s+)?(?:earn|get|receive|make)\b[^.]{0,40}"
    r"\b(?:commissions?|compensation|money)\b|\baffiliate (?:commissions?|links?|partners?)\b|\breader-supported\b"
)
AFFILIATE_NOTE_MAX_WORDS = 25
# Each prompt's pattern, read only in a line holding its key (one small pattern per key is
# much quicker on long lines of prose than one alternation of them all).
_SITE_PROMPTS = tuple((key, re.compile(pattern)) for key, pattern in (
    ("sign", r"\bsign(?:ing)?[- ]up\b[^.!?]{0,60}\b(?:newsletters?|inbox|notifications|alerts|e-?course|updates)\b"
             r"|\bthanks for signing up\b|\bsign\s*(?:in|into)\s+(?:to\s+)?your\s+[\w\s]{0,30}account\b"
             r"|\bsign up to (?:get|receive) (?:the|our) (?:best|latest)\b"),
    # a sign-up form's consent boxes: "Contact me with news and offers from other brands"
    ("contact me", r"\bcontact me with news\b"),
    ("receive email", r"\breceive emails? from us\b"),
    ("newsletter", r"\bnewsletters?\b[^.!?]{0,60}\b(?:inbox|unsubscribe|sign(?:ing)? up|subscri\w+)\b"),
    ("inbox", r"\b(?:delivered|straight|right|directly)\s+(?:right\s+)?(?:to|in) your inbox\b"),
    ("subscri", r"\bsubscription has been confirmed\b"
                r"|\b(?:start|get|view|manage)\s+(?:your|a|our)?\s*(?:[\w-]+\s+){0,3}subscriptions?\b"
                r"|\bsubscrib(?:e|ing) to\b[^.!?]{0,40}\b(?:and|to)\s+(?:get|stay|enjoy)\b"
                r"|\bnot a subscriber\b|\blimited to subscribers\b|\bsubscribe (?:wherever|now|today|here)\b"),
    ("unlimited", r"\bunlimited access\b"),
    ("settings", r"\bchange your (?:[\w-]+ )?(?:settings|preferences) at any time\b"),
    ("block", r"\bad[- ]?block(?:er|ers|ing)?\b"),
    ("account", r"\blog\s*(?:in|into)\s+(?:to\s+)?your\s+[\w\s]{0,30}account\b"
                r"|\bcreate (?:a |your )?(?:free )?account\b"),
    ("join", r"\bjoin (?:our|the) [\w\s]{0,30}(?:forums?|community)\b"),
    ("moderated", r"\bcomments? (?:on this piece )?(?:are|is) (?:pre)?moderated\b"),
    ("posting", r"\bposting comments\b"),
    ("", r"^(?:an?|the) (?:icon|stylized|curved arrow)\b.{0,60}$"),
))
# The editors' note on the article itself, at its end or its top: where it appeared or will
# appear, how it was edited or produced, a correction, an editor's note.
_ARTICLE_NOTE = re.compile(
    r"^\*?\s*(?:this (?:story|article|interview|piece|post|report|conversation|episode)\s+"
    r"(?:originally|first|will appear|appeared|is part of|(?:has been|was) (?:lightly |slightly )?"
    r"(?:reviewed|edited|condensed|produced|adapted|republished))"
    r"|editor['’]s note\b|(?:an? )?(?:earlier|previous) version of this (?:story|article)"
    r"|you(?:['’]re| are) reading (?:the|an?|this)\b)",
    re.I,
)
ARTICLE_NOTE_MAX_WORDS = 80
# how such a note begins (a quick test before the pattern)
_NOTE_STARTS = ("this ", "editor", "an earlier", "a previous", "earlier", "previous", "you", "*")
# Cheap tests first: a line of the site's own voice holds one of its kind's keys.
# (every policy pattern and the affiliate note hold one of these: "money" for "may receive money")
_POLICY_KEY = re.compile(r"commission|compensation|money|affiliate|reader-|by using|editorial|ethics|"
                         r"fact.check|cookies|acceptance|reproduced|apply")
_PROMPT_KEY = re.compile(r"sign|log ?in|newsletter|inbox|subscri|unlimited|block|account|join|moderated|posting|"
                         r"icon|stylized|curved|contact me|receive email|settings")
SITE_POLICY_MAX_WORDS = 100
SITE_VOICE_LONG = 20
SITE_VOICE_MIN_WORDS = 3  # a shorter line is a menu's word or a button, read by the furniture labels
SITE_PROMPT_MAX_WORDS = 50


def _says_site_policy(low: str, words: int, affiliate_max_words: int = AFFILIATE_NOTE_MAX_WORDS) -> bool:
    """Whether a line (lower-cased) states one of the site's policies: its editorial policy or a
    player's request for cookies in up to 100 words, an affiliate note in up to 25 (or
    ``affiliate_max_words``). The keys are read first: most lines hold none of them."""
    if _POLICY_KEY.search(low) is None:
        return False
    return (words <= SITE_POLICY_MAX_WORDS and (
        _SITE_POLICY.search(low) is not None or ("cookies" in low and _COOKIE_ASK.search(low) is not None)
    )) or (words <= affiliate_max_words and _AFFILIATE_NOTE.search(low) is not None)


def says_site_voice(low: str, words: int) -> bool:
    """Whether a line (lower-cased) is the site speaking of itself: its policies in a paragraph
    of up to 100 words, its prompts in up to 50; each kind's keys are tested first."""
    if not SITE_VOICE_MIN_WORDS <= words <= SITE_POLICY_MAX_WORDS:
        return False
    if _says_site_policy(low, words):
        return True
    return words <= SITE_PROMPT_MAX_WORDS and _PROMPT_KEY.search(low) is not None and any(
        key in low and pattern.search(low) is not None for key, pattern in _SITE_PROMPTS
    )


# Program text a scraper let through with the page's words: a script's statements, a JSON blob,
# markup printed as text, a template's placeholders. No sentence of an article has these shapes.
_PROGRAM = re.compile(
    # a tag: closing, with attributes set, or a bare one of the common elements (not "<name of it>")
    r"</[a-z][a-z0-9]*\s*>|<[a-z][a-z0-9]*(?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))+\s*/?>"
    r"|<(?:a|br|hr|p|div|span|script|style|iframe|img|audio|video|noscript|template)\s*/?>"
    r"|^(?://|/\*)"  # a comment
    r"|\{\s*$|^[\]}]|^\)[\s\])};,]*$"  # a block opens at the line's end or closes at its start
    r"|\bfunction\s*\(|=>|&&|\|\||[!=]==|\b(?:var|const|let)\s+[\w$]+\s*=|\b(?:window|document)\.[\w$]"
    r"|^[a-z_$][\w$]*\s*:\s*(?:\"[^\"]*\"|'[^']*'|[\d.]+|true|false|null|[{\[].*)\s*,?$"  # an object's member
    r"|^[\w$]+(?:\.[\w$]+)+[,;]$"  # a property listed
    r"|^[\w$.]+(?:\[[^\]]*\])?\s*(?:[-+*/|&]?=(?!=)|\()[^;]*;\s*$|^(?:break|continue|return\b.*);$"  # a statement
    r"|[{,]\s*\"[\w$-]+\"\s*:"  # a JSON key
    r"|\{\{[^{}]*\}\}"  # a placeholder
    r"|[\w\])*-]\s*\{\s*-{0,2}[\w-]+\s*:|^@(?:media|font-face|import|keyframes|supports)\b"  # a style sheet's rule
)
# Cheap tests first: program text holds one of these keys, or opens with a closing bracket or an
# object's key (a colon or a bracket alone is prose's too: the pattern above is not tried on it).
_PROGRAM_KEYS = re.compile(r"""[<>{}=;|@\]]|&&|//|/\*|"\s*:""")
_PROGRAM_START = re.compile(r"^(?:\)|[a-z_$][\w$]*\s*:)")


def is_program_text(text: str) -> bool:
    """Whether a line is a program's text, not the page's words (see _PROGRAM)."""
    return (_PROGRAM_KEYS.search(text) is not None or _PROGRAM_START.match(text) is not None) \
        and _PROGRAM.search(text) is not None


def _link_call(text: str, low: str) -> bool:
    """Whether a short line calls the reader to follow a link: "... here.", "(Learn more about
    ...)", "For more, read <Title>." (``low``: the line in lower case). Each form's pattern is
    tried only on lines that end or start as it must."""
    first = text[:1]
    return (
        (low.endswith(("here.", "here", "here!")) and _LINK_CALL.match(text) is not None)
        or (first == "(" and _BRACKETED_LINK_CALL.match(text) is not None)
        or (first in "Ff" and _FOR_MORE_CALL.match(text) is not None)
    )


# The marks of a legal notice: a site's footer that reserves the rights of its data providers
# in one long paragraph ("... © 2016 Data Inc. All Rights Reserved. ... is a registered trademark
# of ...") is no article, however long; one mark alone may be a story's ("a trademark of the
# toy maker").
_LEGAL_MARK = re.compile(
    r"©|all rights reserved|\b(?:registered )?trademarks? of\b|property of their respective owners", re.I)
LEGAL_MARKS = 2


def _legal_notice(text: str, low: str) -> bool:
    """Whether a paragraph holds LEGAL_MARKS legal marks or more (``low``: ``text`` lower-cased)."""
    if "©" not in text and "reserved" not in low and "trademark" not in low and "respective" not in low:
        return False
    return len(_LEGAL_MARK.findall(text)) >= LEGAL_MARKS


def says_furniture(text: str, words: int, terminal: bool | None = None) -> bool:
    """Whether a line says what page furniture says (share and comment widgets, subscription
    prompts, legal lines, "Read more:" and bare links), whatever its shape; a cookie-consent
    dialog's paragraphs; the site's word about itself to its reader (editorial policy, sign-up
    and subscription prompts, an affiliate note on a line of its own) and the editors' note on
    the article, in a paragraph of up to 100 words. ``terminal``: whether the line ends like a
    sentence, when the caller knows it."""
    low = text.lower()
    if ("cookie" in low and _CONSENT.match(low)) or is_program_text(text):
        return True
    # the site's voice is read in sentences and long lines: a short line without a stop is a
    # menu's or a button's, and weighs as furniture whatever it says
    if (words <= SITE_POLICY_MAX_WORDS and (
        words >= SITE_VOICE_LONG or (is_terminal(text) if terminal is None else terminal)
    ) and says_site_voice(low, words)) or (
        words <= ARTICLE_NOTE_MAX_WORDS and low.startswith(_NOTE_STARTS) and _ARTICLE_NOTE.match(text) is not None
    ):
        return True
    if words > 40:
        return _legal_notice(text, low)
    # "Read more: <another story's headline>", "Related: ...", "Watch: ...": a link, however long
    # the headline it names (up to the 40 words above)
    return bool(
        (words <= 12 and _BOILER_START.match(text)) or _boiler_anywhere(low, text) or _READ_MORE.match(text)
        or (words <= LINK_CALL_MAX_WORDS and _link_call(text, low))
        or (words < 15 and _HAS_LINK_KEY.search(low) is not None and _LINKISH.search(text))
    )


def _features(line: Line, english: bool) -> None:
    text = line.text
    n = max(line.words, 1)
    # a long line in a script without sentence stops (Thai) may be prose all the same
    line.terminal = is_terminal(text) or (n >= STOPLESS_PROSE_WORDS and has_stopless(text))
    line.headline_like = (not line.terminal and n <= 25 and not text.endswith((",", ";"))) or (
        # "Star Shares Her Holiday Plans!": a headline with a final mark, set in Title Case
        line.terminal and 4 <= n <= HEADLINE_MAX_WORDS and text.rstrip(_CLOSERS).endswith(("!", "?"))
        and _title_case(text)
    )
    if text.endswith(":") and n >= 8:
        line.headline_like = False  # introduces a quote or a list: part of the prose
    if line.kind is not None:
        line.score = -1.0
        return
    if says_furniture(text, n, line.terminal):
        line.kind = "boiler"
        line.score = -1.0
        return
    if n <= 3 and not line.terminal:
        line.score = -0.9 if text[:1].isupper() else -0.7
        return
    words = _WORD.findall(text)
    score: float
    if line.terminal:
        if n >= 15:
            score = 1.0
        elif n >= 8:
            score = 0.6
        elif n >= 4:
            score = 0.15
        else:
            score = -0.3
        if _SENTENCE_END.search(text) is not None or (  # two sentences or more
            not english and not text.isascii() and count_sentences(text) > 1
        ):
            score += 0.2
        if n < 40 and text.rstrip().endswith(_TEASER_ENDS):
            score = -0.6  # a teaser cut short is a link to another story
        elif line.headline_like:
            score = -0.7  # a Title Case headline with its "!" or "?": another story's link
    else:
        if n >= 40:
            score = 0.6  # a long paragraph that just lacks its final stop
        elif text.endswith(":") and n >= 8:
            score = 0.3
        elif n >= 20:
            score = 0.1
        else:
            score = -0.7
            caps = sum(map(str.isupper, map(_FIRST, words))) / max(len(words), 1)
            if caps > 0.6 and n >= 3:
                score = -0.9
    if english and len(words) >= 6:
        stop = sum(map(STOPWORDS.__contains__, map(str.lower, words))) / len(words)
        if stop < 0.12:
            score -= 0.5
        elif stop >= 0.3:
            score += 0.1
    line.score = score


def _weight(line: Line) -> float:
    """A line's contribution to the region sum: long prose counts by its length, furniture by
    at least a few words so that many short lines outweigh one stray sentence."""
    if line.score >= 0:
        return line.score * line.words
    return line.score * max(line.words, 6)


# A chart, a table of figures or a code listing printed as text: a run of short labels, most of
# them figures ("$915", "billion", "’17", "12.5%") or bits of code ("]", "items: ["). Inside an
# article it is the article's graphic or example, and it weighs as a quarter of its lines, not
# as a block of menus that ends the article.
CHART_MIN_LINES = 6
# (a run of the article's own lines, charts and announced points alike: most of the run, and
# the weight it keeps)
ARTICLE_RUN_SHARE = 0.6
ARTICLE_RUN_FACTOR = 0.25
CHART_LABEL_WORDS = 2


def _chart_label(line: Line) -> bool:
    """A chart's label ("$915", "’17", "12.5 %") or a line of a code listing printed as text ("]",
    "...", "items: ["): up to two words, opening with a figure (or its currency or apostrophe), with
    no letter at all, or with an open bracket last ("Photographer 3/Agency" is a credit)."""
    text = line.text
    return line.words <= CHART_LABEL_WORDS and (
        text[:1].isdigit() or (text[:1] in _FIGURE_OPENERS and text[1:2].isdigit())
        or not any(c.isalpha() for c in text) or text.endswith(("[", "{", "("))
    )


_FIGURE_OPENERS = frozenset("$€£¥’'+-−.")


def _chart_run(lines: list[Line], i: int, j: int) -> bool:
    """Whether lines ``i`` to ``j`` (excluded) are a chart's labels or a code listing's lines."""
    return j - i >= CHART_MIN_LINES and sum(_chart_label(lines[k]) for k in range(i, j)) >= ARTICLE_RUN_SHARE * (j - i)


def _announced_run(lines: list[Line], i: int, j: int) -> bool:
    """Whether lines ``i`` to ``j`` (excluded) are the points a sentence of the article announces
    with a colon right above them ("President Obama also said:" and a point a line, without
    stops): most of them read as sentences in sentence case, not as menu entries."""
    intro = lines[i - 1] if i > 0 else None
    if intro is None or intro.score < 0 or not intro.text.endswith(":") or intro.words < LIST_INTRO_MIN_WORDS:
        return False
    points = sum(lines[k].words >= POINT_MIN_WORDS and not _title_case(lines[k].text) for k in range(i, j))
    return points >= INNER_LIST_MIN_ITEMS and points >= ARTICLE_RUN_SHARE * (j - i)


POINT_MIN_WORDS = 5


def _weights(lines: list[Line]) -> list[float]:
    """Line weights, with runs of furniture made heavier the longer they are (up to 3x): one
    stray short line inside an article costs little, a block of menus or a gallery strip
    between the article and another text separates them."""
    weights = [_weight(line) for line in lines]
    i = 0
    while i < len(lines):
        if weights[i] >= 0:
            i += 1
            continue
        j = i
        while j < len(lines) and weights[j] < 0:
            j += 1
        factor = min(RUN_FACTOR_MAX, 1.0 + (j - i - 1) / RUN_FACTOR_STEP)
        if _chart_run(lines, i, j) or _announced_run(lines, i, j):
            factor = ARTICLE_RUN_FACTOR  # the article's own graphic, listing or points
        for k in range(i, j):
            weights[k] *= factor
        i = j
    return weights


def _best_region(lines: list[Line]) -> tuple[int, int] | None:
    """Max-subarray over the weights, never spanning a hard boundary (trailer, copyright)."""
    best: tuple[float, int, int] | None = None
    run_sum, run_start = 0.0, 0
    weights = _weights(lines)
    for i, line in enumerate(lines):
        if line.kind in HARD_KINDS:
            run_sum, run_start = 0.0, i + 1
            continue
        if run_sum <= 0:
            run_sum, run_start = 0.0, i
        run_sum += weights[i]
        if run_sum > 0 and (best is None or run_sum > best[0]):
            best = (run_sum, run_start, i)
    if best is None:
        return None
    return best[1], best[2]


_QUANTITY_ITEM = re.compile(r"^(?:\d+(?:[./⁄]\d+)?|[½¼¾⅓⅔⅛])\s*(?:[½¼¾⅓⅔⅛]\s*)?[(\w]")
_QUANTITY_FIRST = frozenset("0123456789½¼¾⅓⅔⅛")
ITEM_SCORE = 0.05


def _mark_quantity_items(lines: list[Line]) -> None:
    """Items of a list that opens each line with a quantity ("1 cup flour, sifted", "2 large
    eggs", "1/2 teaspoon salt"): ingredients, parts, measures. Short lines without a final stop,
    they read as a menu one by one; three or more in a row, in sentence case, are the article's
    own list and weigh nothing either way."""
    run: list[int] = []
    for k in range(len(lines) + 1):
        line = lines[k] if k < len(lines) else None
        if (
            line is not None and line.text[:1] in _QUANTITY_FIRST and line.kind is None and not line.terminal
            and line.words <= LIST_ITEM_MAX_WORDS and _QUANTITY_ITEM.match(line.text) is not None
            and not _title_case(line.text)
        ):
            run.append(k)
            continue
        if len(run) >= INNER_LIST_MIN_ITEMS:
            for i in run:
                lines[i].score = ITEM_SCORE
                lines[i].headline_like = False
        run = []


NOTICE_SPAN = 2
NOTICE_SENTENCE_MAX_WORDS = 25


def _mark_notice_sentences(lines: list[Line]) -> None:
    """A sentence between two lines of the site's voice, within two lines each way, belongs to
    the same notice: an ad-blocker or cookie dialog, a sign-up box ("We noticed you're using an
    ad blocker." / "We get it: you like to have control of your own browsing." / "Please turn
    off your ad blocker."). On its own it reads as a sentence of the article."""
    voice: dict[int, bool] = {}  # read only next to a candidate sentence: long texts hold many boiler lines

    def site_voice(i: int) -> bool:
        if i not in voice:
            voice[i] = lines[i].kind == "boiler" and says_site_voice(lines[i].text.lower(), lines[i].words)
        return voice[i]

    for k, line in enumerate(lines):
        if (
            line.kind is None and line.terminal and 4 <= line.words <= NOTICE_SENTENCE_MAX_WORDS
            and any(map(site_voice, range(max(0, k - NOTICE_SPAN), k)))
            and any(map(site_voice, range(k + 1, min(len(lines), k + 1 + NOTICE_SPAN))))
        ):
            line.kind, line.score = "boiler", -1.0


# An icon described for screen readers, read out by a scraper: "An envelope. It indicates the
# ability to send an email.", "A magnifying glass. It indicates, "Click to perform a search"."
_ICON_DESCRIPTION = re.compile(r"^(?:An?|The) [^.]{2,60}\. It (?:indicates|symbolizes|represents)\b")
ICON_DESCRIPTION_MAX_WORDS = 20


def _mark_icon_descriptions(lines: list[Line]) -> None:
    """Icons described for screen readers are furniture when a page prints two or more of them
    (one such sentence alone may be the article's: "A red flag. It indicates danger.")."""
    found = [line for line in lines if line.kind is None and line.words <= ICON_DESCRIPTION_MAX_WORDS
             and line.text[:1] in "AT" and _ICON_DESCRIPTION.match(line.text) is not None]
    if len(found) >= 2:
        for line in found:
            line.kind, line.score = "boiler", -1.0


# A line that opens with a running time ("00:43 ...", "1:02:15 ..."; not a time of day, "8:41 PM"):
# a video's transcript or chapter list prints one per line, three or more in a row
_TIMECODE_LINE = re.compile(r"^(?:\d{1,2}:)?[0-5]\d:[0-5]\d\s+(?![AaPp]\.?[Mm]\b)\S")
TRANSCRIPT_RUN = 3


def _mark_transcript_runs(lines: list[Line]) -> None:
    """A video's transcript (or its chapters) printed as text, a running time opening each line:
    furniture, however much its lines read like sentences."""
    flags = [line.kind is None and line.text[:1].isdigit() and _TIMECODE_LINE.match(line.text) is not None
             for line in lines]
    for run in _runs(flags, TRANSCRIPT_RUN):
        for k in run:
            lines[k].kind, lines[k].score = "boiler", -1.0


def _mark_runs_and_repeats(lines: list[Line]) -> None:
    """Sidebars and menus: a line repeated in the text, or a run of three or more headline-like
    lines, is furniture whatever its words."""
    keys = [line.text.casefold() for line in lines]
    counts = Counter(keys)
    for line, key in zip(lines, keys, strict=True):
        if line.words <= 30 and counts[key] > 1:
            line.score = min(line.score, -1.0)
            line.repeated = True
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].headline_like and lines[j].score < 0:
            j += 1
        # a photo caption under a section heading is no third line of a menu
        if j - i >= 3 and sum(lines[k].kind != "caption" for k in range(i, j)) >= 3:
            for k in range(i, j):
                lines[k].score = min(lines[k].score, -1.2)
        i = max(j, i + 1)


TEASER_RUN = 4
TEASER_MIN_WORDS = 15


def _teaser_like(text: str, words: int, terminal: bool) -> bool:
    """A line of a carousel: 15+ words, not ending like a sentence (nor with a colon or a comma)."""
    return words >= TEASER_MIN_WORDS and not terminal and not text.endswith((":", ",", ";"))


def _runs(flags: list[bool], minimum: int) -> list[range]:
    """The runs of ``minimum`` or more consecutive true flags."""
    out: list[range] = []
    run_start = 0
    for k, flag in enumerate([*flags, False]):
        if not flag:
            if k - run_start >= minimum:
                out.append(range(run_start, k))
            run_start = k + 1
    return out


def _mark_teaser_runs(lines: list[Line]) -> None:
    """A carousel of other stories' long headlines: four or more lines in a row of 15+ words
    each, none ending like a sentence (nor with a colon or a comma). A paragraph ends with its
    stop; a list inside an article has shorter items."""
    flags = [line.kind is None and _teaser_like(line.text, line.words, line.terminal) for line in lines]
    for run in _runs(flags, TEASER_RUN):
        _push_down(lines, run.start, run.stop)


def teaser_runs(texts: list[str], lo: int, hi: int) -> set[int]:
    """The indices in ``texts[lo:hi]`` of a carousel's lines, by _mark_teaser_runs' measure on
    plain strings (the header is read from strings): none of them is this article's headline."""
    flags = []
    for text in texts[lo:hi]:
        n = len(text.split())
        flags.append(_teaser_like(text, n, is_terminal(text) or (n >= STOPLESS_PROSE_WORDS and has_stopless(text))))
    return {lo + k for run in _runs(flags, TEASER_RUN) for k in run}


def _push_down(lines: list[Line], i: int, j: int) -> None:
    for line in lines[i:j]:
        line.score = min(line.score, -1.0)


SUBHEADING_MAX_WORDS = 12
LINKED_HEADLINE_MAX_WORDS = 25


def _link_label(line: Line) -> bool:
    """A short furniture label that introduces a link on the next line ("SEE ALSO:", "Read more:")."""
    return line.kind == "boiler" and line.words <= 4 and line.text.rstrip().endswith(":")
PROSE_MIN_WORDS = 8


def _is_prose(line: Line) -> bool:
    """A paragraph of the article: sentences, not a headline, a caption or furniture."""
    return line.kind is None and line.terminal and line.words >= PROSE_MIN_WORDS and line.score > 0


# A news headline that quotes someone ends with the speaker after a colon ("...: PM Shehbaz",
# "...: minister"): the shape of another story's headline, not of a section heading.
_ATTRIBUTED = re.compile(r":\s+(?:\w[\w.'’-]*\s?){1,3}$")


def _opens_list(line: Line) -> bool:
    """A sentence of the article that ends with a colon: it introduces the list under it ("The
    popular edition includes the following:")."""
    return line.kind is None and line.words >= PROSE_MIN_WORDS and line.score > 0 and line.text.rstrip().endswith(":")


def _is_subheading(lines: list[Line], k: int, start: int, end: int) -> bool:
    """A short headline-like line with an article paragraph right above and right below it,
    inside the article region, heads a section of the article: it stays in the body. Lines of
    sidebars and related lists come in runs, repeat, or sit at the region's edges, and so never
    have prose on both sides; an inline link to another story reads as a full, attributed
    headline."""
    line = lines[k]
    return (
        start < k < end
        and line.kind is None
        and line.headline_like
        and 1 <= line.words <= SUBHEADING_MAX_WORDS
        and line.score > -1.0
        and _is_prose(lines[k - 1])
        and _is_prose(lines[k + 1])
        and _ATTRIBUTED.search(line.text) is None
    )


def _listed_subheadings(lines: list[Line], start: int, end: int) -> set[int]:
    """The article's subheadings that a table of contents prints again: short headline-like lines
    inside the region with a paragraph right above or right below them (a section may open with
    a list), three or more of them copied in one run of lines elsewhere. Printed twice, they read
    as a sidebar's lines; the contents run says they are the article's sections. (A box of other
    stories inside the article touches prose with its first and last lines only.)"""
    heads = {
        lines[k].text: k for k in range(start + 1, end)
        if lines[k].kind is None and lines[k].headline_like and 1 <= lines[k].words <= SUBHEADING_MAX_WORDS
        and (_is_prose(lines[k - 1]) or _is_prose(lines[k + 1]))
    }
    if len(heads) < CONTENTS_MIN_ENTRIES:
        return set()

    def heading_copied(i: int) -> int | None:
        k = heads.get(lines[i].text)
        return k if k != i else None

    return {k for run in contents_runs(range(len(lines)), heading_copied) for _, k in run}


BOXED_HEADING_MIN_WORDS = 3
BOXED_HEADING_MAX_WORDS = 6
BOX_HEADLINE_MIN_WORDS = 8


def _headings_under_boxes(lines: list[Line], start: int, end: int) -> set[int]:
    """A section heading of the article right under a box of other stories' headlines set inside
    it ("Read more" links, then "Use technology to your advantage", then the section's first
    paragraph): a short line (3-6 words) with a paragraph right below it and another story's
    long headline (8+ words) right above. In the box's run it reads as one more headline; its
    shortness and the paragraph under it say it heads the section. A name under a headline (a
    live post's byline) is none."""
    found: set[int] = set()
    for k in range(start + 1, end):
        line, above = lines[k], lines[k - 1]
        if (
            line.kind is None and line.headline_like and line.score <= -1.0
            and BOXED_HEADING_MIN_WORDS <= line.words <= BOXED_HEADING_MAX_WORDS
            and _is_prose(lines[k + 1]) and above.kind is None and above.headline_like
            and above.words >= BOX_HEADLINE_MIN_WORDS
            and not names_only(line.text)
        ):
            found.add(k)
    return found


def _is_title_candidate(line: Line) -> bool:
    return (
        line.kind is None
        and 3 <= line.words <= 30
        and not re.search(r"[.,;:]$", line.text)
        and not DATELINE.match(line.text)
        and not _BOILER_START.match(line.text)
        and not _CREDIT_LINE.search(line.text)
    )


# Every character a "date 2024-11-03" prefix (DATE_PREFIX, case-insensitive) can start with:
# no other character folds to d, l, p or u.
_PREFIX_FIRST = frozenset("DLPUdlpu")


def _build_lines(texts: list[str], cues: Cues) -> list[Line]:
    """Lines with their cue kinds; a leading "date 2024-11-03" prefix is read and cut off.
    A line that repeats in the text (menus, sidebars) is read and scored once."""
    lines: list[Line] = []
    append = lines.append
    scratch = Cues()
    # raw lines seen without a date prefix or a cue kind -> their word counts
    plain: dict[str, int] = {}
    prefix_match = DATE_PREFIX.match
    for index, raw in enumerate(texts):
        words = plain.get(raw)
        if words is not None:
            append(Line(raw, index, words))
            continue
        body = raw
        prefix = prefix_match(body) if raw[:1] in _PREFIX_FIRST else None
        if prefix and len(body) - prefix.end() > 40:
            cues.set_date(parse_date(prefix["date"]))
            body = body[prefix.end():]
        words = count_line_words(body) if "  " not in body else count_words(body)
        line = Line(body, index, words)
        # read_line writes into its Cues only when it names a kind: one scratch object serves
        # the ordinary lines.
        line.kind = read_line(body, scratch, words)
        if line.kind is None and words <= DATE_LINE_WORDS and (not body.isascii() or body[:1].isdigit()) \
                and is_local_date_line(body):
            line.kind = "date"  # "2025年3月14日 09:30", "14 марта 2025, 12:40"
        if line.kind is not None:
            line.cues, scratch = scratch, Cues()
        elif prefix is None:
            plain[raw] = words
        if line.kind is None and prefix and body is raw:
            line.kind = "date"
        if _post_signature(body):
            line.kind = "boiler"  # an embedded post's signature: not this article's byline or date
        append(line)
    sample = " ".join(ln.text for ln in lines[:200]).split()[:1500]
    english = bool(sample) and sum(map(STOPWORDS.__contains__, map(str.lower, sample))) / len(sample) > 0.2
    # features depend on the line's text (and its kind) only: computed once per distinct text
    seen: dict[str, Line] = {}
    for line in lines:
        if line.kind is not None:
            _features(line, english)
            continue
        first = seen.get(line.text)
        if first is None:
            _features(line, english)
            seen[line.text] = line
        else:
            line.kind, line.score, line.headline_like, line.terminal = (
                first.kind, first.score, first.headline_like, first.terminal
            )
    return lines


def _mark_title(lines: list[Line], known_title: str | None) -> None:
    if not known_title:
        return
    folded = " ".join(known_title.casefold().split())
    for line in lines[:40]:
        text = line.text.casefold()
        if text == folded or (len(folded) > 20 and text.startswith(folded) and line.words <= 40):
            line.kind, line.score = "title", -1.0


def extract_text(text: str, known_title: str | None = None) -> TextResult:
    """The article in a scraped text (already normalized by normalize_lines)."""
    cues = Cues()
    lines = _build_lines([ln for ln in split_glued(unwrap(text.split("\n"))) if ln.strip()], cues)
    _mark_quantity_items(lines)
    _mark_notice_sentences(lines)
    _mark_icon_descriptions(lines)
    _mark_transcript_runs(lines)
    _mark_runs_and_repeats(lines)
    _mark_teaser_runs(lines)
    _mark_title(lines, known_title)
    region = _best_region(lines)
    if region is None:
        return TextResult([], cues)
    start, end = region
    # A dateline opens the report: what precedes it at the top of the region is a caption,
    # standfirst furniture or a byline.
    for k in range(start, min(start + 4, end + 1)):
        if DATELINE.match(lines[k].text) and lines[k].words >= 12 and lines[k].terminal:
            start = k
            break
    comments = _comments_start(lines, start, end)
    if comments is not None:
        end = comments - 1
    panel = _site_panel_end(lines, start, end)
    if panel is not None and panel >= start:
        start = next((k for k in range(panel + 1, end + 1) if lines[k].kind is None and lines[k].score > 0), start)
    lead = _lead_above(lines, start, end, floor=-1 if panel is None else panel)
    top = lead[0] if lead else start
    note = _site_note_above(lines, top) if panel is None else top
    texts = [line.text for line in lines]
    header = read_header(texts, note, note) if note < top else read_header(texts, top, start)
    if lead and header.title is None and _opens_as_headline(lines[lead[0]]):
        # the top line taken back is the headline itself ("... City Parking.")
        header = read_header(texts, lead[0], start)
        header.title, header.title_index = strip_media_tag(lines[lead[0]].text), lead[0]
        lead = lead[1:]
    title = header.title
    if header.title_index is not None and start <= header.title_index < end:
        start = header.title_index + 1
    for k in range(start - 1, max(-1, start - 7), -1) if title is None else ():
        cand = lines[k]
        if cand.kind in ("byline", "date", "caption") or (cand.kind is None and cand.words <= 2):
            continue
        if _is_title_candidate(cand):
            title = cand.text
        break
    if title is None and lines[start].kind is None and start + 1 <= end:
        first = lines[start]
        if _is_title_candidate(first) and first.headline_like and first.index == 0:
            title = first.text
            start += 1
        elif header.title_index is None and _opens_as_headline(first) and _is_prose(lines[start + 1]):
            title = strip_media_tag(first.text)  # the region opens with its headline
            start += 1
    kept: list[int] = []
    listed = _listed_subheadings(lines, start, end) | _headings_under_boxes(lines, start, end)
    for k in range(start, end + 1):
        line = lines[k]
        if line.kind is not None or (line.score <= -1.0 and k not in listed):
            continue
        if line.headline_like and line.words >= 7 and line.score < 0 and not _is_subheading(lines, k, start, end):
            continue  # an inline link to another story
        if k > 0 and _link_label(lines[k - 1]) and line.words <= LINKED_HEADLINE_MAX_WORDS:
            continue  # the story a "See also:" label links to
        kept.append(k)
    kept.extend(_announced_list(lines, kept, end))
    kept.extend(k for k in _continuation(lines, start, end) if k not in kept)
    inner = _inner_lists(lines, kept)
    kept = sorted({*kept, *inner}) if inner else kept
    if lead and kept:
        kept[:0] = [k for k in lead if header.title_index is None or k > header.title_index]
    if kept and header.title_index is not None:
        # Below a headline found, the lead may lie further up, past a gallery or a sidebar strip:
        # prose about the same things between the headline and the body is the article's.
        far = [k for k in _lead_above(lines, min(kept[0], start), end, LEAD_SPAN_BELOW_TITLE, on_topic=False,
                                      floor=header.title_index) if k not in kept]
        kept[:0] = far
    if header.standfirst_index is not None and header.standfirst_index < start and kept \
            and lines[header.standfirst_index].kind is None and all(lines[k].text != header.standfirst for k in kept):
        kept.insert(0, header.standfirst_index)
    kept = [k for k in kept if not ends_with_credit(lines[k].text) and not _bracketed_credit(lines[k].text)
            and not _embedded_post(lines, k) and not _LONE_PRICE.match(lines[k].text)
            and not _in_newsletter_box(lines, k)]
    kept = _without_retold(lines, _first_of_each(lines, kept))
    kept = _trim_teaser_cards(lines, kept)
    kept = _cut_at_author_box(lines, kept)
    paragraphs = trim_bios([lines[k].text for k in kept])
    cues.set_date(header.published_at)  # the header's own date line first (not a masthead's "today")
    _merge_cues(cues, lines, start, end)
    cues.authors = header.authors or cues.authors
    if cues.published_at is None:
        cues.set_date(_only_date(lines))
    return TextResult(paragraphs, cues, title)


_NEWSLETTER = re.compile(r"\bnewsletters?\b", re.I)
NEWSLETTER_HEAD_MAX_WORDS = 8
NEWSLETTER_BLURB_MAX_WORDS = 25


# The comment section's opener ("View comments (27)", "27 Comments", "Comments") and the bare
# "Reply" buttons under each comment, in the languages of the bylines read above
_COMMENTS_OPENER = re.compile(
    r"^(?:(?:view|show|see|read|load|hide)\s+(?:all\s+)?)?(?:\d+\s+)?(?:comments?|responses)(?:\s*\(\d+\))?$", re.I)
_REPLY = re.compile(r"^(?:reply|respond|répondre|responder|responda|antworten|rispondi|svara|reageer)$", re.I)
COMMENTS_SPAN = 40
COMMENTS_OPENER_WORDS = 4
COMMENT_REPLIES = 2
COMMENTS_AFTER_PARAGRAPHS = 3


def _comments_start(lines: list[Line], start: int, end: int) -> int | None:
    """The comment section inside the region, after a few of the article's paragraphs: its opener
    ("View comments (27)"), with two bare "Reply" buttons or more in the lines under it. The
    readers' comments are prose too, and a short article's region runs on into them."""
    prose = 0
    for k in range(start, end + 1):
        if prose >= COMMENTS_AFTER_PARAGRAPHS and lines[k].words <= COMMENTS_OPENER_WORDS \
                and _COMMENTS_OPENER.match(lines[k].text):
            below = range(k + 1, min(len(lines), k + 1 + COMMENTS_SPAN))
            if sum(_REPLY.match(lines[j].text) is not None for j in below) >= COMMENT_REPLIES:
                return k
        prose += _is_prose(lines[k])
    return None


def _newsletter_heading(line: Line) -> bool:
    """A short line naming a newsletter that is no sentence ("Get the Daily Brief Newsletter",
    "Free weekly newsletter"): the heading of a sign-up box."""
    return line.words <= NEWSLETTER_HEAD_MAX_WORDS and not line.text.rstrip().endswith(".") \
        and _NEWSLETTER.search(line.text) is not None


def _in_newsletter_box(lines: list[Line], k: int) -> bool:
    """Line ``k`` is a newsletter sign-up box's heading or the blurb right under it that says
    what the newsletter brings ("Breaking news and analysis, every morning."). Its form's
    prompts are furniture already; the blurb alone reads as a sentence of the article."""
    if _newsletter_heading(lines[k]):
        return True
    return k > 0 and lines[k].words <= NEWSLETTER_BLURB_MAX_WORDS and _newsletter_heading(lines[k - 1])


# A product card's price on a line of its own ("$99", "US$1,250.00", "35 €"): a shopping list's
# card, not a sentence of the article (a table of figures keeps its cells on one line).
_LONE_PRICE = re.compile(r"^(?:[A-Z]{0,3}[$€£¥₹]\s?\d[\d,.]*|\d[\d,.]*\s?[€£₹])$")


# A photo caption closes with its credit, in the forms picture desks use in any template: a
# label ("... in Liverpool. Credit: Jane Doe", "Photograph: Jane Doe/Agency", "Image credit:
# ..."), "Photo by ..." / "Photograph courtesy of ...", a bracket holding a slash or a label
# ("(Jane Doe / The Daily)", "[Jane Doe/Agency]", "(Image credit: Studio)"), or after the
# caption's stop a name with its agency behind a slash or "via" ("... this year. Jane Doe/Agency
# Images", "... in Hollywood. Agency via Images"). An article's paragraph does not end so.
_NAME = r"[A-Z][\w.'’-]*"
_PHOTO_CREDIT = re.compile(
    r"(?:Credits?|Photograph|Photos?|Images?|Image credit|Picture|Illustration)\s*:\s*[^\s:][^:]{0,80}$"
    r"|(?:Photograph|Photo|Image|Picture|Illustration)s?\s+(?:[Bb]y|courtesy of)\s+[^.]{2,80}\.?$"
    r"|[(\[](?:[^()\[\]]*[A-Za-z]\s*/+\s*[A-Z][^()\[\]]*|(?:Photo|Image|Credit|Picture)[^()\[\]]*)[)\]]\s*$"
    r"|[.!?”\"’]\s*" + _NAME + r"(?:\s+" + _NAME + r"){0,3}\s*/+\s*[A-Z][\w&.'’-]*(?:[ -]+[\w&.'’-]+){0,5}$"
    r"|[.!?]\s+(?:" + _NAME + r"\s+){0,3}via\s+" + _NAME + r"(?:\s+" + _NAME + r"){0,3}$"
)
# Cheap test first: a credit holds one of these.
_CREDIT_KEYS = re.compile(r"[/:]|\bvia\b|\b[Bb]y\b|courtesy")


CREDIT_TAIL = 140


def ends_with_credit(text: str) -> bool:
    """Whether a line closes with a photo credit: a caption, not a paragraph of the article."""
    tail = text[-CREDIT_TAIL:]  # a credit closes the line: only its end is read
    return (_CREDIT_KEYS.search(tail) is not None and _PHOTO_CREDIT.search(tail) is not None) or \
        _GLUED_CREDIT.search(tail) is not None


# A caption's credit run into its last sentence by a scraper that joins inline elements: "... on
# the harbour on Friday.Jane Doe/Agency", "... this winter.Weather Service" (an edited sentence
# puts a space after its stop)
_GLUED_CREDIT = re.compile(r"[a-z\d)”\"’][.!?][”\"’]?[A-Z][\w&'’-]+(?:\s+[A-Z/][\w&'’/-]*){0,3}$")


# A line wholly in brackets without a sentence in them: a photo's credit ("(Getty Images)",
# "[Image via Agency]") under its caption, not a paragraph (an aside in brackets is a sentence)
_BRACKETED = re.compile(r"^[(\[][^()\[\]]*[)\]]$")


def _bracketed_credit(text: str) -> bool:
    return _BRACKETED.match(text) is not None and not is_terminal(text[1:-1])


# The signature under an embedded social-media post: "— Jane Doe (@janedoe) December 22, 2023".
_POST_SIGNATURE = re.compile(r"^[—–-]\s*[^()]{0,60}\(@\w{1,30}\)\s+\w+\.? \d{1,2}, \d{4}\s*$")


def _post_signature(text: str) -> bool:
    return text[:1] in "—–-" and _POST_SIGNATURE.match(text) is not None


def _embedded_post(lines: list[Line], k: int) -> bool:
    """Whether line ``k`` is an embedded post: its signature, or the post's text right above
    one (what someone else wrote on a social network, quoted by the page, not the article)."""
    return any(j < len(lines) and _post_signature(lines[j].text) for j in (k, k + 1))


SITE_NOTE_SPAN = 6


def _site_note(line: Line) -> bool:
    """The site's note on the article: an editor's note, an affiliate or editorial-policy note
    (not a prompt to sign up or subscribe, which any page prints anywhere)."""
    return _ARTICLE_NOTE.match(line.text) is not None or _says_site_policy(line.text.lower(), line.words)


def _site_note_above(lines: list[Line], top: int) -> int:
    """Where the article's header is read from when the site's note on it (an editor's note, an
    affiliate or editorial-policy note, a newsletter prompt) sits between the header and the
    body: the note, which opens the article's block on the page, not the first paragraph under
    it. ``top`` when there is none within a few lines of short ones."""
    found = top
    for k in range(top - 1, max(-1, top - 1 - SITE_NOTE_SPAN), -1):
        line = lines[k]
        if _is_prose(line):
            break
        if line.kind == "boiler" and _site_note(line):
            found = k
    return found


SITE_PANEL_SPAN = 6
SITE_PANEL_MIN_NOTES = 2


def _site_panel_end(lines: list[Line], start: int, end: int) -> int | None:
    """The last line of the site's panel about itself when the region opens with one ("Why you
    can trust us": how it tests, that it earns affiliate commissions, its editorial policy), dense
    prose that review sites set above the headline; the article starts below it. Two such notes
    within the region's first lines make a panel; an article that mentions a commission once
    does not."""
    notes = [k for k in range(max(0, start - LEAD_SPAN), min(end, start + SITE_PANEL_SPAN))
             if _says_site_policy(lines[k].text.lower(), lines[k].words, SITE_POLICY_MAX_WORDS)]
    return notes[-1] if len(notes) >= SITE_PANEL_MIN_NOTES else None


BIO_CUT_SHARE = 0.5
CARD_MAX_WORDS = 40
CARD_RUN = 3
CARD_MAX_SHARED = 0.3


def _trim_teaser_cards(lines: list[Line], kept: list[int]) -> list[int]:
    """Other stories' cards at the body's end ("Latest Videos": a title, a sentence): three or
    more lines of at most 40 words that end like a sentence, each right under a short
    headline-like line (its title, kept as a subheading or not), in a row up to the end, that
    share less than 30% of their content words with the body above them."""
    cut = len(kept)
    cards = 0
    while cut > 0:
        k = kept[cut - 1]
        title = k - 1
        if (
            title < 0 or not lines[k].terminal or lines[k].words > CARD_MAX_WORDS
            or not lines[title].headline_like or lines[title].words > SUBHEADING_MAX_WORDS
        ):
            break
        cut -= 1
        if cut > 0 and kept[cut - 1] == title:
            cut -= 1
        cards += 1
    if cards < CARD_RUN or cut == 0:
        return kept
    topic = {w for k in kept[:cut] for w in _content_words(lines[k].text)}
    words = [w for k in kept[cut:] for w in _content_words(lines[k].text)]
    if words and sum(w in topic for w in words) >= CARD_MAX_SHARED * len(words):
        return kept  # the article's own sections (a listicle's entries), about what it is about
    return kept[:cut]


# The heading of the author's box: what it opens is a biography, whatever its first sentence says
_ABOUT_AUTHOR = r"about the (?:author|writer|reporter)s?"
_AUTHOR_HEADING = re.compile(rf"^{_ABOUT_AUTHOR}\s*:?$", re.I)


def _cut_at_author_box(lines: list[Line], kept: list[int]) -> list[int]:
    """The body ends at the author's box ("<Name> is a staff writer at ...", or under an "About
    the author" heading) found past its first half, kept or skipped as furniture: what a page
    prints after it (more stories with their first paragraphs) can be dense prose too. Earlier,
    such a sentence is part of the story (see trim_bios)."""
    total = sum(lines[k].words for k in kept)
    seen = 0
    for n, k in enumerate(kept):
        if seen >= BIO_CUT_SHARE * total and n >= BIO_EDGE and any(
            (lines[j].words >= PROSE_MIN_WORDS and _is_bio(lines[j].text)) or _AUTHOR_HEADING.match(lines[j].text)
            for j in range(kept[n - 1] + 1, k + 1)
        ):
            return kept[:n]
        seen += lines[k].words
    return kept


def _first_of_each(lines: list[Line], kept: list[int]) -> list[int]:
    """Each paragraph once: a standfirst printed again as the first paragraph, a quote repeated
    as a pull quote. Short lines (list items, subheadings such as "Step 1") may repeat."""
    seen: set[str] = set()
    out: list[int] = []
    for k in kept:
        text = lines[k].text
        if lines[k].words >= PROSE_MIN_WORDS:
            if text in seen:
                continue
            seen.add(text)
        out.append(k)
    return out


_SENTENCE_SPLIT = re.compile(r"""(?<=[.!?])["'”’)]?\s+(?=["“‘(]?[A-Z0-9])""")
RETOLD_MIN_WORDS = 4
RETOLD_MIN_SENTENCES = 2  # one sentence printed twice is a pull quote: the first copy stays
RETOLD_COVER = 0.8  # share of the paragraph's words in those sentences ("vs." splits a schedule)


def _sentence_keys(text: str) -> list[str]:
    """A paragraph's sentences of four words or more, the first without its dateline."""
    match = DATELINE.match(text)
    if match is not None:
        text = text[match.end() - 1:]
    return [sentence.strip(_CLOSERS + " ") for sentence in _SENTENCE_SPLIT.split(text)
            if sentence.count(" ") >= RETOLD_MIN_WORDS - 1]


def _without_retold(lines: list[Line], kept: list[int]) -> list[int]:
    """A paragraph of two sentences or more, each of which the article prints again in its other
    paragraphs, is a summary box or a standfirst made of them ("<first paragraph> <a quote from
    further down>"), not more of the story: it goes, and the paragraphs that tell it stay. Read
    in order, so of two paragraphs that repeat each other the second stays."""
    keys = {k: _sentence_keys(lines[k].text) for k in kept if lines[k].words >= PROSE_MIN_WORDS}
    counts = Counter(key for ks in keys.values() for key in set(ks))
    out: list[int] = []
    for k in kept:
        ks = keys.get(k)
        if ks and len(set(ks)) >= RETOLD_MIN_SENTENCES and all(counts[key] > 1 for key in ks) \
                and sum(len(key.split()) for key in ks) >= RETOLD_COVER * lines[k].words:
            for key in set(ks):
                counts[key] -= 1
            continue
        out.append(k)
    return out


def _only_date(lines: list[Line]) -> datetime | None:
    """The day of the page's date lines when they all name the same one: a page that prints a
    single date (under its comments, in a footer bar) prints the article's. None when date
    lines disagree (a sidebar's teasers carry theirs) or only say when the page was updated."""
    found: datetime | None = None
    for line in lines:
        if line.kind not in ("date", "byline") or updated_only(line.text):
            continue
        when = header_date(line.text)
        if when is None:
            continue
        if found is not None and when.date() != found.date():
            return None
        found = found or when
    return found


EXTEND_GAP = 30
EXTEND_MIN_WORDS = 12
EXTEND_MIN_SHARED = 0.15
ENGLISH_SHARE = 0.2
# What opens the furniture after an article: comments, related and recommended lists, the
# author's box. Prose below one of these belongs to something else.
_SECTION_END = re.compile(
    r"^(?:\d+\s+)?(?:(?:view|show|see|read|load)\s+(?:all\s+)?(?:\d+\s+)?comments?|"
    r"comments?|leave a (?:reply|comment)|join the conversation|related|recommended|"
    r"more (?:from|stories|news|on|to read|like this)|read (?:more|next)|you (?:may|might) (?:also )?like|"
    r"trending|most (?:read|popular|viewed|shared)|" + _ABOUT_AUTHOR + r"|popular|latest|further reading|"
    r"see also|up next|what to read next|editor'?s picks|top stories|"
    # "Other Opinion Columns", "Other stories": the site's other pieces
    r"other (?:\w+ )?(?:stories|columns|articles|news|posts|videos)$)\b",
    re.I,
)


SECTION_HEADING_WORDS = 6
LEAD_SPAN = 10
LEAD_SPAN_BELOW_TITLE = 24


def _opens_as_headline(line: Line) -> bool:
    """A short line that may close with a stop: a headline, when nothing above reads as one
    ("Fair or foul? Let's litigate this case.")."""
    text = line.text
    if text.endswith(".") and not _title_case(text):
        return False  # a one-sentence opening paragraph, not a headline
    return (
        line.words <= HEADLINE_MAX_WORDS
        and (_headline_shaped(text) or (text.endswith((".", "!")) and _headline_shaped(text[:-1])))
    )


HEADLINE_MAX_WORDS = 20
TITLE_CASE_SHARE = 0.6


def _title_case(text: str) -> bool:
    """Most words of four letters or more capitalised: how headlines, not sentences, are set."""
    words = [w for w in _WORD.findall(text) if len(w) >= 4]
    return bool(words) and sum(w[0].isupper() for w in words) >= TITLE_CASE_SHARE * len(words)


# A sentence this long printed twice (the article's lead, once more as a teaser or a share box's
# text) may still open the article right above the region.
REPEATED_LEAD_MIN_WORDS = 15


def _repeated_lead(line: Line) -> bool:
    """A long sentence whose score its copy elsewhere lowered (it may be the article's lead)."""
    return line.repeated and line.kind is None and line.terminal and line.words >= REPEATED_LEAD_MIN_WORDS


def _lead_above(lines: list[Line], start: int, end: int, span: int = LEAD_SPAN, on_topic: bool = True,
                floor: int = -1) -> list[int]:
    """The article's first paragraphs when a caption, a video player or a share bar between
    them and the rest kept them out of the densest region: prose lines (8+ words, ending like
    a sentence; a lead printed again elsewhere, 15+ words) in the few lines above it that speak
    of what the region speaks of, up to the
    header's byline or date line. With ``on_topic`` off, below the article's own headline (line
    ``floor``), any prose line that is not a caption, a byline or the author's box, up to the
    byline but past the date lines of a video playlist."""
    found: list[int] = []
    topic: set[str] | None = None
    k = start - 1
    reach = start  # the span runs from the last paragraph taken back
    while k > floor and reach - k <= span:
        line = lines[k]
        if line.kind in HARD_KINDS or line.kind == "byline" or (on_topic and line.kind == "date"):
            break
        if _is_prose(line) and line.score > 0 and not on_topic:
            if not (_CREDIT_END.search(line.text) or byline_names(line.text) or _is_bio(line.text)
                    or _PERSON_INTRO.match(line.text)):
                found.append(k)  # not a caption, a byline or the author's box
                reach = k
        elif _is_prose(line) or _repeated_lead(line):
            if topic is None:
                topic = set()
                for kept in lines[start:min(end + 1, start + 12)]:
                    if kept.kind is None and kept.score > 0:
                        topic.update(_content_words(kept.text))
            words = _content_words(line.text)
            if not words or sum(w in topic for w in words) < EXTEND_MIN_SHARED * len(words):
                break
            found.append(k)
            reach = k  # the span runs from the last paragraph taken back: a sidebar may split the lead
        k -= 1
    return found[::-1]


INNER_LIST_MIN_ITEMS = 3
INNER_ITEM_MAX_WORDS = 40
INNER_LONG_ITEMS_SHARE = 4  # at most one item in four is longer than a list item
INNER_CELLS_SHARE = 3  # a third of the lines or more are figures alone: a table's cells, one a line


def _is_figure_cell(text: str) -> bool:
    """A table cell of figures alone ("127", ".907", "3-1", "12.5%"): no letter in it, and no
    price (a shopping list's product cards print theirs on lines of their own)."""
    return not any(map(str.isalpha, text)) and _LONE_PRICE.match(text) is None


def _inner_lists(lines: list[Line], kept: list[int]) -> set[int]:
    """Lists inside the article (features, steps, specifications): runs of short lines without
    final stops between two of its kept paragraphs, in sentence case. They read as menus line by
    line; a related-stories box inside an article differs by its heading (furniture, "Related",
    "See also"), its Title Case headlines, or lines the page prints elsewhere too, and a table
    delivered one cell a line by the figures alone on a third of its lines."""
    counts: Counter[str] | None = None
    prose = sorted(k for k in kept if _is_prose(lines[k]) or _opens_list(lines[k]))
    found: set[int] = set()
    for a, b in pairwise(prose):
        if b - a <= INNER_LIST_MIN_ITEMS:
            continue
        if counts is None:
            counts = Counter(line.text for line in lines)
        # photo captions and short labels printed twice (a caption's "iPhone 11") stay out
        run = [i for i in range(a + 1, b) if lines[i].kind != "caption"
               and not (lines[i].words <= 3 and counts[lines[i].text] > 1)]
        if len(run) >= INNER_LIST_MIN_ITEMS and all(
            lines[i].kind is None and counts[lines[i].text] == 1 and lines[i].words <= INNER_ITEM_MAX_WORDS
            and not says_furniture(lines[i].text, lines[i].words) and not _SECTION_END.match(lines[i].text)
            for i in run
        ) and (sum(_title_case(lines[i].text) for i in run) * 2 < len(run) or _numbered(lines, run)) \
                and sum(lines[i].words > LIST_ITEM_MAX_WORDS for i in run) * INNER_LONG_ITEMS_SHARE <= len(run) \
                and sum(_is_figure_cell(lines[i].text) for i in run) * INNER_CELLS_SHARE < len(run):
            found.update(run)
    return found


def _numbered(lines: list[Line], run: list[int]) -> bool:
    """Whether the run's lines are numbered 1, 2, 3, ... in order ("1. Finland", "2) Norway"):
    a ranking of names is in Title Case, and no menu counts its entries."""
    numbers = (_ITEM_NUMBER.match(lines[i].text) for i in run)
    return all(m is not None and m[1] == str(n) for n, m in enumerate(numbers, 1))


_ITEM_NUMBER = re.compile(r"(\d+)[.)]\s")


LIST_INTRO_MIN_WORDS = 5
LIST_LABEL_MAX_WORDS = 1
LIST_HEADING_MAX_WORDS = 8
LIST_ITEM_MAX_WORDS = 25
LIST_MAX_ITEMS = 60


def _announced_list(lines: list[Line], kept: list[int], end: int) -> list[int]:
    """The list an article announces at its end ("The full list of winners is below:"): the
    sentence that ends with a colon, at the region's end or right below it, and the run of short
    lines under it (award winners, results, specifications), which read as a menu on their own.
    The run stops at furniture, a cue line (caption, byline, trailer), a line printed elsewhere
    too (a sidebar's), a long paragraph, a single word (a table's cells, icons), or a heading that
    opens another section."""
    intro = next((k for k in (end, end + 1) if k < len(lines) and _introduces_list(lines, k)), None)
    if intro is None:
        return []
    counts = Counter(line.text for line in lines)
    items: list[int] = []
    for k in range(intro + 1, min(len(lines), intro + 1 + LIST_MAX_ITEMS)):
        line = lines[k]
        if (
            line.kind is not None or counts[line.text] > 1 or not 2 <= line.words <= LIST_ITEM_MAX_WORDS
            or says_furniture(line.text, line.words) or _SECTION_END.match(line.text)
        ):
            break
        items.append(k)
    if len(items) < 2:
        return []
    return [k for k in (intro, *items) if k not in kept]


_FIRST_ITEM = re.compile(r"^1[.)]\s+\S")


def _introduces_list(lines: list[Line], k: int) -> bool:
    """Whether line ``k`` announces the list under it: a sentence of the article that ends with
    a colon, a one-word label ("Squad:"), or a heading of up to eight words right above an item
    numbered 1 ("Men's 1,000 metres:", then "1. Jane Doe (Canada) 1:16.24": results, rankings,
    steps)."""
    line = lines[k]
    text = line.text.rstrip()
    if line.kind is not None or not text.endswith(":") or not text[:1].isupper():
        return False
    if says_furniture(line.text, line.words) or _SECTION_END.match(line.text):
        return False
    if line.words <= LIST_HEADING_MAX_WORDS and k + 1 < len(lines) and _FIRST_ITEM.match(lines[k + 1].text):
        return True
    if "|" in text:
        return False  # a share bar or a credit run into a prompt, not a sentence
    if line.words <= LIST_LABEL_MAX_WORDS:
        return True
    return line.words >= LIST_INTRO_MIN_WORDS and any(w in STOPWORDS for w in line.text.lower().split())


WIDGET_SPAN = 12
WIDGET_RESUME_SHARED = 0.3
WIDGET_PARAGRAPHS = 2


def _widget_inside(lines: list[Line], k: int, topic: set[str]) -> bool:
    """A "Most Popular" or "Related" box set inside the article: within a dozen lines of short
    ones (its headlines, bylines, labels) the article's prose resumes, two paragraphs in a row
    that each share at least 30% of their content words with what the article said (a comment
    prompt or a newsletter blurb under a "Read more" box is one line, about other things)."""
    resumed = 0
    for line in lines[k + 1:k + 1 + WIDGET_SPAN + WIDGET_PARAGRAPHS]:
        if line.kind in HARD_KINDS:
            return False
        if _is_prose(line):
            words = _content_words(line.text)
            if line.words < EXTEND_MIN_WORDS or not words or \
                    sum(w in topic for w in words) < WIDGET_RESUME_SHARED * len(words):
                return False
            resumed += 1
            if resumed == WIDGET_PARAGRAPHS:
                return True
        elif resumed:
            return False  # the two paragraphs follow each other
    return False


def _continuation(lines: list[Line], start: int, end: int) -> list[int]:
    """Paragraphs of the same article below its densest region, past a gallery, a product box or
    an ad strip that split it (listicles, shopping and live pages): sentence-length prose lines
    after the region, until a hard boundary, a furniture heading that opens another section
    (comments, related stories, the author's box), or a long stretch without prose."""
    extra: list[int] = []
    sample = " ".join(line.text for line in lines[start:end + 1]).split()[:1500]
    if not sample or sum(map(STOPWORDS.__contains__, map(str.lower, sample))) / len(sample) <= ENGLISH_SHARE:
        return extra  # the headings that end an article are read in English only
    gap = 0.0
    topic: set[str] | None = None  # the region's words, read only when a candidate shows up
    for k in range(end + 1, len(lines)):
        line = lines[k]
        if line.kind in HARD_KINDS or (line.words >= PROSE_MIN_WORDS and _is_bio(line.text)):
            break  # what follows the author's box is the page's, not the article's
        heading = line.words <= SECTION_HEADING_WORDS and _SECTION_END.match(line.text) is not None
        words = _content_words(line.text) if (_is_prose(line) or _opens_list(line)) \
            and line.words >= EXTEND_MIN_WORDS else []
        if topic is None and (heading or words):
            topic = set()
            for kept in lines[start:end + 1]:
                if kept.kind is None and kept.score > 0:
                    topic.update(_content_words(kept.text))
        if heading and not _widget_inside(lines, k, topic or set()):
            break
        # about what the article is about (a disclaimer, an ad-blocker notice or the author's
        # biography shares few of its words)
        if words and topic is not None and sum(w in topic for w in words) >= EXTEND_MIN_SHARED * len(words):
            extra.append(k)
            topic.update(words)
            gap = 0.0
        else:
            # a table's cells or a picker's options, one short token a line, count as a quarter of
            # a line each: a results table inside an article is no long stretch of furniture
            gap += 1 if line.words > CELL_MAX_WORDS else CELL_GAP
            if gap > EXTEND_GAP:
                break
    return extra


CELL_MAX_WORDS = 2
CELL_GAP = 0.25


def filter_blocks(texts: list[str], known_title: str | None = None, kinds: list[str] | None = None) -> TextResult:
    """Second pass over blocks an HTML extractor already chose: drop furniture lines anywhere,
    and trim runs of headline-like lines (more-stories lists, source tags) off both ends.
    Short lines inside the body (subheadings, list items) stay."""
    cues = Cues()
    lines = _build_lines(texts, cues)
    _mark_runs_and_repeats(lines)
    _mark_title(lines, known_title)
    kinds = kinds or ["p"] * len(lines)
    keep = [line.kind is None for line in lines]
    listed = _introduced_items(lines, kinds, keep)
    end = len(lines) - 1
    while end >= 0 and (not keep[end] or (lines[end].score < 0 and not listed[end])):
        end -= 1
    start = 0
    while start <= end and (not keep[start] or (lines[start].score < 0 and kinds[start] != "head")):
        start += 1
    paragraphs = trim_bios([lines[k].text for k in range(start, end + 1) if keep[k]])
    _merge_cues(cues, lines, start, max(start, end))
    return TextResult(paragraphs, cues, None)


LIST_LEAD_MIN_WORDS = 3


def _introduced_items(lines: list[Line], kinds: list[str], keep: list[bool]) -> list[bool]:
    """List items the article itself announces: a kept paragraph ending with a colon ("The full
    list of winners is below:") right above a run of items. Such a list is part of the story
    even at its end, where a run of short lines otherwise reads as a related-stories list."""
    out = [False] * len(lines)
    lead = False
    for k, line in enumerate(lines):
        if kinds[k] == "item":
            out[k] = lead
        else:
            lead = keep[k] and line.words >= LIST_LEAD_MIN_WORDS and line.text.rstrip().endswith(":")
    return out


def _merge_cues(cues: Cues, lines: list[Line], start: int, end: int) -> None:
    """Metadata from the lines that belong to this article: its trailer and copyright lines
    wherever they are (nearest after the body first), bylines and date lines above or inside
    the body, never those of a sidebar below it."""
    after = [ln for ln in lines[end + 1:] if ln.kind in HARD_KINDS]
    before = [ln for ln in lines[:start] if ln.kind in HARD_KINDS]
    for line in after + before[::-1]:
        if line.cues:
            cues.set_source(line.cues.source)
            cues.set_date(line.cues.published_at)
    for line in lines[max(0, start - 8): end + 1]:
        if line.kind == "byline" and line.cues:
            cues.authors = cues.authors or line.cues.authors
            cues.set_date(line.cues.published_at)
    for line in lines[max(0, start - 8): start]:
        if line.kind == "date" and not UPDATED_ONLY.match(line.text):
            cues.set_date(parse_date(line.text))


# --- the article's header ------------------------------------------------------------------
ABOVE_DATE_WORDS = 8
ABOVE_DATE_SPAN = 8  # lines above the headline searched for a bare date line, nearest first
INSIDE_SPAN = 12  # lines into the region read for a byline or date line the header lacks
HEADER_LINE_CHARS = 240
HEADER_SPAN = 60  # lines above the body searched for the headline, byline and date line
ANCHOR_SPAN = 12  # lines above the body searched for a byline or date line
SHARE_BUTTON_WORDS = 6  # a share button's label: "Share on Facebook", "Share via Email"
TITLE_BLOCK = 3


@dataclass
class Header:
    """What the lines just above an article's first paragraph say: headline, authors, date."""

    title: str | None = None
    title_index: int | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    by_line: bool = False  # the authors come from a "By ..." line, not a name alone on a line
    standfirst: str | None = None
    standfirst_index: int | None = None


STANDFIRST_MIN_WORDS = 5
STANDFIRST_MAX_WORDS = 80
STANDFIRST_SPAN = 7
# A photo caption ends with its credit after a dash or a slash ("...California.Jane Doe—Agency").
# or with it in brackets ("... on Wednesday. (Jane Doe/Agency via Images)").
_CREDIT_END = re.compile(
    r"[—–/|]\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*$|\([^()]*(?:/|\bvia\b)[^()]*\)\s*$"
)


def _read_standfirst(header: Header, texts: list[str], kinds: dict[int, str | None]) -> None:
    """The standfirst (dek) printed right under the headline: the article's first lines, a
    sentence or two that sum it up. Not a byline or date line, a caption, furniture or a link."""
    if header.title_index is None:
        return
    k = header.title_index + 1
    # past the headline printed twice, byline and date lines, labels and separators
    past_byline = False
    while k < len(texts) and k - header.title_index <= STANDFIRST_SPAN and (
        kinds.get(k) or _line_words(texts[k]) <= 3
        or texts[k] == texts[header.title_index]
    ):
        past_byline = past_byline or bool(kinds.get(k))
        k += 1
    if k >= len(texts) or k - header.title_index > STANDFIRST_SPAN:
        return
    text = texts[k]
    words = _line_words(text)
    low = text.lower()
    if (past_byline and not is_terminal(text)) or _CREDIT_END.search(text):
        return  # below the byline, only sentences: not a caption, a credit or a related link
    tokens = text.lower().split()
    if not is_terminal(text) and sum(map(STOPWORDS.__contains__, tokens)) < ENGLISH_SHARE * len(tokens):
        return  # without a final stop, only an English line is read as prose (a name and role, a date)
    if (
        (words >= STANDFIRST_MIN_WORDS or (words >= 4 and is_terminal(text)))
        and words <= STANDFIRST_MAX_WORDS
        and not _BOILER_START.match(text)
        and not _boiler_anywhere(low, text)
        and _HAS_LINK_KEY.search(low) is None
        and not says_furniture(text, words)  # an affiliate note under the byline
        and not _is_bio(text)  # the author's box a byline opens on hover
        and read_line(text, Cues(), words) is None
        and text != header.title
    ):
        header.standfirst, header.standfirst_index = text, k


# the stops of "Dec." and "a.m." end no sentence
_ABBREVIATION = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|[ap]\.m)\.")


_DATE_IN_LINE = re.compile(DATE_RE, re.I)
SENTENCE_BEFORE_DATE_WORDS = 4  # "This story was published on <date>" is still a date line


def _sentence_before_date(text: str) -> bool:
    """A sentence that ends with a date ("The act was signed into law on August 14, 1935", a
    photo's caption), not a date line: more lower-case words before the date than a label's
    ("Published on", "Last updated at") holds."""
    match = _DATE_IN_LINE.search(text)
    if match is None:
        return False
    return sum(w[:1].islower() for w in text[:match.start()].split()) > SENTENCE_BEFORE_DATE_WORDS


def _header_kind(texts: list[str], i: int) -> str | None:
    return _line_header_kind(texts[i], i + 1 < len(texts))


@lru_cache(maxsize=8192)
def _line_header_kind(text: str, followed: bool) -> str | None:
    """The header kind of one line (``followed``: a line comes after it): read once per text,
    though the header's lines are looked at by the score, the candidates and the byline reading
    in turn, and a site's menus recur on every page."""
    if len(text) > HEADER_LINE_CHARS:
        return None  # a paragraph, not a header line
    if byline_names(text) or (text.rstrip(":") in ("By", "by", "BY") and followed):
        return "byline"
    if header_date(text) is not None and (
        _line_words(text) <= 12 or _SENTENCE_END.search(_ABBREVIATION.sub(r"\1", text)) is None
    ) and not _sentence_before_date(text):
        return "date"
    name = without_asides(text).rstrip(", ")  # "Jane Doe, @jdoe"
    if is_name(name.title() if name.isupper() else name) or (" in " in text and names_line(text)):
        return "name"  # a name set in capitals ("JANE DOE") is a name too
    return None


def _headline_shaped(text: str) -> bool:
    words = _line_words(text)
    return (
        3 <= words <= 30
        and text[-1:] not in ".,;:"
        and not DATELINE.match(text)
        and not _BOILER_START.match(text)
        and not _HAS_LINK_KEY.search(text.lower())
    )


_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    """Lower-cased words of three letters or more that are not function words; in a script
    written without spaces, the words of two characters or more that the segmenter finds (a
    run of Chinese is one "word" between spaces). Cached: the header's lines are read by the
    score, the candidates and the region's extension in turn."""
    low = text.lower()
    if has_spaceless(low):
        return tuple(w for w in segment_words(low) if len(w) >= 2 and not w.isdigit() and w not in STOPWORDS)
    return tuple(w for w in _CONTENT_WORD.findall(low) if w not in STOPWORDS)


# Words of a header line in any script; cached, as the header's lines are counted by the shape
# tests, the score and the candidates' features in turn.
_line_words = lru_cache(maxsize=4096)(count_words)


TITLE_MIN_SCORE = 0.9
# a photo's credit in brackets ("(Jane Doe / The Courier)", "[Jane Doe/Agency]") or a caption
# that names its credit ("... Credit: Jane Doe"): no headline
_CREDIT_LINE = re.compile(_BRACKETED.pattern + r"|\bCredit:\s")
SENTENCE_HEADLINE_BYLINE = 6  # lines under the standfirst searched for the byline or date line


def _sentence_headline(texts: list[str], k: int, kinds: dict[int, str | None]) -> bool:
    """A headline written as sentences with their stops ("New drugs are coming. Here's how
    they could change everything."): short, right above a longer sentence (the standfirst),
    with the byline or date line under that, or right above the byline or date line itself. A
    paragraph of prose has no such header under it."""
    text = texts[k]
    if not text.endswith(".") or not _headline_shaped(text[:-1]) or _line_words(text) > HEADLINE_MAX_WORDS:
        return False
    if k + 1 >= len(texts):
        return False
    if kinds.get(k + 1) in ("byline", "date", "name"):
        # right over its byline or date line, without a standfirst (not a standfirst itself,
        # under a headline)
        return k == 0 or kinds.get(k - 1) is not None or not _headline_shaped(texts[k - 1])
    if kinds.get(k + 1):
        return False
    below = texts[k + 1]
    if not is_terminal(below) or (
        _line_words(below) <= _line_words(text) and kinds.get(k + 2) not in ("byline", "date")
    ):
        return False  # a longer sentence under it, or one right over the byline or date line
    return any(kinds.get(j) in ("byline", "date") for j in range(k + 2, k + 2 + SENTENCE_HEADLINE_BYLINE))
TITLE_MIN_CONTENT_WORDS = 4
LEAD_PARAGRAPHS = 6


def _title_score(texts: list[str], k: int, start: int, kinds: dict[int, str | None], body: set[str]) -> float:
    """How much line ``k`` reads as the headline of the body that starts at ``start``: shaped
    like a headline, written about what the body is about (its content words recur in the
    first paragraphs, which a menu, a label or another story's headline do not), followed by a
    byline or date line, near the body."""
    text = texts[k]
    if kinds.get(k) or _CREDIT_LINE.search(text):
        return float("-inf")
    over_standfirst = not _headline_shaped(text)
    if over_standfirst and not _sentence_headline(texts, k, kinds):
        return float("-inf")
    words = _content_words(text)
    if not words:
        return float("-inf")
    shared = sum(w in body for w in words)
    if not shared:
        return float("-inf")  # about nothing the body speaks of: a menu item, a label, a prompt
    # the share of its words the body repeats, discounted when it has few ("Follow on X")
    score = 2.0 * shared / max(len(words), TITLE_MIN_CONTENT_WORDS)
    n = _line_words(text)
    if 5 <= n <= 25:
        score += 0.3
    if over_standfirst:
        score += 0.5  # a standfirst, then the byline: the header's own shape
    elif _SENTENCE_END.search(text) is not None or text.rstrip().endswith(_TEASER_ENDS):
        score -= 0.6  # two sentences, or a teaser cut short: a standfirst or a link
    if any(kinds.get(j) for j in range(k + 1, k + 4)):
        score += 0.5
    return score - 0.01 * abs(start - k)


TITLE_INSIDE_SPAN = 12  # lines into the region searched for the headline (a panel may open it)
HEADLINE_MAX_CANDIDATE_WORDS = 40
HEADLINE_INSIDE_CHARS = 120  # a headline inside the region is a short line
PROSE_CHARS = 60  # a line ending like a sentence and this long is a paragraph of prose
HEADLINE_STRONG_SHARE = 0.5  # a candidate half of whose content words the body repeats
HEADLINE_BLOCK = 6  # lines either side counted for such candidates
_BREADCRUMB = (" / ", " | ", " > ", " » ", " >> ", " › ")
BREADCRUMB_STEPS = 2
HEADLINE_FEATURES = (
    "rule_score", "rule_valid", "body_share", "shared", "content_words", "words", "words_5_25",
    "words_under_5", "final_stop", "final_question", "final_colon", "two_sentences", "teaser",
    "title_case", "all_upper", "stopword_share", "digit_start", "breadcrumb", "header_below",
    "name_below", "header_above", "below_anchor", "lines_above_body", "inside_body", "printed_twice",
    "repeats", "standfirst_below", "label_above", "competitors_below", "first_line", "lede_share",
    "holds_neighbour", "glued", "share_gap", "shared_gap", "above_share", "below_share", "above_lede", "below_lede",
    "strong_above", "strong_below", "rule_pick",
)


CONTENTS_MIN_ENTRIES = 3


def contents_runs(indices: Iterable[int], copy_of: Callable[[int], int | None]) -> list[list[tuple[int, int]]]:
    """A table of contents and the sections it lists: the runs of three or more consecutive lines
    (of ``indices``) that each have a copy elsewhere (``copy_of``: its index, or None), no two
    copies side by side (a header printed twice has its copies side by side). Each run is a
    list of (line, copy) pairs."""
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    for j in [*indices, None]:
        copy = copy_of(j) if j is not None else None
        if copy is not None and run and abs(copy - run[-1][1]) > 1:
            run.append((j, copy))
            continue
        if len(run) >= CONTENTS_MIN_ENTRIES:
            runs.append(run)
        run = [(j, copy)] if j is not None and copy is not None else []
    return runs


def contents_entries(texts: list[str], lo: int, hi: int) -> set[int]:
    """The entries of a table of contents between ``lo`` and ``hi``: a run of three or more lines
    of two words or more, each printed again further down (the article's subheadings, or a
    list's items). None of them is the headline."""
    last = {text: i for i, text in enumerate(texts)}

    def printed_below(j: int) -> int | None:
        return last[texts[j]] if _line_words(texts[j]) >= 2 and last[texts[j]] > j + 1 else None

    return {j for run in contents_runs(range(lo, hi), printed_below) for j, _ in run}


# a video's title closes with its running time: "Can a pit crew work in the dark? (6:37)"
_RUNNING_TIME = re.compile(r"\(\d{1,2}:\d\d\)$")
# words run together by a scraper that joins a menu's items ("NewsOpinion Columns Letters")
_GLUED_WORDS = re.compile(r"[a-z]{3,}[A-Z][a-z]{2,}")


def _headline_candidates(texts: list[str], start: int, lo: int, kinds: dict[int, str | None], body: set[str],
                         anchor: int | None, scores: dict[int, float], lede: set[str] | None = None,
                         rule_pick: int | None = None) -> list[tuple[int, list[float]]]:
    """Each line that may be the headline of the body starting at ``start`` (3-40 words, not a
    byline, date line, link, credit, dateline or furniture, sharing a word with the body), with
    the general features the headline model weighs (``HEADLINE_FEATURES``, in that order).
    ``kinds`` covers every line searched; ``scores`` is the hand-set score of each line up to
    ``start`` (``title_scores``), ``rule_pick`` the line that score picks, ``lede`` the first
    paragraph's content words."""
    out: list[tuple[int, list[float]]] = []
    # into the region: above its first paragraph of prose, or further with a byline or date
    # line under it (a panel, "why you can trust us", may open the region above the header)
    hi = min(len(texts), start + TITLE_INSIDE_SPAN)
    prose = next((k for k in range(start, hi) if len(texts[k]) >= PROSE_CHARS and is_terminal(texts[k])), hi)
    counts: Counter[str] | None = None
    header_lines = {j for j, kind in kinds.items() if kind in ("byline", "date")}
    name_lines = {j for j, kind in kinds.items() if kind == "name"}
    shaped_below = 0  # headline-shaped lines between a candidate and the body (scanned upwards)
    listed = teaser_runs(texts, lo, hi) | contents_entries(texts, lo, hi)  # a carousel, a table of contents
    for k in range(hi - 1, lo - 1, -1):
        text = texts[k]
        n = _line_words(text)
        if not 3 <= n <= HEADLINE_MAX_CANDIDATE_WORDS or kinds.get(k) in ("byline", "date") or k in listed:
            continue
        shaped = _headline_shaped(text)
        if k >= start and (len(text) > HEADLINE_INSIDE_CHARS or (
            k > prose and not any(kinds.get(j) in ("byline", "date") and len(texts[j]) < PROSE_CHARS
                                  for j in range(k + 1, k + 4))
        )):
            continue  # a paragraph or a subheading of the body
        if (
            _CREDIT_LINE.search(text) or ends_with_credit(text) or _RUNNING_TIME.search(text)
            or DATELINE.match(text) or _BOILER_START.match(text)
            or _HAS_LINK_KEY.search(text.lower()) or says_furniture(text, n)
            or sum(map(text.count, _BREADCRUMB)) >= BREADCRUMB_STEPS
        ):
            # a credit or a captioned photo, a video, a dateline, a link, what furniture says, or a
            # path of sections ("Home >> News >> Education >> Article")
            continue
        words = _content_words(text)
        if not words:
            continue
        shared = sum(w in body for w in words)
        if counts is None:
            counts = Counter(texts)
        rule = scores.get(k, float("-inf"))
        rule_valid = rule > float("-inf")
        if not shaped and not rule_valid:
            continue  # a sentence is a headline only over its standfirst and byline (_sentence_headline)
        tokens = text.lower().split()
        caps = [w for w in _WORD.findall(text) if len(w) >= 4]
        stripped = text.rstrip(_CLOSERS)
        prev = texts[k - 1] if k > 0 else ""
        nxt = texts[k + 1] if k + 1 < len(texts) else ""
        holds = any(
            len(texts[j]) >= 15 and len(texts[j]) < len(text) and texts[j] in text
            for j in range(max(0, k - 3), min(len(texts), k + 4))
        )
        if holds and shaped:
            continue  # "Section / Sub-section / <the headline>": a breadcrumb holding the headline
        out.append((k, [
            max(min(rule, 4.0), -1.0) if rule_valid else -1.0,
            float(rule_valid),
            shared / max(len(words), TITLE_MIN_CONTENT_WORDS),
            min(shared, 10) / 10,
            min(len(words), 20) / 20,
            n / 30,
            float(5 <= n <= 25),
            float(n < 5),
            float(stripped.endswith(".")),
            float(stripped.endswith(("?", "!"))),
            float(text.endswith(":")),
            float(_SENTENCE_END.search(text) is not None),
            float(text.endswith(_TEASER_ENDS)),
            sum(w[0].isupper() for w in caps) / len(caps) if caps else 0.0,
            float(text.isupper()),
            sum(map(STOPWORDS.__contains__, tokens)) / n,
            float(text[:1].isdigit()),
            float(any(sep in text for sep in _BREADCRUMB)),
            float(not header_lines.isdisjoint(range(k + 1, k + 4))),
            float(not name_lines.isdisjoint(range(k + 1, k + 4))),
            float(not header_lines.isdisjoint(range(k - 3, k))),
            float(anchor is not None and k > anchor),
            max(start - k, 0) / HEADER_SPAN,
            max(k - start + 1, 0) / TITLE_INSIDE_SPAN,
            float(prev == text or nxt == text),
            float(min(counts[text] - 1, 3)),
            float(is_terminal(nxt) and _line_words(nxt) > n and not kinds.get(k + 1)),
            float(0 < _line_words(prev) <= 3 and not kinds.get(k - 1)),
            min(shaped_below, 10) / 10,
            float(k == 0),
            sum(w in lede for w in words) / max(len(words), TITLE_MIN_CONTENT_WORDS) if lede else 0.0,
            float(holds),
            float(_GLUED_WORDS.search(text) is not None),
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ]))
        if shaped:
            shaped_below += 1
    if out:
        # how the line's overlap with the body compares with the best of the page's candidates
        share_at, shared_at = HEADLINE_FEATURES.index("body_share"), HEADLINE_FEATURES.index("shared")
        top_share = max(values[share_at] for _, values in out)
        top_shared = max(values[shared_at] for _, values in out)
        lede_at = HEADLINE_FEATURES.index("lede_share")
        by_index = {k: values for k, values in out}
        strong = {k for k, values in out if values[share_at] >= HEADLINE_STRONG_SHARE}
        for k, values in out:
            values[-1] = float(k == rule_pick)
            values[-3] = float(len(strong.intersection(range(k - HEADLINE_BLOCK, k))))
            values[-2] = float(len(strong.intersection(range(k + 1, k + HEADLINE_BLOCK + 1))))
            values[-9] = values[share_at] - top_share
            values[-8] = values[shared_at] - top_shared
            # the candidate right above and right below (past the same line printed twice): a
            # headline has its standfirst under it, a standfirst its headline over it
            above, below = k - 1, k + 1
            while above > lo and texts[above] == texts[k]:
                above -= 1
            while below < len(texts) - 1 and texts[below] == texts[k]:
                below += 1
            if above in by_index:
                values[-7], values[-5] = by_index[above][share_at], by_index[above][lede_at]
            if below in by_index:
                values[-6], values[-4] = by_index[below][share_at], by_index[below][lede_at]
    return out


def header_candidates(texts: list[str], start: int, lo: int, kinds: dict[int, str | None], body: set[str],
                      anchor: int | None, scores: dict[int, float], rule_pick: int | None
                      ) -> list[tuple[int, list[float]]]:
    """The headline candidates of the header read by ``header_context`` and their features,
    with the header kinds of the lines a little into the body too: what the model ranks, and
    what it is trained on (eval/train_headline.py)."""
    end = min(len(texts), start + TITLE_INSIDE_SPAN + 3)
    seen = kinds | {i: _header_kind(texts, i) for i in range(lo, end) if i not in kinds}
    return _headline_candidates(texts, start, lo, seen, body, anchor, scores, lede_words(texts, start), rule_pick)


def _pick_headline(texts: list[str], start: int, lo: int, kinds: dict[int, str | None], body: set[str],
                   anchor: int | None, rule_pick: int | None, scores: dict[int, float]) -> int | None:
    """The headline's index by the learned model (services/cleaner/headline.py): the best
    candidate, when it scores above the model's floor."""
    model = current_model()
    if model is None or not body:
        return None  # without lead paragraphs to compare with, no line reads as their headline
    best, best_score = None, model.min_score
    for k, values in header_candidates(texts, start, lo, kinds, body, anchor, scores, rule_pick):
        score = model.score(values)
        if score > best_score:
            best, best_score = k, score
    return best


def header_context(texts: list[str], start: int, body_start: int | None = None
                   ) -> tuple[int, int, dict[int, str | None], set[str], int | None]:
    """What the headline is read from: the first line searched, the end of the header, each
    line's header kind, the content words of the body's lead paragraphs and the byline or date
    line nearest above the body."""
    lo = max(0, start - HEADER_SPAN)
    # (header lines may sit between lead paragraphs found above the region and the region)
    hi = min(len(texts), max(start, body_start or 0) + 4)
    kinds = {i: _header_kind(texts, i) for i in range(lo, hi)}
    body: set[str] = set()
    lead = 0
    for text in texts[start:start + 40]:
        # the article's lead paragraphs, not furniture nor a headline-shaped line at the start
        if len(text) >= 60 and is_terminal(text) and not _headline_shaped(text):
            body.update(_content_words(text))
            lead += 1
            if lead == LEAD_PARAGRAPHS:
                break
    # The byline or date line nearest above the body (a name alone on a line is not enough: a
    # menu has "Real Estate"): the headline is above it, what lies
    # between it and the body is a caption, a video player, a share bar.
    anchor = next((i for i in range(start - 1, max(lo, start - ANCHOR_SPAN) - 1, -1)
                   if kinds.get(i) in ("byline", "date")), None)
    return lo, hi, kinds, body, anchor


def lede_words(texts: list[str], start: int) -> set[str]:
    """The content words of the body's first paragraph (the lede the headline sums up)."""
    for text in texts[start:start + 40]:
        if len(text) >= 60 and is_terminal(text) and not _headline_shaped(text):
            return set(_content_words(text))
    return set()


def title_scores(texts: list[str], start: int, lo: int, kinds: dict[int, str | None], body: set[str]
                 ) -> dict[int, float]:
    """``_title_score`` of each line from ``lo`` to ``start``: read once per header by the
    hand-set pick and by the model's features."""
    return {k: _title_score(texts, k, start, kinds, body) for k in range(lo, min(start + 1, len(texts)))}


def _rule_headline(texts: list[str], start: int, lo: int, kinds: dict[int, str | None], body: set[str],
                   anchor: int | None, scores: dict[int, float]) -> int | None:
    """The headline by hand-set weights (when no model is shipped): the best line by
    _title_score (``scores``, from ``title_scores``); the line above it when that is the
    headline over its standfirst."""
    best, best_score = None, TITLE_MIN_SCORE
    for k in range(lo, min(start + 1, len(texts))):
        score = scores[k] - (1.0 if anchor is not None and k > anchor else 0.0)
        if score > best_score:
            best, best_score = k, score
    if best is None:
        return None
    # Headline, then standfirst: both read as headlines about the body, the standfirst
    # often more so (it is longer); the upper one is the headline.
    above = best - 1
    while above > lo and texts[above] == texts[best]:
        above -= 1
    upper = texts[above] if above >= lo else ""
    if (
        _line_words(upper) >= 5
        and upper[:1].isupper()
        and not any(sep in upper for sep in _BREADCRUMB)
        and scores[above] > max(TITLE_MIN_SCORE, best_score - 0.6)
    ):
        best = above
    return best


def read_header(texts: list[str], start: int, body_start: int | None = None) -> Header:
    """The headline, byline and date line around the line ``start`` where the article's body
    begins. The headline is the candidate line the learned headline model ranks first
    (_headline_candidates, services/cleaner/headline.py; without a model, the best line by the
    hand-set _title_score); the byline and date are read from the lines between it and the
    body (a "By ..." line, the author's name alone on a line right below the headline, a short
    line holding a date)."""
    header = Header()
    lo, hi, kinds, body, anchor = header_context(texts, start, body_start)
    scores = title_scores(texts, start, lo, kinds, body)
    rule_best = _rule_headline(texts, start, lo, kinds, body, anchor, scores)
    best = rule_best
    if current_model() is not None:
        best = _pick_headline(texts, start, lo, kinds, body, anchor, rule_best, scores)
    rule_hi = hi
    if best is not None and best >= hi:
        # the headline is inside the region (a panel opened it): its byline is below it
        kinds.update((i, _header_kind(texts, i)) for i in range(hi, min(len(texts), best + 4)))
        hi = min(len(texts), best + 4)
    if best is not None:
        header.title, header.title_index = strip_media_tag(texts[best]), best
    _read_byline(header, texts, kinds, best, lo, hi)
    if best != rule_best and (header.published_at is None or not header.authors):
        # what the header lines around the hand-set score's pick say, where the model's pick
        # found nothing: both are headline-shaped lines of the same header
        other = Header()
        _read_byline(other, texts, kinds, rule_best, lo, rule_hi)
        header.published_at = header.published_at or other.published_at
        if not header.authors:
            header.authors, header.by_line = other.authors, other.by_line
    if header.published_at is None or not header.authors:
        # the region may have begun above the article's header (a panel, an opinion box): its
        # first lines can hold the byline and date line
        for k in range(hi, min(len(texts), hi + INSIDE_SPAN)):
            kind = _header_kind(texts, k)
            if kind == "byline" and not header.authors:
                header.authors = byline_names(texts[k]) or (names_in(texts[k + 1]) if k + 1 < len(texts) else [])
                header.by_line = bool(header.authors)
            if kind in ("date", "byline") and header.published_at is None and not updated_only(texts[k]):
                header.published_at = header_date(texts[k])
    _read_standfirst(header, texts, kinds)
    return header


def read_byline(texts: list[str], title_index: int) -> Header:
    """The byline and date line below a known headline (a page's <h1>): read from the lines
    between it and the first paragraph of prose."""
    header = Header(texts[title_index], title_index)
    hi, prose = title_index + 1, 0
    seen = 0  # lines read, share buttons not counted
    while hi < len(texts) and seen <= ANCHOR_SPAN:
        words = _line_words(texts[hi])
        if words >= 20 and is_terminal(texts[hi]):
            prose += 1  # the first may be a standfirst, the second is the body
            if prose == 2:
                break
        seen += not (words <= SHARE_BUTTON_WORDS and says_furniture(texts[hi], words))
        hi += 1
    lo = max(0, title_index - 2)
    kinds = {i: _header_kind(texts, i) for i in range(lo, min(len(texts), hi + 1))}
    _read_byline(header, texts, kinds, title_index, lo, min(len(texts), hi + 1))
    _read_standfirst(header, texts, kinds)
    return header


def _read_byline(header: Header, texts: list[str], kinds: dict[int, str | None], best: int | None, lo: int,
                 hi: int) -> None:
    """Authors and date from the header lines: the first "By ..." line, else a name alone on its
    line right below the headline; the first date line that is not an "Updated" one."""
    top = best if best is not None else max(lo, hi - 4 - ANCHOR_SPAN)
    updated: datetime | None = None
    # below the headline first: a date above it is as often the masthead's "today"
    order = [*range(top, hi), *range(top - 1, max(lo, top - ABOVE_DATE_SPAN) - 1, -1)]
    for k in order:
        kind = kinds.get(k)
        if kind == "byline" and (not header.authors or (not header.by_line and opens_with_by(texts[k]))):
            # a "By ..." line wins over a name alone on a line above it (a pager's "Older Article")
            header.authors = byline_names(texts[k]) or (names_in(texts[k + 1]) if k + 1 < len(texts) else []) \
                or header.authors
            header.by_line = bool(header.authors)
        elif kind == "name" and not header.authors and best is not None and 0 < k - top <= 3:
            header.authors = names_in(texts[k])
        if kind in ("date", "byline") and header.published_at is None and (
            k >= top or _line_words(texts[k]) <= ABOVE_DATE_WORDS  # above: a bare date line only
        ):
            if updated_only(texts[k]):
                updated = updated or header_date(texts[k])
            else:
                header.published_at = header_date(texts[k])
    # a page that prints only when it was updated: that is the date it shows
    header.published_at = header.published_at or updated
