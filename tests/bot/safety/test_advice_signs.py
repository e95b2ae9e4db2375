"""The personal-advice net: requests about one person's own care fire, general questions don't.

These phrasings were written with the vocabulary, so they test that it works as meant; how
well it generalises is measured on the held-out set (`make eval`), never here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.advice_signs import VOCABULARY_FILE, check_advice, load_phrases, plain
from bot.safety.vocabulary import VocabularyError

PERSONAL = [
    # treatment changes
    "should i stop my keytruda",
    "can my husband skip his infusion next week, we are on holiday",
    "is it ok if i delay my next cycle by a few days",
    "my mum wants to stop immunotherapy, should she",
    "can i pause the treatment for a wedding",
    "should he continue or stop",
    "do i need to stop my blood pressure tablets before the drip",
    "is it a good idea for me to quit the trial",
    # doses
    "how many steroid tablets should i take today",
    "what dose of prednisolone should my dad be on",
    "is my dose too high",
    "my dose was cut in half, is that right for me",
    # own results
    "my pd-l1 score is 5 percent, is that bad",
    "what do my blood results mean",
    "my dad's scan showed the tumour grew, what does it mean for him",
    "is my tsh level normal at 6",
    "her liver numbers came back high",
    # prognosis and own case
    "how long does my wife have",
    "how long has he got left",
    "will my dad survive this",
    "is she going to be ok",
    "what are my chances with stage 4",
    "is my cancer curable",
    "in my case would immunotherapy work",
    "is immunotherapy the right treatment for him",
    "is the trial worth it for me",
    # other medicines
    "can i take paracetamol while on opdivo",
    "is it safe for me to take turmeric",
    "is it ok to take ibuprofen with keytruda",
    "my mother takes cbd oil, is that ok with her immunotherapy",
    # choices and agreement
    "do you agree with my oncologist",
    "do you think my doctor is right to stop the treatment",
    "should we choose the trial or chemo",
    "should i sign the consent form",
    "what would you do in my place",
    "should i get a second opinion",
    # French
    "je peux decaler ma perfusion",
    "est-ce que je dois arrêter mon traitement",
    "dois-je arrêter mon immunothérapie avant l'opération",
    "est-ce que je dois sauter ma perfusion de jeudi",
    "je peux arrêter mon traitement pendant les vacances ?",
    "je peux sauter ma perfusion si je suis enrhumé",
    "mon père devrait-il accepter l'essai clinique",
    "ma dose de cortisone est-elle trop forte",
    "mes résultats de prise de sang sont-ils normaux",
    "mon scanner montre une tache, qu'est-ce que ça veut dire",
    "que veulent dire mes analyses du foie",
    "dans mon cas, l'immunothérapie peut-elle marcher",
    "combien de temps lui reste-t-il",
    "est-ce grave pour moi d'avoir un taux de TSH à 8",
    "puis-je prendre du doliprane avec le keytruda",
    "je peux prendre de l'ibuprofène pendant l'immunothérapie ?",
    "ma mère va-t-elle guérir",
    "mon cancer est-il curable",
    "quelle est la bonne dose pour moi",
    "mon mari doit reporter sa cure, est-ce possible",
    "que feriez-vous à ma place",
    "êtes-vous d'accord avec mon oncologue",
    # French, second pass: as typed on a phone, about oneself or a relative
    "ma mère doit elle continuer son traitement",
    "je fais ma perf demain ou pas ?",
    "vous croyez que ma tumeur va grossir ?",
    "mon père va vivre combien de temps ?",
    "je peux continuer mon keytruda ?",
    "je peux prendre du doliprane avec mon immuno ?",
    "c'est compatible avec le keytruda, l'ibuprofène ?",
    "est-ce que le curcuma est compatible avec mon traitement",
    "faut-il que j'arrête mon traitement avant l'opération ?",
    "faut il que j'arrete la cortisone",
    "vous me conseillez quel traitement ?",
    "vous me conseillez quel hôpital pour mon père ?",
    "d'après vous je dois accepter l'essai ?",
    "d'apres vous c'est le bon traitement pour moi",
    "lequel est le meilleur pour son cas ?",
    "lequel est le mieux pour ma mère, l'essai ou la chimio ?",
    "quel hopital choisir pour mon mari ?",
    "mes analyses sont à 45, c'est grave ?",
    "ma prise de sang est à 3, c'est normal ?",
    "mes plaquettes sont à 80 000, c'est grave ?",
    "mes plaquettes sont basses, c'est grave docteur ?",
    "ses globules blancs sont bas, est-ce inquiétant ?",
    "mon taux de TSH est à 12",
    "mes transaminases sont élevées, que dois-je faire",
    "j'ai oublié ma dose de cortisone, je fais quoi ?",
    "j'ai oublié de prendre mon comprimé ce matin",
    "j'ai oublié mes cachets hier, je double ?",
    "je prends combien de comprimés de cortisone ?",
    "ma mère a pris deux fois sa dose",
    "je peux doubler la dose demain ?",
    "est-ce que je peux quand même faire ma perf",
    "est ce que je peux quand meme faire ma perfusion demain avec un rhume",
    "mon père peut-il quand même faire sa perfusion ?",
    "est-ce que mon mari doit arrêter l'immunothérapie",
    "est-ce que ma femme peut prendre de l'ibuprofène avec le nivolumab",
    "je prends du millepertuis, c'est ok avec mon traitement ?",
    "jpeux prendre un doliprane ?",
    "est ce que jpeux arreter mon traitement",
    "je veux arrêter l'immunothérapie, vous en pensez quoi ?",
    "qu'en pensez-vous pour mon père ?",
    "vous feriez quoi à ma place ?",
    "mon oncologue veut arrêter le traitement, il a raison ?",
    "est-ce que je dois faire l'essai ou pas",
    "ma perf est décalée d'une semaine, c'est grave ?",
    "mon scanner est bon ?",
    "mes résultats sont mauvais ?",
    "mon traitement marche-t-il ?",
    "est-ce que mon traitement marche ?",
    "combien de temps il me reste ?",
    "est-ce que je vais m'en sortir ?",
    "son cancer est-il guérissable ?",
    "dois-je prendre mes corticoïdes le matin ou le soir ?",
    "ma femme peut-elle prendre un somnifère avec son traitement ?",
]

GENERAL = [
    "what is the usual dose schedule?",
    "what do steroids do?",
    "how long does an infusion take",
    "how long does immunotherapy last",
    "can immunotherapy cause a rash",
    "what should i do if i get a rash",
    "can i join a clinical trial",
    "how do i find a clinical trial for lung cancer",
    "can i go to work during treatment",
    "can i travel while on immunotherapy",
    "what is pd-l1",
    "what does a high tmb mean",
    "why do doctors stop immunotherapy",
    "when is treatment stopped because of side effects",
    "what are the phases of a trial",
    "is immunotherapy the same as chemo",
    "will i lose my hair",
    "how often are the infusions",
    "what is keytruda",
    "who can i call at night",
    "what blood tests are done during treatment",
    "",
    "   ",
    "<script>alert(1)</script>",
    "'; DROP TABLE article; --",
    # French general questions
    "quelle est la dose habituelle du pembrolizumab ?",
    "combien de temps dure une perfusion ?",
    "peut-on arrêter l'immunothérapie en cas d'effets secondaires ?",
    "pourquoi arrête-t-on parfois l'immunothérapie ?",
    "comment se passe une séance d'immunothérapie ?",
    "qu'est-ce que le taux de PD-L1 ?",
    "à quoi sert un scanner pendant le traitement ?",
    "quels sont les résultats des essais cliniques sur le mélanome ?",
    "est-ce que l'immunothérapie fait perdre les cheveux ?",
    "combien de cures faut-il en général ?",
    "qu'est-ce qu'un essai clinique ?",
    "peut-on prendre du paracétamol pendant l'immunothérapie en général ?",
    "quand faut-il appeler l'équipe soignante ?",
    "il faut parfois arrêter le traitement",  # "il faut" is impersonal
    "peut-on sauter une perfusion ?",
    # French, second pass: general questions and other requests near the new phrases
    "ma femme peut elle continuer à nager pendant son immunothérapie ?",
    "je veux continuer le sport pendant mon traitement, c'est bon ?",
    "peut-on prendre du paracétamol sous immunothérapie ?",
    "quels médicaments sont incompatibles avec l'immunothérapie ?",
    "c'est quoi les plaquettes ?",
    "à quoi servent les analyses de sang pendant le traitement ?",
    "que se passe-t-il si on oublie une dose de cortisone ?",
    "quel est le meilleur hôpital pour l'immunothérapie à paris ?",
    "quelle est la différence entre les traitements ?",
    "comment choisir un essai clinique ?",
    "est-ce grave d'avoir des effets secondaires ?",
    "peut-on boire de l'alcool pendant une immunothérapie ?",
    "les vaccins sont-ils possibles pendant l'immunothérapie ?",
    "qu'est-ce qu'un taux de TSH normal ?",
    "que veut dire un taux de plaquettes bas ?",
    "combien de temps dure le traitement en général ?",
    "l'immunothérapie est-elle compatible avec la radiothérapie ?",
    "c'est quoi l'ALD ?",
    "comment marche le keytruda ?",
    "est-ce que le traitement est remboursé ?",
    "où se trouve l'hôpital de jour ?",
    "je voudrais parler à quelqu'un",
    "je peux poser une question ?",
    "je peux parler à un humain ?",
    "est-ce que je peux venir accompagné à ma perfusion ?",
    "je peux travailler pendant le traitement ?",
    "je veux savoir ce qu'est l'immunothérapie",
    "est-ce que je peux boire de l'alcool avec mon traitement",
    "est-ce que je peux me faire vacciner contre la grippe pendant mon immuno",
    "ma prise de sang est à 8h demain",
    "mon rendez-vous scanner est à 14h",
    "que faire si on oublie de prendre son comprimé ?",
    "mon père a 3 enfants",
    "quel est le meilleur hôpital pour l'immunothérapie ?",
    "je cherche un essai pour mon père",
    "mon traitement marche bien, merci",
    "je voudrais savoir si mon rendez-vous est maintenu",
    "est-ce que vous pouvez m'aider ?",
    "je dois faire une prise de sang demain",
    "mon médecin m'a dit de venir à 9h",
    "comment se passe une perfusion ?",
    "c'est quoi une dose de charge ?",
    "faut-il être à jeun pour la prise de sang ?",
    "il faut arrêter de fumer pendant le traitement ?",
    "je peux venir avec ma femme à la perfusion ?",
]


@pytest.mark.parametrize("text", PERSONAL)
def test_a_personal_request_fires(text: str) -> None:
    assert check_advice(text).personal, text


@pytest.mark.parametrize("text", GENERAL)
def test_a_general_question_does_not_fire(text: str) -> None:
    assert not check_advice(text).personal, (text, check_advice(text).kinds)


@pytest.mark.parametrize("junk", [None, b"\xff\xfe should i stop my keytruda", 42, "x" * 100_000])
def test_any_input_gets_an_answer(junk: object) -> None:
    assert isinstance(check_advice(junk).personal, bool)


def test_plain_text_drops_accents_case_and_punctuation() -> None:
    assert plain("Est-ce que JE dois arrêter… mon traitement ?!") == (
        "est-ce que je dois arreter mon traitement"
    )


def test_every_kind_in_the_file_is_used_by_a_test_phrasing() -> None:
    fired = {kind for text in PERSONAL for kind in check_advice(text).kinds}
    assert fired == set(load_phrases(VOCABULARY_FILE))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("macros: {}\n", "the 'phrases:' section is missing"),
        ("macros: {}\nphrases:\n  dose:\n    - '{nobody} dose'\n", "advice.yml:4: {nobody}"),
        ("macros: {}\nphrases:\n  dose:\n    - 'my dose!'\n", "advice.yml:4: 'dose!'"),
        ("macros: {}\nphrases:\n  dose: []\n", "advice.yml:3: dose: list its entries"),
        ("macros: {}\nphrases: {}\nextra: 1\n", "unknown section 'extra'"),
        ("macros: [\n", "not valid YAML"),
    ],
)
def test_a_bad_vocabulary_file_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "advice.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message.replace("{", r"\{").replace("}", r"\}")):
        load_phrases(path)
