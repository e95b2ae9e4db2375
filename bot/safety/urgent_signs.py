"""Urgent-symptom net: spots immunotherapy warning signs in a patient's message.

The check is deterministic and needs only the message text, so the same words always give
the same answer and it is tested without Rasa. It is tuned for recall: when a personal
report of a listed sign is ambiguous it fires, because a needless "call your team" costs
far less than a missed colitis, pneumonitis or neurotoxicity.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.text import strip_control

log = logging.getLogger(__name__)

MAX_CHARS = 5000  # a symptom report fits easily; longer pastes would only cost time
SIGN_IDS: tuple[str, ...] = tuple(
    "fever breathing chest_pain diarrhoea_severe belly_pain_severe liver headache_vision "
    "neuro fainting heart skin_severe urine weakness".split()
)


@dataclass(frozen=True)
class Triage:
    """Outcome of one check.

    Attributes:
        urgent: True when at least one warning sign fired.
        signs: Stable ids of the signs that fired, in `SIGN_IDS` order; safe to log.
    """

    urgent: bool
    signs: tuple[str, ...]


# Lexicon in a small pattern language, one "name: item; item" section each. A "{macro}"
# section lists variants that its uses expand to. Sign sections (a leading "_" marks helper
# labels) list phrases compiled into Matcher patterns: words match on LEMMA (pattern words
# go through the same lemmatizer, so "cough" finds "coughing"); "=word" matches LOWER where
# a lemma over-matches ("confusing" -> "confuse"); "a|b" are alternatives; a trailing "?"
# makes a token optional; "_" is an optional non-punctuation token.
_LEXICON = """
{cant}: can|ca not; unable to; not able to
{wont}: wo|will|would not
{sev}: severe|sevre|bad|terrible|unbearable|awful|horrible|excruciating|agonising|agonizing|intense|
  extreme|worst|crippling|sharp|dreadful
{int}: really|very|so|extremely|super|bloody|incredibly|quite
{stool}: poo|poos|poop|stool|stools|diarrhoea|diarrhea|motion|motions|bowel|bowels
{pron}: my|his|her|the
{temp}: temp|temperature|temprature|tempreture|temperture
{belly}: stomach|belly|abdominal|abdomen|tummy|gut|stomachache|tummyache|bellyache
{head}: headache|headaches|migraine|head
{blur}: blurred|blurry|blur|fuzzy|hazy
fever: fever|feverish|feaver|fièvre|fiebre|febrile|pyrexia|rigor|rigors|rigours; burn up;
  high|raised|elevated|spiking {temp}; {temp} _? _? high|up|rising|spiking|climbing|raised;
  run a|high? {temp}; spike a? {temp}; hot and shivery|shaky|cold
breathing: breathless|breathlessness|wheeze|wheezing|wheezy|cough|coughing; out of breath;
  short -? of -? breath|breathe; shortness of breath; {cant} breathe|breath|breathing;
  {cant} catch|get {pron}? breath|air; {cant} get enough air|breath; hardly|barely breathe|breath;
  struggle|hard|difficult|difficulty|trouble|problem|labour|gasp to|with|for? breathe|breath|air;
  breathing|breath _? _? bad|worse|fast|rapid|shallow|laboured|labored|difficult|hard|heavy|noisy
chest_pain: pain|ache|tightness|pressure|heaviness|discomfort in|on|across {pron}? chest;
  chest _? _? pain|hurt|tight|tightness|heavy|pressure|ache|sore|painful|crushing|discomfort;
  tight|crushing|heavy|painful|sore chest; heart attack
_bowel: diarrhoea|diarrhea|diarhoea|diarhea|diarrea|diarreah|diahrrea|diorrhea|diarrhée;
  loose|watery|runny|liquid {stool}; the run|runs|trots|squits|shits
_blood: blood|bleeding in|on|with|from _? {stool}|toilet|loo|bum|bottom|rectum|underwear;
  bloody|black|tarry|maroon {stool}; {stool} _? _? black|bloody|tarry|blood|maroon;
  poo|poop|=pooing|=pooping|pass blood; rectal bleed|bleeding; blood when|after i? poo|poop|wipe
