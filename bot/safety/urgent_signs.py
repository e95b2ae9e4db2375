"""Urgent-symptom net: spots immunotherapy warning signs in a patient's message.

The check is deterministic and needs only the message text, so the same words always give
the same answer and it is tested without Rasa. It is tuned for recall: when a personal
report of a listed sign is ambiguous it fires, because a needless "call your team" costs
far less than a missed colitis, pneumonitis or neurotoxicity.
"""

from __future__ import annotations

import collections
import functools
import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.safety.vocabulary import load_vocabulary
from bot.text import strip_control

log = logging.getLogger(__name__)
FAILURES: collections.Counter[str] = collections.Counter()  # error type -> times, this process

MAX_CHARS = 5000  # a symptom report fits easily; longer pastes would only cost time
SIGN_IDS: tuple[str, ...] = tuple(
    "fever breathing chest_pain diarrhoea_severe belly_pain_severe liver headache_vision "
    "neuro fainting heart skin_severe urine weakness vomiting swelling thirst bleeding".split()
)


@dataclass(frozen=True)
class Triage:
    """Outcome of one check.

    Attributes:
        urgent: True when at least one warning sign fired.
        signs: Stable ids of the signs that fired, in `SIGN_IDS` order; safe to log.
        failed: the check crashed, so `urgent` says nothing (see `assess`).
        dismissed: a sign was mentioned but read as not urgent: negated ("no fever"),
            over ("it's gone"), asked about ("can it cause a cough?") or a normal reading.
    """

    urgent: bool
    signs: tuple[str, ...]
    failed: bool = False
    dismissed: bool = False


# The vocabulary a clinician can read and edit: macros, sign patterns and context cues.
VOCABULARY_FILE = Path(__file__).with_name("urgent_signs.yml")
_VOCABULARY = load_vocabulary(VOCABULARY_FILE, SIGN_IDS)
_MANY_TIMES = re.compile(  # 4+ times a day; all the number words listed are 4 or more
    r"\b(?P<more>more than |over |plus de )?(\d{1,3} ?(or|to|-|ou|a) ?)?(?P<n>\d{1,3}|four|five|"
    r"six|seven|eight|nine|ten|eleven|twelve|lots|loads|many|several|dozens|quatre|cinq|sept|"
    r"huit|neuf|dix|onze|douze|plusieurs|dizaines?) ?(\+ ?)?(of )?(x|times?|episodes?|bouts?|"
    r"trips?|movements?|motions?|bowel|stools?|poos?|loose|watery|runny|fois|selles?)\b"
)
_TIMES_FIRST = re.compile(r"\bx ?(?P<n>\d{1,3})\b")  # "x6", "x 6": a count typed on a phone
_NON_STOP = re.compile(
    r"\b(non ?- ?stop|nonstop|constant(ly)?|continuous(ly)?|continual|relentless|explosive|hourly|"
    r"uncontrollabl[ey]|every (\d+ |half (an )?)?(hour|min)|all (day|night)|round the clock|"
    r"sans (arret|cesse|interruption)|en continu|toutes les (\d+ )?(heures?|minutes?)|"
    r"toute la (nuit|journee)|tout le temps|non-stop)\b"
)
_PRONOUNS = frozenset("it that this which ca cela ce elle il".split())  # "..., but it's gone"
_STILL = frozenset("not no never ne pas jamais toujours".split())  # "won't go away"
_EFFECT_WORDS = frozenset("effect cause effet effets secondaire secondaires frequent".split())
_SO_WORDS = frozenset("so this aussi autant tellement si".split())  # "never so dizzy"
_CONFUSED = frozenset("confused confusion confus confuse confuses".split())
_ABOUT = frozenset("about by with pour par avec sur concernant quant".split())
# "ça s'est arrêté" is over; "j'ai arrêté le traitement" says nothing about the sign.
_STOPPED = frozenset("arrete arretee arretes arretees calme calmee calmes calmees".split())
_SENT_BREAK, _PHRASE_BREAK = frozenset(". ! ? ; …".split()), frozenset(", : ( ) - --".split())


