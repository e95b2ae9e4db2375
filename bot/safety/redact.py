"""Remove personal data from a patient's message before it is stored or shown to staff.

Emails (also spelt out: "marie dot dupont at example dot fr"), links, phone numbers,
street addresses, dates, ID-like numbers and names become placeholders (`[email]`,
`[link]`, `[phone]`, `[address]`, `[date]`, `[number]`, `[name]`). Names are found three
ways: after a cue ("my name is", "Dr", "my wife", "je m'appelle", "mon père", "Signed:",
"Thanks, ..."), before "here," or "ici," at the start of a sentence ("marie dupont
here, ...", "marie ici, ..."), and as capitalised words that are not ordinary words.
"Ordinary" comes from the English and French tables that the pinned
`spacy-lookups-data` package ships (lemma index, lookup and exceptions, and English
word probabilities), never from a word list of our own; `keep` adds the knowledge
base's terms (drugs, therapies, cancers, trial cities) so they stay readable.

French words count as ordinary only in a French message (given, or detected), with and
without their accents ("fievre", "pere"), as patients type them. French has no
word-probability table, so a French word is never "usually lowercase": a capitalised
word inside a sentence is a name unless English says otherwise ("j'ai vu Pierre hier"
-> "[name]"). Known limit: in a French message, a name that is also a French word
("marie", "pierre", "rose") is kept when written in lowercase after a weak cue ("c'est
marie") or when it opens a sentence without a cue.

When in doubt a word is redacted: a question that reads "[name]" is still useful to
staff; a leaked name is not.
"""

from __future__ import annotations

import calendar
import gzip
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from bot.language import detect_language
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
# An email spelt out to dodge filters: "marie dot dupont at example dot fr",
# "jean.m (at) free (dot) fr", "lucie arobase orange point fr". The last part of the
# domain is letters ("at 10.30" is a time), and a domain followed by another "at" is a
# local part ("email me at marie dot dupont at ...": the match starts at "marie").
_DOT = r"(?:\s{1,3}(?:dot|point)\s{1,3}|\s?[(\[]\s?(?:dot|point)\s?[)\]]\s?|\.)"
_AT = (
    r"(?:\s{1,3}(?:at|arobase)\s{1,3}|\s{0,3}[(\[]\s?(?:at|arobase)\s?[)\]]\s{0,3}|\s{0,3}@\s{0,3})"
)
_SPELT_EMAIL = re.compile(
    rf"\b[\w+'-]{{1,64}}(?:{_DOT}[\w+'-]{{1,64}}){{0,3}}{_AT}"
    rf"[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,3}}{_DOT}[^\W\d_]{{2,24}}\b(?!{_AT}\w)",
    re.IGNORECASE,
)
# A street address: a number, then the kind of street and its name ("12 rue de la
# Paix", "3 place d'Italie"), or the name and then the kind ("221b Baker Street").
# Durations and doses before a kind ("a 2 hour drive") are not addresses.
_STREET_FIRST = (
    r"rue|avenue|av|bd|boulevard|blvd|all[ée]e|impasse|chemin|quai|route|rte|place"
    r"|passage|faubourg|street|road|lane"
)
_STREET_LAST = r"street|st|road|rd|avenue|ave|lane|drive|boulevard|blvd|crescent|terrace"
_NOT_A_STREET_NAME = (
    r"the|on|of|a|an|in|to|for|my|and|or|per|with|at|by|from|this|that|every|each|times?"
    r"|days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|mg|ml|km|miles?|kilom[eè]t[er]{2}s?"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}(?:\s?(?i:bis|ter)|[a-dA-D])?,?\s{{1,3}}(?:"
    rf"(?i:{_STREET_FIRST})\b\.?(?:\s{{1,3}}(?i:de|du|des|la|le|les|of|the)\b|\s{{1,3}}[dlDL]['’]){{0,4}}"
    rf"\s{{0,3}}[^\W\d_][\w'’-]{{0,40}}(?:\s{{1,3}}[A-ZÀ-Þ][\w'’-]{{0,40}}){{0,3}}"
    rf"|(?:(?!(?i:{_NOT_A_STREET_NAME})\b)[^\W\d_][\w'’-]{{0,30}}\s{{1,3}}){{1,3}}"
    rf"(?i:{_STREET_LAST})\b\.?"
    rf")"
)
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
PLACEHOLDER = re.compile(r"\[(?:email|link|phone|address|date|number|name)\]")
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
    "aunt uncle mari femme fils fille père pere mère mere frère frere sœur soeur époux epoux "
    "épouse epouse conjoint conjointe compagnon compagne copain copine ami amie papa maman "
    "oncle tante neveu nièce niece cousin cousine gendre petit-fils petite-fille grand-père "
    "grand-pere grand-mère grand-mere beau-père beau-pere belle-mère belle-mere belle-fille"
).split()
# After these weak cues a capitalised word is a name even if it is also a word:
# "my wife Grace", "my daughter Rose", "Doctor Bird".
_NAMING_CUES = (
    ("doctor",),
    ("docteur",),
    ("miss",),
    ("professor",),
    ("madame",),
    ("monsieur",),
    *(("my", relative) for relative in _RELATIVES),
    *((owner, relative) for owner in ("mon", "ma") for relative in _RELATIVES),
)
_WEAK_CUES = (
    ("i", "am"),
    ("i'm",),
    ("im",),
    ("this", "is"),
    ("it's",),
    ("call", "me"),
    ("c'est",),
    ("je", "suis"),
    ("m",),
    *_NAMING_CUES,
)
# A signature: strong, but only where a sentence starts ("Signed: marie"), not in
# "I signed consent forms".
_SIGNATURE_CUES = (("signed",), ("signé",), ("signée",), ("signature",))
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


