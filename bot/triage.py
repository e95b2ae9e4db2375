"""Urgent-symptom net: spots immunotherapy warning signs in a patient's message.

The check is deterministic and needs only the message text, so the same words always
give the same answer and it can be tested without Rasa. It is tuned for recall: when a
personal report of a listed sign is ambiguous it fires, because a needless "call your
team" costs far less than a missed colitis, pneumonitis or neurotoxicity.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

log = logging.getLogger(__name__)

MAX_CHARS = 5000  # a symptom report fits easily; longer pastes only cost time
SIGN_IDS = ("fever", "breathing", "chest_pain", "diarrhoea_severe", "belly_pain_severe",
            "liver", "headache_vision", "neuro", "fainting", "heart", "skin_severe",
            "urine", "weakness")


@dataclass(frozen=True)
class Triage:
    """Outcome of one check.

    Attributes:
        urgent: True when at least one warning sign fired.
        signs: Stable ids of the signs that fired, in `SIGN_IDS` order; safe to log.
    """

    urgent: bool
    signs: tuple[str, ...]


# Pattern mini-language, compiled into Matcher patterns: words are matched on LEMMA
# (pattern words go through the same lemmatizer, so "coughing" also finds "coughed"),
# "=word" on LOWER where a lemma would over-match ("confusing" -> "confuse"), "a|b" are
# alternatives, a trailing "?" makes a token optional, "_" is an optional non-punctuation
# token, and {cant}/{wont} expand to the ways people type those negated verbs.
_MACROS = {"{cant}": ("can|ca not", "unable to", "not able to"), "{wont}": ("wo|will|would not",)}
_SEV = ("severe|bad|terrible|unbearable|awful|horrible|horrendous|excruciating|agonising|"
        "agonizing|intense|extreme|worst|crippling|sharp|dreadful")
_INT = "really|very|so|extremely|super|bloody|incredibly|absolutely|quite"
_STOOL = "poo|poos|poop|stool|stools|diarrhoea|diarrhea|motion|motions|bowel|bowels"
_PATTERNS: dict[str, tuple[str, ...]] = {
    "fever": ("fever|feverish|feaver|fevre|fièvre|fiebre|febrile|pyrexia|pyrexial|rigor|rigors|rigours",
              "high|raised|elevated|spiking temp|temperature|temprature|tempreture|temperture",
              "temp|temperature|temprature _? _? high|up|rising|spiking|climbing|soaring|raised",
              "burn up", "run a|high? temp|temperature", "spike a? temp|temperature",
              "hot and shivery|shaky|cold"),
    "breathing": ("breathless|breathlessness|wheeze|wheezing|wheezy|cough|coughing|caugh",
                  "short -? of -? breath|breathe", "shortness of breath", "out of breath",
                  "{cant} breathe|breath|breathing", "{cant} catch|get my|his|her? breath|air",
                  "{cant} get enough air|breath", "hardly|barely breathe|breath",
                  "struggle|hard|difficult|difficulty|trouble|problem|problems|labour|labor|fight|gasp "
                  "to|with|for? breathe|breath|breathing|air",
                  "breathing|breath _? _? bad|worse|fast|rapid|shallow|laboured|labored|difficult|hard|"
                  "heavy|noisy|tight|raspy"),
    "chest_pain": ("chest _? _? pain|pains|hurt|tight|tightness|heavy|heaviness|pressure|ache|aching|"
                   "sore|painful|crushing|discomfort",
                   "pain|pains|ache|tightness|pressure|heaviness|discomfort in|on|across|around "
                   "my|his|her|the? chest", "tight|crushing|heavy|painful|sore chest", "heart attack"),
    "_bowel": ("diarrhoea|diarrhea|diarhoea|diarhea|diarrea|diarreah|diahrrea|diahorrea|diorrhea|"
               "diarrohea|diarrhoe|diarrhée",
               f"loose|watery|runny|liquid {_STOOL}", "the run|runs|trots|squits|shits"),
    "_blood": (f"blood|bleeding in|on|with|from _? {_STOOL}|toilet|loo|bum|bottom|rectum|nappy|underwear",
               f"bloody|black|tarry|maroon {_STOOL}", f"{_STOOL} _? _? black|bloody|tarry|blood|maroon",
               "poo|poop|=pooing|=pooping|pass blood", "rectal bleed|bleeding",
               "bleed|bleeding from my|his|her|the? bum|bottom|rectum|anus|behind",
               "blood when|after i|he|she? poo|poop|wipe|go"),
    "belly_pain_severe": (
        f"{_INT}? {_SEV} stomach|belly|abdominal|abdomen|tummy|gut|stomachache|tummyache|bellyache",
        f"{_SEV} pain|pains|ache|cramp|cramps|cramping in|on|across my|his|her|the? "
        "stomach|belly|tummy|abdomen|gut",
        f"stomach|belly|tummy|abdomen|abdominal|gut pain|ache|cramp|cramps? be|have|feel|get _? _? "
        f"{_SEV}|kill|killing", "double over|up in? pain|agony?"),
    "liver": ("jaundice|=jaundiced",
              "yellow|yellowish|yellowy|=yellowing skin|eye|eyes|tinge|tint|complexion|face",
              "=yellowing of the? skin|eyes", "eye|eyes|skin|face|white _? _? _? yellow|yellowish|"
              "yellowy|=yellowing|orange", "turn|turning|go|gone|look yellow",
              "dark|brown|orange|=tea|=cola|=coke urine|pee|wee|wees|piss",
              "urine|pee|wee|piss be|have|look|seem|get|go|turn _? _? dark|brown|orange|=tea|=cola|=coke"),
    "headache_vision": (
        f"{_INT}? {_SEV}|splitting|pounding|blinding|thumping|massive|horrific "
        "headache|headaches|migraine|migraines|head",
        f"headache|head _? be|have|feel _? _? {_SEV}|kill|killing|splitting|pounding|exploding|bursting",
        "headache|headaches|migraine _? _? _? not go|stop|ease|shift|budge|settle|improve|respond",
        "blurred|blurry|blur|double|fuzzy|cloudy|hazy|dim|distorted|tunnel|patchy vision|eyesight|sight",
        "vision|eyesight _? _? _? blurry|blurred|blur|fuzzy|double|weird|strange|funny|dark|dim|hazy|"
        "cloudy|worse|distorted|patchy|change|changed",
        "change|changes|problem|problems|trouble|loss|lose|lost|disturbance|difficulty in|with|to|of? "
        "my|his|her|the? vision|eyesight|sight", "vision|eyesight change|changes|problem|problems|loss",
        "see|seeing double|spots|flashes|halos", "blurry|blurred|fuzzy eye|eyes",
        "{cant} see|focus _? properly|clearly|straight|well|normally|anything|out"),
    "neuro": ("=confused|=confusion|=confussed|=disoriented|=disorientated|=disorientation|=delirious|"
              "=delirium|=muddled|=incoherent|=gibberish|=slurring|=slurred",
              "hallucination|hallucinations|hallucinate|=hallucinating", "see|hear thing|things|voices",
              "trouble|difficulty|difficulties|problem|problems|struggle speak|speaking|speech|word|words",
              "{cant} talk|speak _? properly|clearly|normally|straight", "slur|slurred speech|words",
              "speech _? _? slurred|slurry|weird|strange|garbled|jumbled|muddled|funny",
              "{cant} find|get _? _? word|words", "word|words come out _? wrong|jumbled|muddled|mixed|weird",
              "not =making _? sense", "talk nonsense|gibberish",
              "seizure|seizures|seize|convulsion|convulsions|convulse|=fitting|epileptic",
              "have a|another? fit|fits", "have a stroke",
              "shake|shook|tremble|jerk|twitch uncontrollably|uncontrollable|violently",
              "uncontrollable|uncontrollably|violent shake|shaking|trembling|tremor|tremors|jerking",
              "{cant} stop shake|shaking|trembling|jerking", "{cant} wake|rouse", "{wont} wake|respond",
              "hard|difficult to wake|rouse", "=unresponsive", "very|extremely|really =drowsy",
              "handwriting _? _? _? change|changed|messy|weird|different|shaky|worse|strange",
              "act|behave strange|strangely|weird|weirdly|odd|oddly", "not =himself|=herself",
              "not recognise|recognize", "not know where|who _? be|am"),
    "fainting": ("=fainted|=fainting|=faints|=feinted", "feel|be|get|go|turn _? faint", "faint spell|spells",
                 "pass out", "black out", "=blackout|=blackouts|=unconscious",
                 "=dizzy|=dizziness|=dizzyness|=dizy|=woozy|=vertigo|=lightheaded|=lightheadedness",
                 "light -? headed|head|headedness", "lose|lost consciousness", "keel over",
                 "room|head _? _? spin|spinning"),
    "heart": ("palpitation|palpitations|=palps|tachycardia|arrhythmia",
              "heart|heartbeat|pulse _? _? race|racing|pound|pounding|thump|thumping|flutter|fluttering|"
              "gallop|skip|skipping|hammer|hammering",
              "heart _? beat|beating|go|going|rate _? _? fast|hard|quickly|quick|irregular|irregularly|"
              "crazy|mad|wild|wildly|high|rapid|rapidly",
              "race|racing|pounding|thumping|fluttering|rapid|fast|irregular|quick|skipping "
              "heart|heartbeat|heartbeats|pulse", "pulse _? _? fast|high|rapid|irregular"),
    "skin_severe": ("blister|blisters|blistering|blistered|=blistery",
                    "skin _? _? _? _? peel|peeling|slough|shed|shedding", "skin _? _? _? come|fall off|away",
                    "peel|peeling|shedding skin", "peel|peeling on|off my|his|her? hand|hands|foot|feet|"
                    "palm|palms|sole|soles|face|lips|body|arms|legs|back"),
    "urine": ("very|hardly|barely|so|really little urine|pee|wee|wees|piss|=weeing|=peeing",
              "hardly|barely|almost no|any urine|pee|wee|piss", "=no urine|pee",
              "not|hardly|barely|rarely|=no _? pee|wee|urinate|piss|=weeing|=peeing",
              "not|hardly|barely pass _? urine|water|pee", "pass very|so? little|no urine|water|pee",
              "{cant} pee|wee|urinate|piss", "urine|pee output|amount _? _? low|down|drop|dropped|reduced"),
    "weakness": ("extreme|extremely|severe|severely|very|so|really|too|super|incredibly|terribly|"
                 "profound|profoundly|totally|completely weak|weakness",
                 "muscle|muscles _? weak|weakness", "weakness in my|his|her? arm|arms|leg|legs|muscle|"
                 "muscles|face|hand|hands", "{cant} get out of|up from? bed|chair", "{cant} get up",
                 "{cant} walk|move", "{cant} stand up|upright|unaided|properly|on|for|without|anymore",
                 "collapse|collapsed|collapsing", "leg|legs give way|out",
                 "{cant} lift|raise my|his|her? arm|arms|leg|legs|head", "=bedbound|=bedridden"),
}

# Context word lists, compared with token LOWER (or LEMMA where noted).
_NEG = {"not", "no", "without", "never", "none", "deny", "denies", "nor", "neither", "nope"}
_PSEUDO_NEG = {"sure", "know", "tell", "stop", "certain", "understand", "only", "just", "one",
               "idea", "doubt", "able", "wait"}  # "not sure if", "can't stop coughing" still report
_RESOLVED = {"gone", "resolved", "settled", "cleared", "disappeared", "subsided", "eased", "better",
             "improved", "improving", "normal", "fine", "ok", "okay", "stopped", "over"}
_PERSONAL = set("i me my mine myself im ive we us our he him his himself she her herself hes shes "
                "mum mom mommy mummy mother mam dad daddy father husband hubby wife partner son "
                "daughter brother sister grandma grandmother gran granny nan nanna grandad granddad "
                "grandpa grandfather boyfriend girlfriend fiance fiancé fiancee friend aunt auntie uncle "
                "child kid baby niece nephew je j' mon today tonight tonite yesterday since now "
                "currently overnight rn".split())
_Q_WORDS = {"what", "whats", "how", "why", "when", "which", "who", "where", "can", "could", "does",
            "do", "did", "is", "are", "will", "would", "should", "may", "might", "isnt", "doesnt"}
_HYPO_CUE = {"if", "can", "could", "will", "would", "might", "may", "does", "do", "should", "whether"}
_HYPO_VERB = {"get", "develop", "cause", "make", "give", "trigger", "experience", "expect", "lead",
              "induce", "bring"}
_CLAUSE_BREAK = {"but", "and", "however", "though", "although", "whereas", "yet", "because"}
_SENT_BREAK = {".", "!", "?", ";", "…", "\n"}
_BOWEL_WEAK = {"toilet", "loo", "bathroom", "lavatory", "wc", "poo", "poos", "pooed", "pooing", "poop",
               "pooped", "pooping", "stool", "stools", "bowel", "bm", "bms"}
_URINE_WORDS = {"pee", "wee", "urinate", "urine", "piss", "peeing", "weeing", "peed"}
_NUM_WORDS = dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                      "fifteen sixteen seventeen eighteen nineteen twenty".split(), range(1, 21)))
_NUM_WORDS.update(twice=2, thrice=3, dozen=12, lots=10, loads=10, many=10, several=10, countless=10,
                  numerous=10, multiple=10, dozens=24, hundreds=99)
_CONSTANT = {"nonstop", "constant", "constantly", "continuous", "continuously", "continual",
             "relentless", "uncontrollable", "uncontrollably", "explosive", "hourly"}
_SEV_WORDS = set(_SEV.split("|")) | {"worse", "really"}
_COUNT_RE = re.compile(r"^(\d{1,3})(x|\+|times)?$")

# Temperatures are read from the raw text: "38.5", "39°c", "101.5 f", "fièvre 39".
_TEMP_RE = re.compile(r"(?<![\d.,:/£$€])(\d{2,3}(?:[.,]\d{1,2})?)(?![\d/]|[.,]\d)\s*"
                      r"(°|degrees?\b|degs?\b|deg\b)?\s*(c\b|f\b|celsius|centigrade|fahrenheit|farenheit)?")
_TEMP_CONTEXT = re.compile(r"\b(temp\w*|fever\w*|fi[eè]vre|fiebre|thermometer|febrile|pyrex\w*|"
                           r"reading|spik\w*|burning|chills?|shiver\w*|t°)")
_NOT_TEMP_UNIT = re.compile(r"\s*(kg|kilo|lb|pound|stone|st\b|mg|mcg|ml|cm|mm|%|percent|year|yr|yo\b|y/o|"
                            r"week|day|hour|hr|min|time|x\b|pm\b|am\b|bpm|mmhg|unit|cycle|tablet|pill|dose)")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_TAG_RE = re.compile(r"<[^<>]{0,200}>")
_PRE = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "º": "°", "˚": "°"})


def _expand(phrase: str) -> Iterator[list[str]]:
    """Yield the token specs of every variant a phrase's macros produce."""
    parts = re.split(r"(\{\w+\})", phrase)
    for combo in itertools.product(*(_MACROS.get(p, (p,)) for p in parts)):
        yield " ".join(combo).split()


