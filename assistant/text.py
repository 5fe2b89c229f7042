"""Words of a question or passage, as the lexical index sees them (porter stems, no stop words)."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves tell told say said says saying anything something please did does any much
    many also get got know""".split()
)
_WORD = re.compile(r"[a-z0-9£]+(?:-[a-z0-9]+)*(?:['’][a-z]+)?")  # "multi-agency" is not "agency"


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("porter")  # the same algorithm as SQLite FTS5's porter tokenizer


def words(text: str) -> list[str]:
    """Lower-case content words, possessives dropped, stop words removed."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if word not in STOPWORDS and len(word) > 1:
            out.append(word)
    return out


def stems(text: str) -> list[str]:
    """Porter stems of the content words, in order, repeats kept."""
    return _stemmer().stemWords(words(text)) if text else []


def word_stems(text: str) -> list[tuple[str, str]]:
    """(word, stem) of a text's content words made of letters only, three or more of them."""
    kept = [w for w in words(text) if len(w) > 2 and w.isalpha()]
    return list(zip(kept, _stemmer().stemWords(kept), strict=True))


@lru_cache(maxsize=16384)
def stem_set(text: str) -> frozenset[str]:
    """The distinct stems of a text; cached, as a search scores the same passages' sentences many times."""
    return frozenset(stems(text))


def fts_query(text: str, skip_stems: set[str] = frozenset()) -> str:
    """An FTS5 expression matching any content word of a text, less the words whose stems are skipped."""
    unique = dict.fromkeys(w.replace("’", "'").replace("'", "") for w in words(text))
    kept = [w for w in unique if w and (not skip_stems or _stemmer().stemWord(w) not in skip_stems)]
    return " OR ".join(f'"{w}"' for w in kept)