# French is matched without accents and with its elisions spelt out ("l'urine" is read as
# "le urine", "j'ai" as "je ai"), so one pattern word covers "fièvre" and "fievre" and needs
# no apostrophe variants. Patterns and cues are folded the same way as the message.
_ELISION = re.compile(r"\b(qu|[cdjlmnst])'(?=[a-z])")
_ELIDED = {"qu": "que", "c": "ce", "d": "de", "j": "je", "l": "le", "m": "me", "n": "ne"}
_ELIDED |= {"s": "se", "t": "te"}
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# "est-il normal d'être essoufflé ?" asks in general: an inverted subject pronoun is not
# a person the message is about, so it is dropped; "peut-être" (maybe) is one word.
_INVERSION = re.compile(r"(?<=[a-z])-(?:t-)?(?:il|elle|on|ils|elles)\b")
_MAYBE = re.compile(r"\bpeut-etre\b")
# French negation words a "_" never skips: "mes urines ne sont pas foncées" reports no sign.
_NOT_SKIPPED = ["pas", "jamais", "aucun", "aucune"]


def _fold(text: str) -> str:
    """Lower-case text without accents, ligatures or French elisions."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _ELISION.sub(lambda m: _ELIDED[m.group(1)] + " ", text)
    return _MAYBE.sub("peutetre", _INVERSION.sub("", text))


# Macros are written "{name}" inside phrases; the compiler below expands them in place.
_LEX = {
    **{f"{{{k}}}": [_fold(v) for v in vs] for k, vs in _VOCABULARY.macros.items()},
    **{k: [_fold(v) for v in vs] for k, vs in _VOCABULARY.patterns.items()},
}
_CUE = {name: frozenset(_fold(w) for w in words) for name, words in _VOCABULARY.cues.items()}
_WH = _CUE.get("wh_words", frozenset())  # optional: question words that open a question
# Optional: "si" + a plain verb ("si j'ai", "s'il a") is a hypothetical in its own clause only.
_IF_HAVE = {k: _CUE.get(f"if_have_{k}", frozenset()) for k in ("verbs", "cues")}
_SEV_WORDS = frozenset(_LEX["{sev}"][0].split("|")) | {"worse", "really"}
# Temperatures are read from the text itself: "38.5", "39°c", "101.5 f", "fièvre 39".
_TEMP_RE = re.compile(
    r"(?<![\d.,:/£$€])(\d{2,3}(?:[.,]\d{1,2})?)(?![\d/]|[.,]\d)\s*"
    r"(°|degrees?\b|degs?\b)?\s*(c\b|f\b|celsius|centigrade|fahrenheit|farenheit)?"
)
_TEMP_WORD = re.compile(r"\b(temp|fever|fi[eè]vre|fiebre|thermometer|febrile|reading|spik|chill)")
_NOT_TEMP = re.compile(
    r"\s*(kg|kilo|lb|pound|stone|st\b|mg|mcg|ml|cm|mm|%|percent|year|yr|yo\b|y/o|week|day|"
    r"hour|hr|min|time|x\b|pm\b|am\b|bpm|mmhg|unit|cycle|tablet|pill|dose)"
)
_TAG_RE = re.compile(r"<[^<>]{0,200}>")
_LONG_RUN = re.compile(r"(\S{40})(?=\S)")
_SPAN = 40  # tokens looked at around a sign; bounds the work on run-on messages
_PRE = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "º": "°", "˚": "°"})


def _token_pattern(nlp: Language, spec: str) -> dict[str, Any]:
    """Compile one token spec of the pattern mini-language."""
    optional = len(spec) > 1 and spec.endswith("?")
    spec = spec[:-1] if optional else spec
    if spec == "_":
        return {"IS_PUNCT": False, "IS_SPACE": False, "LOWER": {"NOT_IN": _NOT_SKIPPED}, "OP": "?"}
    words = [w.lstrip("=") for w in spec.split("|")]
    if spec.startswith("="):
        pattern: dict[str, Any] = {"LOWER": {"IN": words}}
    else:
        pattern = {"LEMMA": {"IN": sorted(set(words) | {nlp(w)[0].lemma_ for w in words})}}
    return {**pattern, "OP": "?"} if optional else pattern


@functools.lru_cache(maxsize=1)
def _pipeline() -> tuple[Language, dict[str, tuple[frozenset[str], Matcher]]]:
    """Build the blank English pipeline and one matcher per label, once per process."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    matchers = {}
    for label, phrases in _LEX.items():
        if label.startswith("{"):
            continue
        variants = []
        for phrase in phrases:
            parts = re.split(r"(\{\w+\})", phrase)
            for combo in itertools.product(*(_LEX.get(p, [p]) for p in parts)):
                variants.append([_token_pattern(nlp, s) for s in "".join(combo).split()])
        # A matcher costs about 0.2 us per pattern and token even on junk, so a label only
        # runs when the message holds a word that can start one of its patterns.
        firsts = [next(t for t in v if "OP" not in t) for v in variants]
        anchors = frozenset(w for t in firsts for w in (t.get("LEMMA") or t["LOWER"])["IN"])
        matchers[label] = (anchors, Matcher(nlp.vocab))
        matchers[label][1].add(label, variants)
    return nlp, matchers


