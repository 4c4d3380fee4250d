"""clean -> enriched: entities, countries, money, dates, topics, keywords, summary.

Pure logic around one spaCy pipeline, loaded once per Extractor. People, organisations and places come
from newsflow's own news entity model (services/extractor/model/news_ner, trained on public news by
``make model``), added to the pipeline as a second NER; the base model's NER still supplies dates,
amounts, nationalities and the other labels it knows. Articles are run through
``nlp.pipe`` in batches with only the components the fields need (no dependency parser: sentences
come from the lighter ``senter``). Long bodies are cut into chunks of ``max_chars`` at paragraph
boundaries; beyond ``max_chunks`` chunks the rest is left out and the article flagged ``truncated``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans, minibatch

from services.extractor.dates import find_dates
from services.extractor.entities import (
    DATELINE_RE,
    Entities,
    dateline_place_known,
    extract_entities,
    known_orgs,
)
from services.extractor.keywords import extract_keywords
from services.extractor.money import find_money, money_spans
from services.extractor.places import gazetteer
from services.extractor.summary import summarize
from services.extractor.text import dictionary_word, normalize_case
from services.extractor.topics import LEAD_FACTOR, TopicModel, title_words
from shared.contracts.schemas import CleanArticle, EnrichedArticle
from shared.contracts.settings import Settings

log = logging.getLogger(__name__)

# The shipped news entity model; any other spaCy pipeline with a PER/ORG/LOC ``ner`` may be named instead,
# and "none" keeps the base model's own people/organisations/places.
BUNDLED_NER = "bundled"
BUNDLED_NER_PATH = Path(__file__).resolve().parent / "model" / "news_ner"
NO_NER = "none"
# What the news model's labels become in the base model's scheme (MISC is left to the base model).
NEWS_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
# Base-model labels the news model replaces; its other labels (DATE, MONEY, NORP, ...) are kept.
# FAC goes too: the news model reads stadiums, airports and bridges as places.
# The two models were trained on different news (OntoNotes, CoNLL-2003): where the news model sees no
# entity at all, the base model's person/organisation/place still counts (names the news model's 1996
# Reuters data never showed, e.g. 'Special Secretary Amb Tasnim Aslam').
FILL = True
FILL_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC"})
REPLACED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})
# What the fields need: tags and lemmas (keywords, topics), entities, sentences (summary). Sentences come
# from the rule-based sentencizer plus paragraph breaks: the statistical parser/senter cost more and the
# summary only needs sentence ends.
NEEDED = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner")

FLAG_TRUNCATED = "truncated"
FLAG_NOT_ENGLISH = "not_english"
FLAG_EMPTY = "empty_body"
FLAG_FAILED = "extraction_failed"

# English function words that other languages written in Latin script rarely use.
ENGLISH_HINTS = frozenset([
    "the", "of", "and", "to", "is", "that", "for", "with", "was", "by", "from", "are", "has", "have", "said",
    "his", "her", "this", "which", "were", "will", "would", "been", "their", "they", "who"])


@Language.component("newsflow_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: headings and captions must not run into the next paragraph."""
    for tok in doc[1:]:
        if "\n" in doc[tok.i - 1].whitespace_ or (doc[tok.i - 1].is_space and "\n" in doc[tok.i - 1].text):
            tok.is_sent_start = True
    return doc


# Where a Doc carries the text as written, when the pipeline reads a re-cased copy (same offsets).
WRITTEN_TEXT = "newsflow_written_text"


