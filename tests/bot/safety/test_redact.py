"""Redaction of realistic patient messages: personal data out, medical words kept."""

from __future__ import annotations

import time

import pytest

from bot.safety.redact import redact

KEEP = ("Keytruda", "CAR-T", "Institut Curie", "pembrolizumab", "nivolumab", "Opdivo", "Lyon")


@pytest.mark.parametrize(
    "message",
    [
        "can I take ibuprofen with Keytruda",
        "what is CAR-T therapy",
        "I am 54 years old and take 200 mg of pembrolizumab",
        "I'm tired all the time since my third cycle",
        "Is there a trial at Institut Curie in Lyon?",
        "Hey, what are the side effects of Opdivo?",
        "thanks a lot",
        "this is a question about fatigue",
        "my temperature is 38.5 since yesterday",
        "trial NCT04123456 is it still recruiting",
        "how long does immunotherapy last",
        "My doctor said my MRI was fine",
    ],
)
def test_messages_without_personal_data_come_out_unchanged(message: str) -> None:
    assert redact(message, KEEP) == message


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Emails and links.
        ("write to marie.dupont@gmail.com please", "write to [email] please"),
        ("my file: https://example.org/patients/123", "my file: [link]"),
        # Phone numbers, French, UK, US and international.
        ("call me on 06 12 34 56 78", "call me on [phone]"),
        ("my number 01.23.45.67.89", "my number [phone]"),
        ("ring +33 1 23 45 67 89 today", "ring [phone] today"),
        ("or 0033 6 12 34 56 78", "or [phone]"),
        ("UK +44 20 7946 0958", "UK [phone]"),
        ("US (555) 123-4567 or 555-123-4567", "US [phone] or [phone]"),
        ("fax 04-72-11-22-33-44", "fax [phone]"),
        # Dates.
        ("started on 12/03/2024", "started on [date]"),
        ("scan 2024-03-12 was ok", "scan [date] was ok"),
        ("infusion 12.03.24", "infusion [date]"),
        ("since 12 March 2024", "since [date]"),
        ("next one March 12th", "next one [date]"),
        ("seen on 3rd of May", "seen on [date]"),
        ("my appointment is on the 5th", "my appointment is on the [date]"),
        ("j'ai commencé le 12 mars 2024", "j'ai commencé le [date]"),
        # ID-like numbers.
        ("sécu 1 85 05 78 006 084 36", "sécu [number]"),
        ("my hospital number is 20240012345", "my hospital number is [number]"),
        ("dossier IPP 4567891", "dossier IPP [number]"),
    ],
)
def test_contact_details_dates_and_ids(message: str, expected: str) -> None:
    assert redact(message, KEEP) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Hi, my name is Marie Dupont", "Hi, my name is [name]"),
        ("my name is jean-pierre martin, is it safe", "my name is [name], is it safe"),
        ("i'm sophie and i have melanoma", "i'm [name] and i have melanoma"),
        ("I am Camille, can you help", "I am [name], can you help"),
        ("this is Ahmed again", "this is [name] again"),
        ("call me Bob", "call me [name]"),
        ("je m'appelle lucie", "je m'appelle [name]"),
        ("Dr Martin at Institut Curie said so", "Dr [name] at Institut Curie said so"),
        ("dr smith said I should ask", "dr [name] said I should ask"),
        ("my doctor Dr. Bernard said yes", "my doctor Dr. [name] said yes"),
        ("I saw Professor Jean Dupont-Moreau", "I saw Professor [name]"),
        ("Mme Leroy is my nurse", "Mme [name] is my nurse"),
        ("my husband Paul started Keytruda", "my husband [name] started Keytruda"),
        ("My wife marie has a rash", "My wife [name] has a rash"),
        ("my daughter Chloé wants to know", "my daughter [name] wants to know"),
        ("Thanks, Marie", "Thanks, [name]"),
        ("is it contagious?\n- Jean", "is it contagious?\n- [name]"),
        ("Marie here, do I need to fast?", "[name] here, do I need to fast?"),
        ("can Kowalski join the trial", "can [name] join the trial"),
    ],
)
def test_names(message: str, expected: str) -> None:
    assert redact(message, KEEP) == expected