belly_pain_severe: {int}? {sev} {belly}; {belly} pain|ache|cramp? be|have|feel|get _? _? {sev}|kill;
  {sev} pain|ache|cramp|cramps in|on|across {pron}? {belly}; double over|up
liver: jaundice|=jaundiced; yellow|yellowish|=yellowing skin|eye|eyes|tinge|tint|complexion;
  =yellowing of the? skin|eyes; eye|eyes|skin|face|white _? _? _? _? yellow|yellowish|=yellowing;
  turn|go|look yellow; dark|brown|orange|=tea|=cola urine|pee|wee|wees|piss;
  urine|pee|wee|piss be|have|look|seem|get|go|turn _? _? dark|brown|orange|=tea|=cola|=coke
headache_vision: {int}? {sev}|splitting|pounding|blinding|thumping|massive {head};
  {head} _? be|have|feel _? _? {sev}|kill|splitting|pounding|exploding;
  {head} _? _? _? not go|stop|ease|shift|budge|settle|improve|respond;
  {blur}|double|cloudy|dim|distorted|tunnel|patchy vision|eyesight|sight; {blur} eye|eyes;
  vision|eyesight _? _? _? {blur}|double|weird|strange|funny|dark|dim|cloudy|worse|change;
  change|problem|trouble|loss|lose|disturbance|difficulty in|with|to|of? {pron}? vision|eyesight;
  vision|eyesight change|problem|loss; see double|spots|flashes|halos;
  {cant} see|focus _? properly|clearly|straight|well|normally|anything|out
neuro: =confused|=confusion|=disoriented|=disorientated|=delirious|=delirium|=incoherent;
  =slurring|=slurred|=unresponsive; hallucination|hallucinate|=hallucinating;
  see|hear thing|things|voices; trouble|difficulty|problem|struggle speak|speech|word|words;
  {cant} talk|speak _? properly|clearly|normally|straight; slur speech|words;
  speech _? _? slurred|slurry|weird|strange|garbled|jumbled|muddled;
  {cant} find|get _? _? word|words; word|words come out _? wrong|jumbled|muddled|mixed;
  not =making _? sense; talk nonsense|gibberish; have a stroke;
  seizure|seize|convulsion|convulse|=fitting|epileptic; have a|another? fit|fits;
  shake|tremble|jerk|twitch uncontrollably|uncontrollable|violently;
  uncontrollable|uncontrollably|violent shake|shaking|trembling|tremor|tremors|jerking;
  {cant} stop shake|shaking|trembling|jerking; {cant} wake|rouse; {wont} wake|respond;
  hard|difficult to wake|rouse; very|extremely|really =drowsy; not =himself|=herself;
  handwriting _? _? _? change|changed|messy|weird|different|shaky|worse;
  act|behave strange|strangely|weird|weirdly|odd|oddly; not recognise|recognize;
  not know where|who _? be|am
fainting: =fainted|=fainting|=faints|=blackout|=blackouts|=unconscious|=woozy|=vertigo;
  =dizzy|=dizziness|=dizzyness|=lightheaded|=lightheadedness; feel|be|get|go|turn _? faint;
  faint spell|spells; pass out; black out; light -? headed|head|headedness; lose consciousness;
  keel over; room|head _? _? spin|spinning
heart: palpitation|palpitations|=palps|tachycardia|arrhythmia;
  heart|heartbeat|pulse _? _? race|pound|thump|flutter|gallop|skip|hammer;
  heart _? beat|go|rate _? _? fast|hard|quickly|quick|irregular|irregularly|crazy|wild|high|rapid;
  racing|pounding|thumping|fluttering|rapid|fast|irregular|skipping heart|heartbeat|pulse;
  pulse _? _? fast|high|rapid|irregular
skin_severe: blister|blisters|blistering|=blistery; skin _? _? _? _? peel|slough|shed;
  skin _? _? _? come|fall off|away; peel|shed skin;
  peel on|off {pron}? hand|hands|foot|feet|palm|palms|sole|soles|face|lips|body|arms|legs|back