@functools.lru_cache(maxsize=1)
def _pipeline() -> tuple[Language, Matcher]:
    """Build the blank English pipeline and matcher once per process (about 0.3 s)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    matcher = Matcher(nlp.vocab)
    for label, phrases in _PATTERNS.items():
        patterns = []
        for phrase in phrases:
            for specs in _expand(phrase):
                patterns.append([_token_pattern(nlp, spec) for spec in specs])
        matcher.add(label, patterns)
    return nlp, matcher


def _token_pattern(nlp: Language, spec: str) -> dict[str, Any]:
    """Compile one token spec of the pattern mini-language."""
    optional = len(spec) > 1 and spec.endswith("?")
    spec = spec.rstrip("?") if optional else spec
    if spec == "_":
        return {"IS_PUNCT": False, "IS_SPACE": False, "OP": "?"}
    if spec.startswith("="):
        pattern: dict[str, Any] = {"LOWER": {"IN": spec.lstrip("=").split("|")}}
    else:
        words = spec.split("|")
        pattern = {"LEMMA": {"IN": sorted(set(words) | {nlp(w)[0].lemma_ for w in words})}}
    if optional:
        pattern["OP"] = "?"
    return pattern


def _clean(text: object) -> str:
    """Turn any input into bounded, lower-case, printable text."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS].translate(_PRE))
    return _CTRL_RE.sub(" ", _TAG_RE.sub(" ", text)).lower()