def test_several_items_in_one_message() -> None:
    message = (
        "hello, i'm sophie martin (sophie.m@free.fr, 06 11 22 33 44), my husband Paul "
        "started nivolumab on 3/2/2024 at Institut Curie. Thanks, Sophie"
    )
    assert redact(message, KEEP) == (
        "hello, i'm [name] ([email], [phone]), my husband [name] "
        "started nivolumab on [date] at Institut Curie. Thanks, [name]"
    )


def test_keep_terms_stay_even_when_capitalised_mid_sentence() -> None:
    assert redact("does Keytruda cause rash", ()) == "does [name] cause rash"
    assert redact("does Keytruda cause rash", ["keytruda"]) == "does Keytruda cause rash"


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "\x00\x01\x02 binary \ud800 junk \ufffe",
        "<script>alert('Jean')</script><b>hi</b>",
        "Здравствуйте, меня зовут Мария",
        "我的名字是王伟",
        "a" * 200_000,
        "1 " * 100_000,
        "- " * 100_000,
        "x@" * 50_000,
    ],
)
def test_odd_input_never_crashes_and_stays_fast(message: str) -> None:
    started = time.monotonic()
    result = redact(message, KEEP)
    assert isinstance(result, str)
    assert time.monotonic() - started < 10  # no catastrophic backtracking
    result.encode("utf-8")  # storable: no lone surrogates


def test_html_keeps_no_name_after_a_tag() -> None:
    assert "Jean" not in redact("<p>question from Jean</p>", KEEP)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # The leaks the security review found (I7).
        ("marie dupont here, do I need to fast?", "[name] here, do I need to fast?"),
        ("hello, grace here. is it safe", "hello, [name] here. is it safe"),
        (
            "email me at marie dot dupont at example dot fr",
            "email me at [email]",
        ),
        ("Signed: marie", "Signed: [name]"),
        ("is it contagious?\nSigned, Grace", "is it contagious?\nSigned, [name]"),
        ("my wife Grace has a rash", "my wife [name] has a rash"),
        ("I live at 12 rue de la Paix", "I live at [address]"),
        # More spellings of the same.
        ("write to jean.m (at) free (dot) fr please", "write to [email] please"),
        ("lucie arobase orange point fr", "[email]"),
        ("j'habite 3 place d'Italie à Lyon", "j'habite [address] à Lyon"),
        ("12 bis avenue Victor Hugo is where I live", "[address] is where I live"),
        ("we live at 221b Baker Street now", "we live at [address] now"),
        ("5 bd Saint-Michel", "[address]"),
    ],
)
def test_review_leaks_are_redacted(message: str, expected: str) -> None:
    assert redact(message, KEEP) == expected


@pytest.mark.parametrize(
    "message",
    [
        "I signed consent forms for Keytruda",
        "I am here, what now",
        "still here, any news?",
        "meet at 10.30 for the infusion",
        "I'm at home. Then I felt sick",
        "a 2 hour drive to Lyon for the trial",
        "after 3 weeks on the road to recovery",
        "My wife has a rash",
        "look at this",
    ],
)
def test_the_new_cues_leave_ordinary_questions_alone(message: str) -> None:
    assert redact(message, KEEP) == message


@pytest.mark.parametrize(
    "message",
    [
        "1 rue " * 40_000,
        "a dot " * 40_000 + "at b",
        "x at " * 40_000,
        "1 a b c " * 30_000,
        "marie " * 40_000 + "here,",
    ],
)
def test_the_new_patterns_end_on_hostile_input(message: str) -> None:
    # Every repeat is bounded, so these take about 2 s each (240,000 characters, most of
    # it the name pass); a pattern that backtracks catastrophically would never return.
    result = redact(message, KEEP)
    assert isinstance(result, str) and result.strip()