def _clean(text: object) -> str:
    """Turn any input into bounded, lower-case, printable text."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS].translate(_PRE))
    text = _fold(strip_control(_TAG_RE.sub(" ", text)))
    # The tokenizer is quadratic on long unbroken runs (emoji walls, base64): cut them up.
    return _LONG_RUN.sub(r"\1 ", text)


def _temperatures(text: str) -> list[float]:
    """Return the body temperatures (°C) written in the text.

    A bare number counts when it has a unit, one decimal in body range ("is 39.2 too
    high?") or a temperature word close by, so ages, doses and weights are left alone.
    """
    found = []
    for m in _TEMP_RE.finditer(text):
        raw, deg, unit = m.group(1), m.group(2), m.group(3) or ""
        value = float(raw.replace(",", "."))
        if not (deg or unit):
            context = text[max(0, m.start() - 30) : m.start()] + " " + text[m.end(1) : m.end() + 12]
            if _NOT_TEMP.match(text, m.end(1)) or not (
                _TEMP_WORD.search(context) or re.fullmatch(r"\d{2,3}[.,]\d", raw)
            ):
                continue
        fahrenheit = unit.startswith("f") or (not unit.startswith("c") and value >= 50)
        celsius = (value - 32) / 1.8 if fahrenheit else value
        if 34.0 <= celsius <= 44.0:
            found.append(celsius)
    return found


class _Context:
    """Sentence and clause boundaries plus message-level cues, computed once per doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.sent = [t.text in _SENT_BREAK or "\n" in t.text for t in doc]
        self.phrase = [b or t.text in _PHRASE_BREAK for b, t in zip(self.sent, doc, strict=True)]
        self.clause = [
            b or t.lower_ in _CUE["clause_break"] for b, t in zip(self.phrase, doc, strict=True)
        ]
        times = {"this morning", "this evening", "last night", "this week", "last week"}
        times |= {"ce matin", "ce soir", "cette nuit", "cette semaine", "la nuit"}
        bigrams = {f"{a.lower_} {b.lower_}" for a, b in zip(doc, doc[1:], strict=False)}
        self.personal = any(t.lower_ in _CUE["personal"] for t in doc) or bool(bigrams & times)
        self.question = "?" in doc.text

    def back(self, start: int, breaks: list[bool]) -> list[int]:
        """Indices before `start`, nearest first, up to the previous boundary (at most 40)."""
        stop = start - 1
        while stop >= 0 and start - stop <= _SPAN and not breaks[stop]:
            stop -= 1
        return list(range(start - 1, stop, -1))

    def negated(self, start: int, end: int) -> bool:
        """A negation cue a few tokens before, or 'gone/settled/better' just after, the sign."""
        doc = self.doc
        window = self.back(start, self.clause)
        # Four words back, not counting fillers: "don't have a temperature or a cough".
        content = [i for i in window if doc[i].lower_ not in _CUE["filler"]][:4]
        for i in window[: window.index(content[-1]) + 1] if content else []:
            cue = "not" if doc[i].lemma_ == "not" else doc[i].lower_
            if cue in _CUE["neg"] and (
                i + 1 == start or doc[i + 1].lower_ not in _CUE["pseudo_neg"]
            ):
                if cue == "plus" and not _no_more(doc, i):
                    continue  # "plus essoufflé" is more breathless, "plus de fièvre" none left
                # "never felt so dizzy" is a report, "never had a fever" is not.
                words = {t.lower_ for t in doc[i:start]}
                if not (cue in {"never", "jamais"} and words & _SO_WORDS):
                    return True
        j, limit = end, end + 5
        while j < min(limit, len(doc)):
            if self.clause[j]:
                # Follow a pronoun into the next clause: "a fever on Monday, but it's gone".
                k = next((k for k in range(j, len(doc)) if not self.clause[k]), len(doc))
                if k == len(doc) or doc[k].lower_ not in _PRONOUNS:
                    break
                j, limit = k, k + 5
            nxt = doc[j + 1].lower_ if j + 1 < len(doc) else ""
            gone = doc[j].lemma_ == "go" and nxt in {"away", "down"}
            # "de la fièvre hier seulement": it was only yesterday.
            gone = gone or (doc[j].lower_ == "seulement" and doc[j - 1].lower_ == "hier")
            stopped = doc[j].lower_ in _STOPPED and nxt not in {"pas", "plus", "jamais"}
            gone = gone or (stopped and "se" in {t.lower_ for t in doc[j - 2 : j]})
            if gone or (doc[j].lower_ in _CUE["resolved"] and nxt != "out"):
                # "won't go away" and "no better" keep the sign alive.
                return not any(doc[k].lemma_ in _STILL for k in range(end, j))
            j += 1
        return False

    def general(self, start: int) -> bool:
        """A question about what a treatment can cause, rather than a report of a sign."""
        if not self.personal:
            words = [i for i in reversed(self.back(start, self.phrase)) if self.doc[i].is_alpha]
            first = self.doc[words[0] if words else start]
            follow = self.doc[first.i + 1].lemma_ if first.i + 1 < len(self.doc) else ""
            wh = first.lower_.startswith("wh") or first.lower_ == "how" or first.lower_ in _WH
            if first.lower_ in _CUE["q_words"] and follow != "not" and (self.question or wh):
                return True
            sentence = {self.doc[i].lemma_ for i in self.back(start, self.sent)}
            if self.question and sentence & _EFFECT_WORDS:
                return True
        return self.hypothetical(start)

    def hypothetical(self, start: int) -> bool:
        """True after 'if I get', 'can keytruda cause', 'will CAR-T make me' in the sentence."""
        idx, doc = self.back(start, self.sent), self.doc
        clause = self.back(start, self.clause)
        if any(  # "si j'ai de la fièvre", only in the sign's own clause
            doc[i].lower_ in _IF_HAVE["verbs"]
            and any(_if_cue(doc, k) for k in clause[n + 1 : n + 4])
            for n, i in enumerate(clause)
        ):
            return True
        return any(
            # The exact form too: French has no lemmas here ("avoir" has no English lemma).
            (doc[i].lemma_ in _CUE["hypo_verb"] or doc[i].lower_ in _CUE["hypo_verb"])
            and any(doc[k].lower_ in _CUE["hypo_cue"] for k in idx[n + 1 : n + 4])
            for n, i in enumerate(idx)
        )


def _if_cue(doc: Doc, k: int) -> bool:
    """An "if" at `k`: "si", or the "se" of "s'il" (never the "se" of "il s'est évanoui")."""
    word = doc[k].lower_
    if word == "se":
        return word in _IF_HAVE["cues"] and k + 1 < len(doc) and doc[k + 1].lower_ in {"il", "ils"}
    return word in _IF_HAVE["cues"]


def _no_more(doc: Doc, i: int) -> bool:
    """'plus' at `i` negates ("plus de fièvre", "n'est plus essoufflé") unless it means more.

    "de plus en plus de" and "il est plus essoufflé" say more; "ne ... plus" (no longer)
    has its "ne" at most three words before ("il ne se sent plus").
    """
    nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    prev = doc[i - 1].lower_ if i else ""
    if any(t.lower_ == "ne" for t in doc[max(0, i - 3) : i]):
        return True
    return nxt == "de" and prev not in {"en", "de", "encore", "beaucoup", "bien", "peu"}


def _many_times(text: str) -> bool:
    """True when the text gives a frequency of 4 or more ("6 times", "4-5x", "non-stop")."""
    for m in _MANY_TIMES.finditer(text):
        n = m.group("n")
        if not n.isdigit() or int(n) + bool(m.group("more")) >= 4:
            return True
    if any(int(m.group("n")) >= 4 for m in _TIMES_FIRST.finditer(text)):
        return True
    return bool(_NON_STOP.search(text))


def _bowel(ctx: _Context, start: int, end: int, strong: bool) -> bool:
    """Severe diarrhoea: 4+ a day, non-stop, or called severe, in a bowel word's sentence."""
    doc, before = ctx.doc, ctx.back(start, ctx.sent)
    lo, hi = (before[-1] if before else start), end
    while hi < min(len(doc), end + _SPAN) and not ctx.sent[hi]:
        hi += 1
    if not strong and any(t.lower_ in _CUE["urine_words"] for t in doc[lo:hi]):
        return False  # "to the toilet 6 times to pee" is not diarrhoea
    if _many_times(doc[lo:hi].text):
        return True  # a count is a measurement: urgent even inside a question
    if not strong or ctx.general(start):
        return False
    stop = any(t.lemma_ == "stop" and doc[t.i - 1].lemma_ == "not" for t in doc[lo:hi])
    near = doc[max(lo, start - 3) : min(hi, end + 4)]
    return stop or any(t.lower_ in _SEV_WORDS or t.lemma_ in _SEV_WORDS for t in near)


def _analyse(text: object) -> tuple[set[str], bool]:
    """Return the sign ids found in one message, and whether any sign was mentioned."""
    clean = _clean(text)
    if not clean.strip():
        return set(), False
    nlp, matchers = _pipeline()
    doc = nlp(clean)
    words = {t.lower_ for t in doc} | {t.lemma_ for t in doc}
    ctx = _Context(doc)
    readings = _temperatures(clean)
    signs = {"fever"} if any(c >= 38.0 for c in readings) else set()
    runs = [(label, m) for label, (anchors, m) in matchers.items() if anchors & words]
    mentioned = bool(readings)
    for label, start, end in ((label, s, e) for label, m in runs for _, s, e in m(doc)):
        mentioned = True
        if label == "_mild":
            continue  # a mild symptom: mentioned, never a sign on its own
        sign = "diarrhoea_severe" if label in {"_bowel", "_blood"} else label
        if sign in signs or (label == "fever" and readings):
            continue  # a measured temperature outranks the word "fever"
        after = doc[end].lower_ if end < len(doc) else ""
        if doc[end - 1].lower_ in _CONFUSED and after in _ABOUT:
            continue  # "confused about my appointment", "confuse pour le rendez-vous"
        if ctx.negated(start, end):
            continue
        if label == "_bowel":
            signs |= {"diarrhoea_severe"} if _bowel(ctx, start, end, strong=True) else set()
        elif label == "_blood":
            # Blood in stool fires even in a question, unless it asks what a drug can cause.
            signs |= set() if ctx.hypothetical(start) else {"diarrhoea_severe"}
        elif not ctx.general(start):
            signs.add(label)
    weak = [t.i for t in doc if t.lower_ in _CUE["bowel_weak"]]
    if "diarrhoea_severe" not in signs and any(_bowel(ctx, i, i + 1, False) for i in weak):
        signs.add("diarrhoea_severe")
    return signs, mentioned or bool(weak)


def find_signs(text: object) -> Triage:
    """Check one message for urgent immunotherapy warning signs, letting errors through.

    Tests call this, so a bug in the net fails them instead of reading as "not urgent".

    Args:
        text: The raw user message. Any value is accepted; only the first `MAX_CHARS`
            characters are read.
    """
    found, mentioned = _analyse(text)
    signs = tuple(s for s in SIGN_IDS if s in found)
    return Triage(urgent=bool(signs), signs=signs, dismissed=mentioned and not signs)


def assess(text: object) -> Triage:
    """`find_signs` for the running assistant: it never raises.

    On an internal error it logs the error type at ERROR (never the text: it could carry
    health data), counts it in `FAILURES`, and returns a triage marked `failed`, so the
    caller can fall back on the learned detector instead of reading "not urgent".
    """
    try:
        return find_signs(text)
    except Exception as exc:  # a triage bug must never take the conversation down
        FAILURES.update([type(exc).__name__])
        log.error("urgent-symptom triage failed: %s", type(exc).__name__)
        return Triage(urgent=False, signs=(), failed=True)


def is_urgent(text: str) -> bool:
    """Return True when `text` reports at least one urgent warning sign."""
    return assess(text).urgent
