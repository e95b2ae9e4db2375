"""Remove personal data from a patient's message before it is stored or shown to staff.

Emails, links, phone numbers, dates, ID-like numbers and names become placeholders
(`[email]`, `[link]`, `[phone]`, `[date]`, `[number]`, `[name]`). Names are found two
ways: after a cue ("my name is", "Dr", "my wife", "Thanks, ..."), and as capitalised
words that are not ordinary words. "Ordinary" comes from the English tables that the
pinned `spacy-lookups-data` package ships (lemma index and lookup, word
probabilities), never from a word list of our own; `keep` adds the knowledge base's
terms (drugs, therapies, cancers, trial cities) so they stay readable.

When in doubt a word is redacted: a question that reads "[name]" is still useful to
staff; a leaked name is not.
"""

from __future__ import annotations

import calendar
import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from bot.text import strip_control

# How common a lowercase word must be (log probability in the spaCy tables) to count
# as an ordinary word even if no lemma table lists it ("hey", "ok", "cuz").
_COMMON_LOG_PROB = -15.0
_FUNCTION_WORDS = 400  # the most frequent lowercase words: never a name

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
    "|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    "|d[ée]cembre|janv|f[ée]vr?|avr|juil"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er)?"
_YEAR = r"(?:\d{4}|'?\d{2})"
_DATE = re.compile(
    rf"\b(?<!\d[/.-])(?:\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}(?![/.-]?\d)"  # 2024-03-12
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}(?![/.-]?\d)"  # 12/03/2024, 12.03.24
    # 3rd of May, 12 mars 2024
    rf"|{_DAY}\s{{1,3}}(?:of\s{{1,3}}|de\s{{1,3}})?(?:{_MONTHS})\b\.?(?:,?\s{{1,3}}{_YEAR}\b)?"
    # March 12th (not "may 200 mg")
    rf"|(?:{_MONTHS})\b\.?\s{{1,3}}{_DAY}(?:,?\s{{1,3}}\d{{4}})?\b(?!\s?(?:mg|ml|g|kg|%))"
    rf"|(?:{_MONTHS})\b\s{{1,3}}\d{{4}}\b"  # March 2024
    rf"|(?<=\bthe\s)\d{{1,2}}(?:st|nd|rd|th)\b(?!\s+(?:cycle|dose|infusion|time|line|week))"
    rf")",
    re.IGNORECASE,
)
# Bounded repeats keep every pattern linear on huge input (no catastrophic backtracking).
_EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# A French social security number (NIR): sex, year, month, place, commune, order, key.
_NIR = re.compile(
    r"\b[12][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[AB])(?:[\s.]?\d{3}){2}(?:[\s.]?\d{2})?\b"
)
_PHONE = re.compile(
    r"(?:\+|\b00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,5}\b"  # +33 1 .., +44
    r"|\(\d{3}\)\s?\d{3}[\s.-]?\d{4}\b"  # (555) 123-4567
    r"|\b0\d(?:[\s.-]?\d{2}){4}\b(?![\s.-]?\d)"  # 01 23 45 67 89
    r"|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b(?![\s.-]?\d)"  # 555-123-4567
)
# Any other run of digits and separators with 8 or more digits (a phone number or an ID).
_DIGIT_RUN = re.compile(r"\b\d[\d\s.-]{6,}\d\b")
# Record numbers, postcodes and other IDs: 5+ digits, maybe with a short prefix; a trial
# registry id (NCT01234567) is public and stays.
_ID = re.compile(r"\b(?!NCT\d{8}\b)[A-Za-z]{0,4}-?\d{5,}[A-Za-z]?\b")
PLACEHOLDER = re.compile(r"\[(?:email|link|phone|date|number|name)\]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*")
_SENTENCE_MARKS = tuple('.!?:;\n"“*•') + ("]",)