def _temperatures(text: str) -> list[float]:
    """Return the body temperatures (°C) written in the text.

    A bare number counts when it has a unit, one decimal in body range ("is 39.2 too
    high?"), or a temperature word close by, so ages, doses and weights are left alone.
    """
    found = []
    for m in _TEMP_RE.finditer(text):
        raw, deg, unit = m.group(1), m.group(2), m.group(3)
        value = float(raw.replace(",", "."))
        if not (deg or unit):
            if _NOT_TEMP_UNIT.match(text, m.end(1)):
                continue
            near = _TEMP_CONTEXT.search(text[max(0, m.start() - 30):m.start()]) or \
                _TEMP_CONTEXT.search(text[m.end(1):m.end(1) + 12])
            if not near and not re.fullmatch(r"\d{2,3}[.,]\d", raw):
                continue
        fahrenheit = (unit or "").startswith("f") or (not (unit or "").startswith("c") and value >= 50)
        celsius = (value - 32) / 1.8 if fahrenheit else value
        if 34.0 <= celsius <= 44.0:
            found.append(round(celsius, 2))
    return found


class _Context:
    """Sentence and clause boundaries plus message-level cues, computed once per doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.sent_break = [t.text in _SENT_BREAK or "\n" in t.text for t in doc]
        self.phrase_break = [b or t.text in {",", ":", "(", ")", "-", "--"} for b, t in zip(self.sent_break, doc)]
        self.clause_break = [b or t.lower_ in _CLAUSE_BREAK for b, t in zip(self.phrase_break, doc)]
        self.personal = any(t.lower_ in _PERSONAL for t in doc) or any(
            a.lower_ in {"this", "last"} and b.lower_ in {"morning", "evening", "afternoon", "night", "week"}
            for a, b in zip(doc, doc[1:]))
        self.question = "?" in doc.text

    def back(self, start: int, breaks: list[bool], limit: int = 60) -> range:
        """Indices before `start`, nearest first, up to the previous boundary."""
        stop = start - 1
        while stop >= 0 and start - stop <= limit and not breaks[stop]:
            stop -= 1
        return range(start - 1, stop, -1)

    def negated(self, start: int, end: int) -> bool:
        """A negation cue a few tokens before, or 'gone/settled/better' just after, the sign."""
        doc = self.doc
        for i in list(self.back(start, self.clause_break))[:4]:
            cue = doc[i].lemma_ if doc[i].lemma_ == "not" else doc[i].lower_
            if cue in _NEG and (i + 1 >= len(doc) or doc[i + 1].lower_ not in _PSEUDO_NEG):
                between = {t.lower_ for t in doc[i + 1:start]}
                if not (cue == "never" and between & {"so", "this", "that", "such"}):
                    return True
        for j in range(end, min(end + 5, len(doc))):
            if self.clause_break[j]:
                break
            tok = doc[j]
            done = tok.lower_ in _RESOLVED or (tok.lemma_ == "go" and j + 1 < len(doc)
                                               and doc[j + 1].lower_ in {"away", "down", "off"})
            if done:
                return not any(doc[k].lemma_ in {"not", "no", "never"} for k in range(end, j))
        return False

    def general(self, start: int) -> bool:
        """A question about what treatment can cause, not a report (see module docstring)."""
        if not self.personal:
            words = [i for i in reversed(self.back(start, self.phrase_break)) if self.doc[i].is_alpha]
            first = self.doc[words[0]] if words else self.doc[start]
            follow = self.doc[first.i + 1].lemma_ if first.i + 1 < len(self.doc) else ""
            if first.lower_ in _Q_WORDS and follow != "not" and (self.question or first.lower_.startswith("wh")
                                                                  or first.lower_ == "how"):
                return True
            sentence = [self.doc[i].lemma_ for i in self.back(start, self.sent_break)]
            if self.question and {"effect", "cause"} & set(sentence):
                return True
        return self.hypothetical(start)

    def hypothetical(self, start: int) -> bool:
        """'if I get', 'can keytruda cause', 'will CAR-T make me' before the sign."""
        idx = list(self.back(start, self.sent_break))
        for n, i in enumerate(idx):
            if self.doc[i].lemma_ in _HYPO_VERB:
                if any(self.doc[k].lower_ in _HYPO_CUE for k in idx[n + 1:n + 4]):
                    return True
        return False


def _count(doc: Doc, lo: int, hi: int) -> int:
    """Largest 'N times' style count (or 'non-stop' as many) in doc[lo:hi]."""
    best = 0
    for i in range(lo, hi):
        tok = doc[i]
        nxt = " ".join(t.lower_ for t in doc[i + 1:i + 4])
        if tok.lower_ in _CONSTANT or (tok.lower_ == "non" and "stop" in nxt) or \
                (tok.lower_ == "every" and re.search(r"hour|min|half", nxt)) or \
                (tok.lower_ in {"all", "round"} and re.match(r"(the )?(day|night|clock)", nxt)):
            return 99
        m = _COUNT_RE.match(tok.lower_)
        n = int(m.group(1)) if m else _NUM_WORDS.get(tok.lower_, 0)
        if not n:
            continue
        unit = (m and m.group(2)) or tok.lower_ in {"twice", "thrice"} or re.search(
            r"\b(times?|x|episodes?|bouts?|trips?|movements?|motions?|stools?|poos?|goes)\b", nxt)
        if unit:
            more = i >= 1 and doc[i - 1].lower_ in {"than", "over"}
            best = max(best, n + int(more))
    return best


def _bowel(ctx: _Context, start: int, end: int, strong: bool) -> bool:
    """Severe diarrhoea: 4+ a day, non-stop, or described as severe, around a bowel word."""
    doc, sent = ctx.doc, list(ctx.back(start, ctx.sent_break))
    lo = sent[-1] if sent else start
    hi = end
    while hi < len(doc) and not ctx.sent_break[hi]:
        hi += 1
    if not strong and any(t.lower_ in _URINE_WORDS for t in doc[lo:hi]):
        return False
    if _count(doc, lo, hi) >= 4:
        return True
    if not strong or ctx.general(start):
        return False
    near = doc[max(lo, start - 3):min(hi, end + 4)]
    stop = any(t.lemma_ == "stop" and doc[t.i - 1].lemma_ == "not" for t in doc[lo:hi])
    return stop or any(t.lower_ in _SEV_WORDS or t.lemma_ in _SEV_WORDS for t in near)


def _analyse(text: object) -> set[str]:
    """Return the sign ids found in one message."""
    clean = _clean(text)
    if not clean.strip():
        return set()
    nlp, matcher = _pipeline()
    doc = nlp(clean)
    ctx = _Context(doc)
    readings = _temperatures(clean)
    signs = {"fever"} if any(c >= 38.0 for c in readings) else set()
    for match_id, start, end in matcher(doc):
        label = nlp.vocab.strings[match_id]
        if label in signs and label != "_bowel":
            continue
        if label == "fever" and readings:
            continue  # a measured temperature outranks the word "fever"
        if label == "neuro" and doc[end - 1].lower_ in {"confused", "confusion"} and end < len(doc) \
                and doc[end].lower_ in {"about", "by", "with", "as", "why", "how", "what", "which", "whether"}:
            continue  # "confused about my appointment" is not delirium
        if ctx.negated(start, end):
            continue
        if label == "_bowel":
            if _bowel(ctx, start, end, strong=True):
                signs.add("diarrhoea_severe")
        elif label == "_blood":
            if not ctx.hypothetical(start):
                signs.add("diarrhoea_severe")
        elif not ctx.general(start):
            signs.add(label)
    if "diarrhoea_severe" not in signs:
        for tok in doc:
            if tok.lower_ in _BOWEL_WEAK and _bowel(ctx, tok.i, tok.i + 1, strong=False):
                signs.add("diarrhoea_severe")
                break
    return signs


def assess(text: str) -> Triage:
    """Check one message for urgent immunotherapy warning signs.

    Args:
        text: The raw user message; any value is accepted and only the first
            `MAX_CHARS` characters are read.

    Returns:
        A `Triage` with the fired sign ids. It never raises: on an internal error it logs
        (without the text) and reports no signs, so the normal answer path still runs.
    """
    try:
        found = _analyse(text)
    except Exception:  # noqa: BLE001 - a triage bug must never take the conversation down
        log.exception("urgent-symptom triage failed")
        return Triage(urgent=False, signs=())
    signs = tuple(s for s in SIGN_IDS if s in found)
    return Triage(urgent=bool(signs), signs=signs)


def is_urgent(text: str) -> bool:
    """Return True when `text` reports at least one urgent warning sign."""
    return assess(text).urgent