@dataclass(frozen=True)
class _French:
    """What counts as an ordinary French word, from the installed spaCy lookup tables."""

    known: frozenset[str]  # every form of the tables, with and without its accents
    function: frozenset[str]  # closed classes: determiners, pronouns, prepositions, ...


# The classes of French words that are never names ("et", "je", "de", "qui", "est").
_FRENCH_CLOSED = ("det", "pron", "adp", "cconj", "sconj", "aux")


def _unaccented(word: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)
    ).replace("œ", "oe")


@lru_cache(maxsize=1)
def _french() -> _French:
    """Load the French tables once per process."""
    index = _table("fr_lemma_index")
    lookup = _table("fr_lemma_lookup")
    exceptions = _table("fr_lemma_exc")
    assert isinstance(index, dict) and isinstance(lookup, dict) and isinstance(exceptions, dict)
    words = {w for forms in index.values() for w in forms} | set(lookup)
    words |= {w for lemmas in lookup.values() for w in lemmas}
    function: set[str] = set()
    for kind, forms in exceptions.items():
        words |= set(forms) | {w for lemmas in forms.values() for w in lemmas}
        if kind in _FRENCH_CLOSED:
            function |= set(forms) | {w for lemmas in forms.values() for w in lemmas}
    known = {w for w in words if w.replace("-", "").isalpha() and w.islower()}
    known |= {_unaccented(w) for w in known}
    function = {w for w in function if w.isalpha() and w.islower()}
    return _French(frozenset(known), frozenset(function | {_unaccented(w) for w in function}))


_NO_FRENCH = _French(frozenset(), frozenset())


def function_words() -> frozenset[str]:
    """The most frequent lowercase English words ("the", "how", "does"): never content."""
    return _vocabulary().function