urine: very|hardly|barely|so|really little urine|pee|wee|piss|=weeing|=peeing;
  hardly|barely|almost any|no urine|pee|wee; pee|wee|urinate _? very|hardly|so|really little;
  =no urine|pee; not|hardly|barely|rarely|=no _? pee|wee|urinate|piss|=weeing|=peeing;
  not|hardly|barely pass _? urine|water|pee; pass very|so? little|no urine|water|pee;
  {cant} pee|wee|urinate; urine|pee output|amount _? _? low|down|drop|reduced
weakness: extreme|extremely|severe|severely|very|so|really|too|incredibly|terribly weak|weakness;
  muscle|muscles _? weak|weakness; weakness in {pron}? arm|arms|leg|legs|muscle|muscles|face|hand;
  {cant} get out of bed|chair; {cant} get up; {cant} walk|move; collapse; leg|legs give way|out;
  {cant} stand up|upright|unaided|properly|on|for|without|anymore; =bedbound|=bedridden;
  {cant} lift|raise {pron}? arm|arms|leg|legs|head
"""


# Context cues, compared with token LOWER. "pseudo_neg" words after a negation keep the sign
# reported ("not sure if", "can't stop coughing"); "filler" words don't use up the short
# look-back for a negation ("no fever or any cough").
_CUES = """
neg: not no without never none deny denies nor neither nope
pseudo_neg: sure know tell stop certain understand only just one idea doubt able
resolved: gone resolved settled cleared disappeared subsided eased better improved improving
  normal fine ok okay stopped passes passed
personal: i me my mine myself im ive we us our he him his himself she her herself hes shes mum
  mom mummy mother mam dad daddy father husband hubby wife partner son daughter brother sister
  grandma grandmother gran granny nan nanna grandad granddad grandpa grandfather boyfriend
  girlfriend fiance fiancé fiancee friend aunt auntie uncle child kid baby niece nephew je mon
  today tonight tonite yesterday since now currently overnight rn
q_words: what whats how why when which who where can could does do did is are will would
  should may might isnt doesnt
hypo_cue: if can could will would might may does do should whether
hypo_verb: get develop cause make give trigger experience expect lead induce bring
filler: a an the any or nor of my his her their your
clause_break: but and however though although whereas yet because
bowel_weak: toilet loo bathroom lavatory wc poo poos pooed pooing poop pooped pooping stool
  stools bowel bm bms
