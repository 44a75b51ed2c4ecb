"""Text: normalisation, matching (FAQ and marketplace search), splitting for platform limits.

Pure functions and in-memory indexes; nothing here touches the database or a channel. Modules, from
the characters up (each imports only the ones above it):

``bot.text.normalise`` — character level
    ``normalise(text)`` the FAQ form (NFKC, casefolded, punctuation as spaces, repeated letters of
    unspaced scripts once); ``normalise_search(text)`` the search form stored with listings (NFC,
    casefolded, Latin accents dropped); both fold confusable spellings first
    (``fold_confusables(text)``: Khmer ្ដ/្ត, Lao ໜ/ຫນ, Thai ำ/ํ+า, Burmese ဥ/ဉ, marks typed in either
    order, …); ``fold_latin(word)``, ``strip_marks(text)``;
    ``is_unspaced(ch)`` (Thai, Lao, Khmer, Burmese: written without spaces); ``clusters(run)`` written
    syllable clusters of such a run.
``bot.text.features`` — what texts are compared by
    ``analyse(text) -> Analysed`` n-gram features and words (FAQ); ``split_terms(normalised)`` and
    ``terms_of(normalised)`` words and trigrams (search); ``close_words(word, choices, cutoff, limit)``
    typo-tolerant lookup of a word (rapidfuzz ratio; FAQ coverage and search both use it).
``bot.text.faq_decide`` — the FAQ's settings and decision
    ``MatchConfig`` (thresholds and weights), ``Candidate`` (an entry found, with its score),
    ``Match`` (outcome "answer", "choices" or "none"), ``decide(candidates, config) -> Match``.
``bot.text.faq_parts`` — long questions by their parts
    ``split_parts(text, min_words)`` sentences, clauses and windows of a long text;
    ``decide_parts(whole, parts, config)`` "did you mean" with what the parts match (never an answer).
``bot.text.faq_index`` — the FAQ index
    ``FaqIndex.for_library(library)`` / ``.build(entries, config, out_of_scope)`` /
    ``.from_phrasings(...)``; ``index.search(question, limit) -> list[Candidate]``;
    ``index.match(question) -> Match`` (a long question not answered whole: also by its parts);
    ``index_for(deps)`` the running library's index, built once
    and kept in ``deps.extras[EXTRAS_KEY]``.
``bot.text.split`` — platform limits
    ``split_text(text, limit)`` cuts a long text without breaking a syllable cluster.

The marketplace's search index (``handlers.market.search.SearchIndex``) is built on ``normalise_search``,
``split_terms`` and ``close_words``. The names above are importable from ``bot.text`` directly, except
``normalise``, which would hide its module: ``from bot.text.normalise import normalise``.
"""

from bot.text.faq_decide import Candidate, Match, MatchConfig, decide
from bot.text.faq_index import FaqIndex, index_for
from bot.text.features import Analysed, analyse, close_words, split_terms, terms_of
from bot.text.normalise import clusters, fold_confusables, fold_latin, is_unspaced, normalise_search, strip_marks
from bot.text.split import split_text

__all__ = [
    "Analysed",
    "Candidate",
    "FaqIndex",
    "Match",
    "MatchConfig",
    "analyse",
    "close_words",
    "clusters",
    "decide",
    "fold_confusables",
    "fold_latin",
    "index_for",
    "is_unspaced",
    "normalise_search",
    "split_terms",
    "split_text",
    "strip_marks",
    "terms_of",
]