# Cues: lowercase word sequences. After a "strong" cue the next word is a name
# whatever it looks like; after a "weak" one only if it is capitalised or not a word.
_STRONG_CUES = (
    ("my", "name", "is"),
    ("my", "name's"),
    ("name", "is"),
    ("i", "am", "called"),
    ("je", "m'appelle"),
    ("m'appelle",),
    ("mon", "nom", "est"),
    ("dr",),
    ("mr",),
    ("mrs",),
    ("ms",),
    ("mme",),
    ("mlle",),
    ("prof",),
    ("pr",),
)
_RELATIVES = (
    "husband wife son daughter mum mom mother dad father brother sister partner friend "
    "boyfriend girlfriend grandson granddaughter grandmother grandfather nephew niece "
    "aunt uncle mari femme fils fille"
).split()
_WEAK_CUES = (
    ("i", "am"),
    ("i'm",),
    ("im",),
    ("this", "is"),
    ("it's",),
    ("call", "me"),
    ("c'est",),
    ("je", "suis"),
    ("doctor",),
    ("docteur",),
    ("miss",),
    ("professor",),
    ("madame",),
    ("monsieur",),
    ("m",),
    *(("my", relative) for relative in _RELATIVES),
    *((owner, relative) for owner in ("mon", "ma") for relative in _RELATIVES),
)
_MAX_CUE = max(len(cue) for cue in _STRONG_CUES + _WEAK_CUES)
_SIGN_OFF = re.compile(
    r"(?:\b(?:thanks|thank\s+you|thx|regards|best\s+wishes|best|cheers|merci|cordialement"
    r"|bisous|love|sincerely)\s*[,!.:-]*|(?:^|\n|\s)[-–—]{1,2})\s*"
    r"(?P<names>[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*){0,2})\s*[.!]*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Vocabulary:
    """What counts as an ordinary word, from the installed spaCy lookup tables."""

    known: frozenset[str]  # lowercase words of the language (typos aside)
    common: frozenset[str]  # known words usually written in lowercase (not names)
    function: frozenset[str]  # the most frequent words ("and", "the", "is")


def _table(name: str) -> object:
    data = files("spacy_lookups_data") / "data" / f"{name}.json.gz"
    return json.loads(gzip.decompress(data.read_bytes()))


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    """Load the English tables once per process (about a second)."""
    index = _table("en_lemma_index")
    lookup = _table("en_lemma_lookup")
    prob: dict[str, float] = _table("en_lexeme_prob")  # type: ignore[assignment]
    assert isinstance(index, dict) and isinstance(lookup, dict)
    lemmas = {w for words in index.values() for w in words} | set(lookup) | set(lookup.values())
    lemmas |= {m.lower() for m in (*calendar.month_name, *calendar.day_name) if m}
    known = {w for w in lemmas if w.isalpha() and w.islower()}
    known |= {w for w, p in prob.items() if p > _COMMON_LOG_PROB and w.islower() and w.isalpha()}
    unseen = -100.0
    common = {w for w in known if prob.get(w, unseen) >= prob.get(w.capitalize(), unseen)}
    common |= {m.lower() for m in (*calendar.month_name, *calendar.day_name) if m}
    frequent = sorted((w for w in prob if w.isalpha() and w.islower()), key=lambda w: -prob[w])[
        :_FUNCTION_WORDS
    ]
    return _Vocabulary(frozenset(known), frozenset(common), frozenset(frequent))


def function_words() -> frozenset[str]:
    """The most frequent lowercase English words ("the", "how", "does"): never content."""
    return _vocabulary().function


def redact(text: str, keep: Iterable[str] = ()) -> str:
    """Return `text` with personal data replaced by placeholders.

    Args:
        text: a patient's message (any length or content; never raises on odd input).
        keep: terms to leave as they are (drug, therapy, cancer and place names of the
            knowledge base), matched word by word, ignoring case.

    Returns:
        The message with `[email]`, `[link]`, `[phone]`, `[date]`, `[number]` and
        `[name]` in place of what they replace.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = strip_control(text)
    text = _EMAIL.sub("[email]", text)
    text = _LINK.sub("[link]", text)
    text = _NIR.sub("[number]", text)
    text = _PHONE.sub("[phone]", text)
    text = _DATE.sub("[date]", text)
    text = _DIGIT_RUN.sub(_digit_run, text)
    text = _ID.sub("[number]", text)
    return _redact_names(text, _keep_words(keep))


def _digit_run(match: re.Match[str]) -> str:
    """A long run of digits with separators: a phone number, unless it is short."""
    run = match.group(0)
    if run.isdigit():
        return "[number]"
    return "[phone]" if sum(c.isdigit() for c in run) >= 8 else run


def _keep_words(keep: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower().replace("’", "'") for term in keep for w in _WORD.findall(term))


_CLITIC = re.compile(r"^(?:[cdjlmnst]|qu)'|'(?:s|m|t|re|ll|ve|d)$|n't$")
# Words of a cue are never names themselves ("Dr", "Madame", "my").
_CUE_WORDS = frozenset(w for cue in _STRONG_CUES + _WEAK_CUES for w in cue)


def _core(word: str) -> str:
    """The word without its clitics: "i'm" -> "i", "l'hôpital" -> "hôpital"."""
    return _CLITIC.sub("", word) or word


def _redact_names(text: str, keep: frozenset[str]) -> str:
    words = list(_WORD.finditer(text))
    lowered = [w.group(0).lower().replace("’", "'") for w in words]
    cores = [_core(w) for w in lowered]
    vocab = _vocabulary()
    names: set[int] = set()

    def ordinary(i: int) -> bool:
        word, core = lowered[i], cores[i]
        return (
            word in keep
            or core in keep
            or core in vocab.function
            or word in _CUE_WORDS
            or _is_placeholder(text, words[i])
        )

    def looks_like_name(i: int, strong: bool) -> bool:
        """After a cue: is word `i` a name?"""
        if ordinary(i):
            return False
        if strong:
            return True
        if words[i].group(0)[0].isupper():
            return cores[i] not in vocab.common
        return cores[i] not in vocab.known

    for i in range(len(words)):
        cue_strength = _cue_before(lowered, i, text, words)
        if cue_strength is None or not looks_like_name(i, cue_strength == "strong"):
            continue
        names.add(i)
        # A first name may be followed by one or two more (family names), in any
        # case: "my name is jean martin", "i'm sophie martin".
        for j in range(i + 1, min(i + 3, len(words))):
            joined = text[words[j - 1].end() : words[j].start()].strip(" ") == ""
            more = cue_strength == "strong" or cores[j] not in vocab.common
            if not joined or ordinary(j) or not more:
                break
            names.add(j)
    for i, match in enumerate(words):
        original = match.group(0)
        if i in names or ordinary(i) or not original[0].isupper():
            continue
        if original.isupper() and len(original) <= 4:
            continue  # acronyms: MRI, ICU, PD
        if _starts_sentence(text, match.start()):
            if cores[i] not in vocab.known:
                names.add(i)  # "Marie here", "Sophie, ..."
        elif cores[i] not in vocab.common:
            names.add(i)
    tail = max(0, len(text) - 200)  # a sign-off is at the very end
    sign_off = _SIGN_OFF.search(text, tail)
    if sign_off:
        start, end = sign_off.span("names")
        for i, match in enumerate(words):
            if start <= match.start() < end and looks_like_name(i, False):
                names.add(i)
    return _replace(text, words, names)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip()
    return not before or before.endswith(_SENTENCE_MARKS)


def _is_placeholder(text: str, word: re.Match[str]) -> bool:
    return bool(PLACEHOLDER.fullmatch(text, max(0, word.start() - 1), word.end() + 1))


def _cue_before(lowered: list[str], i: int, text: str, words: list[re.Match[str]]) -> str | None:
    """Return "strong" or "weak" if a cue ends right before word `i`, else None."""
    for size in range(min(_MAX_CUE, i), 0, -1):
        cue = tuple(lowered[i - size : i])
        if not all(_adjacent(text, words[k], words[k + 1]) for k in range(i - size, i)):
            continue
        if cue in _STRONG_CUES:
            return "strong"
        if cue in _WEAK_CUES:
            return "weak"
    return None


def _adjacent(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether only spaces (or a title's dot, or a colon) separate two words."""
    between = text[first.end() : second.start()]
    return len(between) <= 3 and between.strip(" .:,") == ""


def _replace(text: str, words: list[re.Match[str]], names: set[int]) -> str:
    """Replace the words at `names` by [name], a run of them by a single one."""
    parts: list[str] = []
    position = 0
    previous: int | None = None
    for i in sorted(names):
        match = words[i]
        between = text[position : match.start()]
        if previous == i - 1 and between.strip(" -") == "":
            position = match.end()  # joins the [name] already written
        else:
            parts += [between, "[name]"]
            position = match.end()
        previous = i
    parts.append(text[position:])
    return "".join(parts)