def redact(text: str, keep: Iterable[str] = (), *, language: str | None = None) -> str:
    """Return `text` with personal data replaced by placeholders.

    Args:
        text: a patient's message (any length or content; never raises on odd input).
        keep: terms to leave as they are (drug, therapy, cancer and place names of the
            knowledge base), matched word by word, ignoring case.
        language: the message's language ("en" or "fr") if known; else it is detected.
            French words count as ordinary words only in a French message, so an
            English message keeps its stricter reading ("my wife marie" -> "[name]").

    Returns:
        The message with `[email]`, `[link]`, `[phone]`, `[address]`, `[date]`,
        `[number]` and `[name]` in place of what they replace.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = strip_control(text)
    text = _EMAIL.sub("[email]", text)
    text = _SPELT_EMAIL.sub("[email]", text)
    text = _LINK.sub("[link]", text)
    text = _ADDRESS.sub("[address]", text)
    text = _NIR.sub("[number]", text)
    text = _PHONE.sub("[phone]", text)
    text = _DATE.sub("[date]", text)
    text = _DIGIT_RUN.sub(_digit_run, text)
    text = _ID.sub("[number]", text)
    if language is None:
        language = detect_language(text)
    french = _french() if language == "fr" else _NO_FRENCH
    return _redact_names(text, _keep_words(keep), french)


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
_CUE_WORDS = frozenset(w for cue in _STRONG_CUES + _WEAK_CUES + _SIGNATURE_CUES for w in cue)
# What may follow "<name> here": a comma or the end of a sentence.
_AFTER_HERE = frozenset(",.!:;-–—")


def _core(word: str) -> str:
    """The word without its clitics: "i'm" -> "i", "l'hôpital" -> "hôpital"."""
    return _CLITIC.sub("", word) or word


def _redact_names(text: str, keep: frozenset[str], french: _French) -> str:
    words = list(_WORD.finditer(text))
    lowered = [w.group(0).lower().replace("’", "'") for w in words]
    cores = [_core(w) for w in lowered]
    vocab = _vocabulary()
    names: set[int] = set()

    def known(i: int) -> bool:
        """A word of either language (what a lowercase name-like word must not be)."""
        parts = cores[i].split("-")  # "est-ce", "peut-être", "grand-mère"
        return cores[i] in vocab.known or all(p in french.known or p in vocab.known for p in parts)

    def ordinary(i: int) -> bool:
        word, core = lowered[i], cores[i]
        return (
            word in keep
            or core in keep
            or core in vocab.function
            or core in french.function
            or word in _CUE_WORDS
            or _is_placeholder(text, words[i])
        )

    def looks_like_name(i: int, strong: bool, naming: bool = False, sign_off: bool = False) -> bool:
        """After a cue: is word `i` a name?"""
        if ordinary(i):
            return False
        if strong:
            return True
        if words[i].group(0)[0].isupper():
            return naming or cores[i] not in vocab.common
        # A signature is one to three words at the very end: a lowercase French word
        # there is more likely a name ("bisous, marie") than words ("merci, bonne nuit").
        return cores[i] not in vocab.known if sign_off else not known(i)

    for i in range(len(words)):
        cue_strength = _cue_before(lowered, i, text, words)
        if cue_strength is None or not looks_like_name(
            i, cue_strength == "strong", cue_strength == "naming"
        ):
            continue
        names.add(i)
        # A first name may be followed by one or two more (family names), in any
        # case: "my name is jean martin", "i'm sophie martin".
        for j in range(i + 1, min(i + 3, len(words))):
            joined = text[words[j - 1].end() : words[j].start()].strip(" ") == ""
            # ... but not a lowercase French word ("ma femme Claire tousse").
            french_word = not words[j].group(0)[0].isupper() and cores[j] in french.known
            more = cue_strength == "strong" or (cores[j] not in vocab.common and not french_word)
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
            if not known(i):
                names.add(i)  # "Marie here", "Sophie, ..."
        elif cores[i] not in vocab.common:
            names.add(i)
    names |= _introduced_here(text, words, lowered, ordinary)
    tail = max(0, len(text) - 200)  # a sign-off is at the very end
    sign_off = _SIGN_OFF.search(text, tail)
    if sign_off:
        start, end = sign_off.span("names")
        for i, match in enumerate(words):
            if start <= match.start() < end and looks_like_name(i, False, sign_off=True):
                names.add(i)
    return _replace(text, words, names)


def _introduced_here(
    text: str, words: list[re.Match[str]], lowered: list[str], ordinary: Callable[[int], bool]
) -> set[int]:
    """The words of "marie dupont here, ...", whatever they look like.

    One to three words before "here" (or "ici") and a comma (or a sentence's end), opening a
    sentence or following a greeting's comma ("hello, grace here.").
    """
    names: set[int] = set()
    for i in range(1, len(words)):
        after = text[words[i].end() : words[i].end() + 4].lstrip(" ")
        if lowered[i] not in ("here", "ici") or (after and after[0] not in _AFTER_HERE):
            continue
        for first in range(i - 1, max(-1, i - 4), -1):
            if ordinary(first) or not _adjacent(text, words[first], words[first + 1]):
                break
            before = text[max(0, words[first].start() - 40) : words[first].start()].rstrip()
            if _starts_sentence(text, words[first].start()) or before.endswith(","):
                names.update(range(first, i))
                break
    return names


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip()
    return not before or before.endswith(_SENTENCE_MARKS)


def _is_placeholder(text: str, word: re.Match[str]) -> bool:
    return bool(PLACEHOLDER.fullmatch(text, max(0, word.start() - 1), word.end() + 1))


def _cue_before(lowered: list[str], i: int, text: str, words: list[re.Match[str]]) -> str | None:
    """Return "strong", "naming" or "weak" if a cue ends right before word `i`, else None."""
    for size in range(min(_MAX_CUE, i), 0, -1):
        cue = tuple(lowered[i - size : i])
        if not all(_adjacent(text, words[k], words[k + 1]) for k in range(i - size, i)):
            continue
        if cue in _STRONG_CUES:
            return "strong"
        if cue in _SIGNATURE_CUES and _starts_sentence(text, words[i - size].start()):
            return "strong"
        if cue in _NAMING_CUES:
            return "naming"
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