urine_words: pee wee urinate urine piss peeing weeing peed
"""
_MANY_TIMES = re.compile(  # 4+ times a day; all the number words listed are 4 or more
    r"\b(?P<more>more than |over )?(\d{1,3} ?(or|to|-) ?)?(?P<n>\d{1,3}|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|lots|loads|many|several|dozens) ?(\+ ?)?(of )?(x|times?|"
    r"episodes?|bouts?|trips?|movements?|motions?|bowel|stools?|poos?|loose|watery|runny)\b"
)
_NON_STOP = re.compile(
    r"\b(non ?- ?stop|nonstop|constant(ly)?|continuous(ly)?|continual|relentless|explosive|hourly|"
    r"uncontrollabl[ey]|every (\d+ |half (an )?)?(hour|min)|all (day|night)|round the clock)\b"
)
_SENT_BREAK, _PHRASE_BREAK = frozenset(". ! ? ; …".split()), frozenset(", : ( ) - --".split())


def _sections(text: str) -> dict[str, list[str]]:
    """Split a "name: item; item" block into sections; a line ending in "|" continues."""
    pairs = re.findall(r"^([{]?\w+[}]?):(.*?)(?=^[{]?\w+[}]?:|\Z)", text, re.S | re.M)
    items = {name: re.sub(r"\|\s+", "|", body).split(";") for name, body in pairs}
    return {name: [" ".join(i.split()) for i in body if i.strip()] for name, body in items.items()}


_LEX = _sections(_LEXICON)
_CUE = {name: frozenset(" ".join(body).split()) for name, body in _sections(_CUES).items()}
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
        return {"IS_PUNCT": False, "IS_SPACE": False, "OP": "?"}
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
    text = strip_control(_TAG_RE.sub(" ", text)).lower()
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
                # "never felt so dizzy" is a report, "never had a fever" is not.
                if not (cue == "never" and {t.lower_ for t in doc[i:start]} & {"so", "this"}):
                    return True
        j, limit = end, end + 5
        while j < min(limit, len(doc)):
            if self.clause[j]:
                # Follow a pronoun into the next clause: "a fever on Monday, but it's gone".
                k = next((k for k in range(j, len(doc)) if not self.clause[k]), len(doc))
                if k == len(doc) or doc[k].lower_ not in {"it", "that", "this", "which"}:
                    break
                j, limit = k, k + 5
            nxt = doc[j + 1].lower_ if j + 1 < len(doc) else ""
            gone = doc[j].lemma_ == "go" and nxt in {"away", "down"}
            if gone or (doc[j].lower_ in _CUE["resolved"] and nxt != "out"):
                # "won't go away" and "no better" keep the sign alive.
                return not any(doc[k].lemma_ in {"not", "no", "never"} for k in range(end, j))
            j += 1
        return False

    def general(self, start: int) -> bool:
        """A question about what a treatment can cause, rather than a report of a sign."""
        if not self.personal:
            words = [i for i in reversed(self.back(start, self.phrase)) if self.doc[i].is_alpha]
            first = self.doc[words[0] if words else start]
            follow = self.doc[first.i + 1].lemma_ if first.i + 1 < len(self.doc) else ""
            wh = first.lower_.startswith("wh") or first.lower_ == "how"
            if first.lower_ in _CUE["q_words"] and follow != "not" and (self.question or wh):
                return True
            sentence = {self.doc[i].lemma_ for i in self.back(start, self.sent)}
            if self.question and sentence & {"effect", "cause"}:
                return True
        return self.hypothetical(start)

    def hypothetical(self, start: int) -> bool:
        """True after 'if I get', 'can keytruda cause', 'will CAR-T make me' in the sentence."""
        idx = self.back(start, self.sent)
        return any(
            self.doc[i].lemma_ in _CUE["hypo_verb"]
            and any(self.doc[k].lower_ in _CUE["hypo_cue"] for k in idx[n + 1 : n + 4])
            for n, i in enumerate(idx)
        )


def _many_times(text: str) -> bool:
    """True when the text gives a frequency of 4 or more ("6 times", "4-5x", "non-stop")."""
    for m in _MANY_TIMES.finditer(text):
        n = m.group("n")
        if not n.isdigit() or int(n) + bool(m.group("more")) >= 4:
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


def _analyse(text: object) -> set[str]:
    """Return the sign ids found in one message."""
    clean = _clean(text)
    if not clean.strip():
        return set()
    nlp, matchers = _pipeline()
    doc = nlp(clean)
    words = {t.lower_ for t in doc} | {t.lemma_ for t in doc}
    ctx = _Context(doc)
    readings = _temperatures(clean)
    signs = {"fever"} if any(c >= 38.0 for c in readings) else set()
    runs = [(label, m) for label, (anchors, m) in matchers.items() if anchors & words]
    for label, start, end in ((label, s, e) for label, m in runs for _, s, e in m(doc)):
        sign = "diarrhoea_severe" if label in {"_bowel", "_blood"} else label
        if sign in signs or (label == "fever" and readings):
            continue  # a measured temperature outranks the word "fever"
        after = doc[end].lower_ if end < len(doc) else ""
        if doc[end - 1].lower_ in {"confused", "confusion"} and after in {"about", "by", "with"}:
            continue  # "confused about my appointment" is not delirium
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
    return signs


def assess(text: str) -> Triage:
    """Check one message for urgent immunotherapy warning signs.

    Args:
        text: The raw user message. Any value is accepted; only the first `MAX_CHARS`
            characters are read.

    Returns:
        A `Triage` with the fired sign ids. It never raises: on an internal error it logs
        the error type (never the text) and reports no signs, so the normal answer runs.
    """
    try:
        found = _analyse(text)
    except Exception as exc:  # a triage bug must never take the conversation down
        # Only the error type is logged: a message or traceback could carry health data.
        log.error("urgent-symptom triage failed: %s", type(exc).__name__)
        return Triage(urgent=False, signs=())
    signs = tuple(s for s in SIGN_IDS if s in found)
    return Triage(urgent=bool(signs), signs=signs)


def is_urgent(text: str) -> bool:
    """Return True when `text` reports at least one urgent warning sign."""
    return assess(text).urgent