def merge_entities(doc: Doc, news_ents: Iterable[tuple[int, int, str]], fill: bool = FILL) -> Doc:
    """The news model's people, organisations and places (character offsets, news labels), plus the
    base model's other entities (dates, amounts, nationalities...) where they do not overlap them.
    With ``fill``, the base model's people/organisations/places also count where the news model saw
    no entity of any kind."""
    kept = []
    seen: set[int] = set()  # tokens inside any news entity, MISC included
    for start, end, label in news_ents:
        span = doc.char_span(start, end, label=NEWS_LABELS.get(label, label), alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        seen.update(range(span.start, span.end))
        if label in NEWS_LABELS:
            kept.append(span)
    if fill:
        # A base-model person that strictly contains news place spans only: the news model read part of
        # a name it never saw as a place ('Amb Tasnim Aslam' -> 'Aslam').
        for ent in doc.ents:
            if ent.label_ != "PERSON" or len(ent) > 4:
                continue
            inside = [k for k in kept if ent.start <= k.start and k.end <= ent.end]
            if inside and all(k.label_ == "GPE" for k in inside) and sum(len(k) for k in inside) < len(ent) \
                    and not any(k.start < ent.end and ent.start < k.end for k in kept if k not in inside):
                kept = [k for k in kept if k not in inside] + [ent]
    kept = filter_spans(kept)
    taken = {i for ent in kept for i in range(ent.start, ent.end)}
    for ent in doc.ents:
        tokens = range(ent.start, ent.end)
        other_label = ent.label_ not in REPLACED_LABELS and not any(i in taken for i in tokens)
        gap = fill and ent.label_ in FILL_LABELS and not any(i in seen or i in taken for i in tokens)
        if other_label or gap:
            kept.append(ent)
    doc.set_ents(sorted(kept, key=lambda e: e.start), default="outside")
    return doc


class NewsEntities:
    """Pipeline component: the news entity model reads the text as written (it was trained on shouted,
    lower-case and title-case copy too, so the re-cased text the base model needs would only hide
    cues), and its entities replace the base model's people, organisations and places."""

    def __init__(self, model: str, batch_size: int = 16) -> None:
        self.news = spacy.load(model)
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            texts = [doc.user_data.pop(WRITTEN_TEXT, doc.text) for doc in batch]
            for doc, text, news_doc in zip(batch, texts, self.news.pipe(texts), strict=True):
                if len(text) != len(doc.text):  # offsets would not line up: read the doc's own text
                    news_doc = self.news(doc.text)
                yield merge_entities(doc, ((e.start_char, e.end_char, e.label_) for e in news_doc.ents))


@Language.factory("newsflow_news_entities", default_config={"model": str(BUNDLED_NER_PATH)})
def make_news_entities(nlp: Language, name: str, model: str) -> NewsEntities:
    return NewsEntities(model)


def resolve_ner_model(ner_model: str | None) -> str | None:
    """Settings value -> what spacy.load takes (None: the base model's own NER)."""
    if not ner_model or ner_model.lower() == NO_NER:
        return None
    return str(BUNDLED_NER_PATH) if ner_model == BUNDLED_NER else ner_model


def load_pipeline(model: str, ner_model: str | None = BUNDLED_NER) -> Language:
    """Load the model with only the components the extractor uses, and the news entity model."""
    nlp = spacy.load(model, exclude=["parser", "senter"])
    for name in nlp.pipe_names:
        if name not in NEEDED:
            nlp.disable_pipe(name)
    source = resolve_ner_model(ner_model)
    if source is not None:
        nlp.add_pipe("newsflow_news_entities", config={"model": source})
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("newsflow_paragraph_breaks", last=True)
    return nlp


PROSE_LOWER_SHARE = 0.5  # German prose capitalises its nouns and still passes


def looks_english(text: str) -> bool:
    """Cheap guard for articles whose language is not declared: English function words are frequent.

    Only prose lines count, lines most of whose words are lower-case (tables of results carry no
    function words in any language, and a results line that opens with a sentence is mostly
    names); with no prose to judge, the article is taken as English.
    """
    words: list[str] = []
    for line in text[:20_000].split("\n"):
        tokens = re.findall(r"[^\W\d_]+", line)
        lower = [t for t in tokens if t[:1].islower()]
        if len(tokens) >= 6 and len(lower) >= PROSE_LOWER_SHARE * len(tokens):
            words.extend(t.lower() for t in tokens)
    if len(words) < 30:
        return True
    return sum(1 for w in words if w in ENGLISH_HINTS) / len(words) >= 0.08


def chunks(text: str, max_chars: int) -> Iterator[str]:
    """Split at paragraph (then sentence, then hard) boundaries into pieces of at most max_chars."""
    start = 0
    while start < len(text):
        end = min(len(text), start + max_chars)
        if end < len(text):
            cut = text.rfind("\n\n", start, end)
            if cut <= start:
                cut = text.rfind(". ", start, end)
                cut = cut + 1 if cut > start else -1
            if cut > start:
                end = cut
        yield text[start:end]
        start = end


def english_lexicon(nlp: Language) -> frozenset[str]:
    """English lemmas the pipeline's rule lemmatizer knows (its index and exception tables)."""
    words: set[str] = set()
    if "lemmatizer" in nlp.pipe_names:
        lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
        for name in ("lemma_index", "lemma_exc"):
            if lookups is not None and lookups.has_table(name):
                for entries in lookups.get_table(name).values():
                    words.update(w for w in entries if w.isalpha())
    return frozenset(words)


def topic_tokens(doc: Doc) -> tuple[list[str], list[str], list[float]]:
    """Aligned lowercase lemmas, words and position factors for topic cues.

    Cues count in the running text, not inside organisation names ('Counter Terrorism Center');
    hyphenated words count as their parts; the lead (first sentence) weighs ``LEAD_FACTOR``.
    """
    lemmas: list[str] = []
    forms: list[str] = []
    factors: list[float] = []
    lead_end = next((s.end for s in doc.sents), 0)
    for tok in doc:
        if not (tok.is_alpha or "-" in tok.text) or tok.ent_type_ == "ORG":
            continue
        lemma_parts = tok.lemma_.lower().replace("-", " ").split()
        form_parts = tok.lower_.replace("-", " ").split()
        if len(form_parts) != len(lemma_parts):
            form_parts = lemma_parts
        factor = LEAD_FACTOR if tok.i < lead_end else 1.0
        lemmas.extend(lemma_parts)
        forms.extend(form_parts)
        factors.extend([factor] * len(lemma_parts))
    return lemmas, forms, factors


class Extractor:
    """Loads the spaCy pipeline once; ``extract`` runs it over a batch with ``nlp.pipe``."""

    def __init__(self, model: str, max_chars: int, *, ner_model: str | None = BUNDLED_NER, max_chunks: int = 8,
                 batch_size: int = 16, n_keywords: int = 10) -> None:
        self.model = model
        self.ner_model = ner_model
        self.nlp = load_pipeline(model, ner_model)
        self.max_chars = max_chars
        self.max_chunks = max_chunks
        self.batch_size = batch_size
        self.n_keywords = n_keywords
        self.nlp.max_length = max(self.nlp.max_length, max_chars + 1)
        self.gazetteer = gazetteer()
        self.keep_upper = frozenset(o.acronym for o in known_orgs().values()) | {"US", "UK", "UAE", "USA", "EU"}
        self.topics = TopicModel(self._lemmatize)
        self.lexicon = english_lexicon(self.nlp)

    def _lemmatize(self, phrases: list[str]) -> list[str]:
        """Lemmas of short phrases with the pipeline's own tagger and lemmatizer (topic cues)."""
        with self.nlp.select_pipes(enable=[p for p in ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
                                           if p in self.nlp.pipe_names]):
            return [" ".join(t.lemma_ for t in doc) for doc in self.nlp.pipe(phrases)]

    # ``batch_size`` is spaCy's internal batch: its transient memory grows by several MB per document
    # in flight, so a stage batch of 64 messages is piped 16 at a time (same speed, a third of the peak).

    @classmethod
    def from_settings(cls, settings: Settings) -> Extractor:
        """The one way the product builds an Extractor: models and chunk size from the settings."""
        return cls(model=settings.spacy_model, max_chars=settings.max_nlp_chars, ner_model=settings.ner_model)

    # -- batch ---------------------------------------------------------------------------------
    def extract(self, articles: Sequence[CleanArticle]) -> list[EnrichedArticle]:
        """One EnrichedArticle per input, same order; one odd article never fails the batch."""
        plans: list[tuple[list[Doc], list[str]]] = []  # (docs for nlp, flags) per article
        titles: list[Doc | None] = []  # the headline, when it is read for entities
        for article in articles:
            plans.append(self._plan(article))
            titles.append(self._title_doc(article) if plans[-1][0] else None)
        inputs = [(text, (i, j)) for i, (texts, _) in enumerate(plans) for j, text in enumerate(texts)]
        inputs += [(title, (i, -1)) for i, title in enumerate(titles) if title]
        docs: dict[int, list[Doc]] = {}
        title_docs: dict[int, Doc] = {}
        try:
            for doc, (i, j) in self.nlp.pipe(inputs, as_tuples=True, batch_size=self.batch_size):
                if j < 0:
                    title_docs[i] = doc
                else:
                    docs.setdefault(i, []).append(doc)
        except Exception:  # one text the model cannot take: redo the batch article by article
            log.exception("nlp.pipe failed on a batch; retrying per article")
            docs = self._docs_one_by_one(plans)
            title_docs = {}
        results = []
        for i, article in enumerate(articles):
            texts, flags = plans[i]
            try:
                results.append(self._enrich(article, texts, docs.get(i, []), flags, title_docs.get(i)))
            except Exception as exc:
                log.exception("extraction failed for article %s", article.id)
                results.append(EnrichedArticle(
                    **article.model_dump(exclude={"quality_flags"}),
                    quality_flags=[*article.quality_flags, FLAG_FAILED, f"error:{type(exc).__name__}"]))
        return results

    def _docs_one_by_one(self, plans: list[tuple[list[Doc], list[str]]]) -> dict[int, list[Doc]]:
        docs: dict[int, list[Doc]] = {}
        for i, (texts, flags) in enumerate(plans):
            try:
                docs[i] = list(self.nlp.pipe(texts))
            except Exception:
                log.exception("nlp failed for one article")
                flags.append(FLAG_FAILED)
                docs[i] = []
        return docs

    # -- one article ---------------------------------------------------------------------------
    def _doc(self, written: str) -> Doc:
        """A Doc of the re-cased text (what the base model reads) carrying the text as written."""
        doc = self.nlp.make_doc(normalize_case(written, self.keep_upper, self._is_name, self._is_word))
        doc.user_data[WRITTEN_TEXT] = written
        return doc

    def _plan(self, article: CleanArticle) -> tuple[list[Doc], list[str]]:
        flags: list[str] = []
        body = article.body or ""
        if not body.strip():
            return [], [FLAG_EMPTY]
        language = (article.language or "").lower()
        # A language declared or detected with confidence is taken as it is; one the cleaner only
        # guessed (a table of names and figures reads as anything to a language detector) is
        # checked against the text itself, like an undeclared one.
        if not language.startswith("en") and (
            (language and "language_uncertain" not in article.quality_flags) or not looks_english(body)
        ):
            return [], [FLAG_NOT_ENGLISH]
        pieces = list(chunks(body, self.max_chars))
        if len(pieces) > self.max_chunks:
            pieces = pieces[: self.max_chunks]
            flags.append(FLAG_TRUNCATED)
        return [self._doc(p) for p in pieces], flags

    def _title_doc(self, article: CleanArticle) -> Doc | None:
        """The headline names who and what the story is about: read it for entities too, unless the body
        already opens with it; so is the dateline the cleaner read the date from and left out of the
        body (``metadata["dateline"]``, "MADRID 1996-12-06"), when it opens with a known place."""
        parts = []
        title = (article.title or "").strip()
        if title and " ".join(title.split()).lower() not in " ".join(article.body[:2000].split()).lower():
            parts.append(title[:1000])
        dateline = (article.metadata.get("dateline") or "").strip()
        if dateline and self._names_a_place(dateline):
            parts.append(dateline[:200])
        if not parts:
            return None
        # A blank line after each: its last words must not run into the next line (datelines).
        return self._doc("\n\n".join(parts) + "\n\n")

    def _names_a_place(self, dateline: str) -> bool:
        """Whether a dateline opens with a known place, or a place its country or region
        qualifies ("VAIL, Colorado 1996-12-07")."""
        match = DATELINE_RE.match(dateline)
        return match is not None and dateline_place_known(match, self.gazetteer)

    def _is_word(self, word: str) -> bool:
        return dictionary_word(word, self.lexicon)

    def _is_name(self, word: str) -> bool:
        """Words a shouted headline should keep capitalised: places, demonyms, known organisations."""
        gaz = self.gazetteer
        return bool(gaz.country(word) or gaz.demonym(word) or gaz.is_well_known_place(word)
                    or any(p.primary for p in gaz.lookup(word)))

    def _enrich(self, article: CleanArticle, texts: list[Doc], docs: list[Doc],
                flags: list[str], title_doc: Doc | None = None) -> EnrichedArticle:
        base = article.model_dump(exclude={"quality_flags"})
        quality = list(dict.fromkeys([*article.quality_flags, *flags]))
        if not docs:
            money = []
            if FLAG_NOT_ENGLISH in flags and article.body.strip():
                money = find_money(article.body)  # symbols and ISO codes read the same in any language
            return EnrichedArticle(**base, quality_flags=quality, money=money)
        doc = docs[0] if len(docs) == 1 else Doc.from_docs(docs)
        text = doc.text  # offsets of spans, money and datelines all refer to this one text
        # Entities are read from the headline and the body as one text; every other field from the body.
        ent_doc = doc if title_doc is None else Doc.from_docs([title_doc, doc], ensure_whitespace=True)
        amounts = money_spans(ent_doc.text)
        ents: Entities = extract_entities(ent_doc, ent_doc.text, authors=article.authors, gaz=self.gazetteer,
                                          skip=[(s, e) for s, e, _ in amounts], is_word=self._is_word)
        lemmas, forms, factors = topic_tokens(doc)
        return EnrichedArticle(
            **base,
            quality_flags=quality,
            people=ents.people,
            organizations=ents.organizations,
            locations=ents.locations,
            countries=ents.countries,
            money=find_money(text, ents.countries),
            dates=find_dates((e.text for e in doc.ents if e.label_ == "DATE"), article.published_at),
            topics=self.topics.classify(lemmas, forms, factors, title_words(article.title)),
            keywords=extract_keywords(doc, self.n_keywords),
            summary=summarize(doc),
        )