# French (issue 15): names after French cues, French dates, phones and the NIR, and
# French questions that must come out whole (French words are not names).
@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("je m'appelle Marie Dupont et j'ai une question",
         "je m'appelle [name] et j'ai une question"),
        ("je m'appelle sophie martin, ma mère est sous Keytruda",
         "je m'appelle [name], ma mère est sous Keytruda"),
        ("moi c'est Sophie, ma mère est malade", "moi c'est [name], ma mère est malade"),
        ("mon mari Jean a de la fièvre", "mon mari [name] a de la fièvre"),
        ("ma femme Claire tousse depuis hier", "ma femme [name] tousse depuis hier"),
        ("mon père Henri est sous Opdivo", "mon père [name] est sous Opdivo"),
        ("mon pere Jacques a de la fievre", "mon pere [name] a de la fievre"),
        ("ma soeur nadège tousse", "ma soeur [name] tousse"),
        ("ma belle-mère Odile a des plaques", "ma belle-mère [name] a des plaques"),
        ("mon mari Jean-Marc Lefèvre a 39 de fièvre", "mon mari [name] a 39 de fièvre"),
        ("Hier soir, Pierre a vomi", "Hier soir, [name] a vomi"),
        ("Cordialement, Isabelle Martin", "Cordialement, [name]"),
        ("Bisous, marie", "Bisous, [name]"),
        ("le docteur Lefebvre m'a dit d'attendre", "le docteur [name] m'a dit d'attendre"),
        ("marie dupont ici, mon mari a de la fièvre", "[name] ici, mon mari a de la fièvre"),
        ("Bonjour, sophie ici. Ma mère tousse", "Bonjour, [name] ici. Ma mère tousse"),
        # Dates.
        ("né le 12/03/1956", "né le [date]"),
        ("née le 12 mars 1956 à Lyon", "née le [date] à Lyon"),
        ("depuis le 1er avril", "depuis le [date]"),
        ("perfusion le 3 fevrier 2025", "perfusion le [date]"),
        # Phone numbers.
        ("mon numéro : +33 6 12 34 56 78", "mon numéro : [phone]"),
        ("appelez-moi au 06.12.34.56.78 svp", "appelez-moi au [phone] svp"),
        ("tel 06-12-34-56-78", "tel [phone]"),
        ("0612345678", "[phone]"),
        ("+33 (0)6 12 34 56 78", "[phone]"),
        # The NIR: 13 digits and a 2-digit key, spaced or not, Corsica included.
        ("mon numéro de sécu 1 56 03 75 123 456 78", "mon numéro de sécu [number]"),
        ("NIR 1560375123456 78", "NIR [number]"),
        ("nir 156037512345678", "nir [number]"),
        ("sécu : 2 84 05 2A 123 456 12", "sécu : [number]"),
        ("numéro 1.56.03.75.123.456.78", "numéro [number]"),
    ],
)  # fmt: skip
def test_french_personal_data(message: str, expected: str) -> None:
    assert redact(message, KEEP) == expected


@pytest.mark.parametrize(
    "message",
    [
        "Bonjour, est-ce que l'immunothérapie fait perdre les cheveux ?",
        "Est-ce que je peux travailler pendant le traitement",
        "Quels sont les effets secondaires du Keytruda ?",
        "Je suis inquiète pour mon père",
        "Ma femme tousse beaucoup depuis sa perfusion",
        "mon pere a de la fievre",
        "ma mere est fatiguee",
        "Merci pour votre réponse. Cordialement",
        "c koi l'immuno",
        "Pourquoi faut-il une prise de sang avant chaque cure ?",
        "je suis ici, à l'hôpital",
    ],
)
def test_french_questions_come_out_unchanged(message: str) -> None:
    assert redact(message, KEEP) == message


def test_an_english_message_keeps_the_strict_reading_of_lowercase_names() -> None:
    # "marie" is also a French word; in English it is read as a name.
    assert redact("My wife marie has a rash", KEEP) == "My wife [name] has a rash"
    assert redact("ma femme marie", KEEP, language="en") == "ma femme [name]"
