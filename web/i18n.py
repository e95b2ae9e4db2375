"""Every interface word of the public pages, in English and French side by side.

One catalogue for the templates, the chat endpoint's errors and the page's scripts: the
chat page hands its scripts both languages as data (`data-strings`), so there is no second
catalogue in JavaScript. Article text never comes from here: it is the knowledge base's.

A page's language is `?lang=` when it names one we speak, else the browser's
`Accept-Language`, else English (`page_language`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from starlette.requests import Request

from bot.language import DEFAULT_LANGUAGE, LANGUAGES, as_language

# key -> {language: text}. French for readers: short sentences, common words, "vous".
# `{name}` placeholders are filled by `say`; both versions of a text take the same ones.
TEXTS: dict[str, dict[str, str]] = {
    # --- every page (base.html, error.html) ---
    "site_name": {"en": "Immunotherapy questions", "fr": "Questions sur l'immunothérapie"},
    "title_suffix": {"en": "Institut Curie assistant", "fr": "assistant de l'Institut Curie"},
    "skip_link": {"en": "Skip to main content", "fr": "Aller au contenu principal"},
    "nav_label": {"en": "Main", "fr": "Menu principal"},
    "nav_chat": {"en": "Chat", "fr": "Discussion"},
    "nav_topics": {"en": "All topics", "fr": "Tous les sujets"},
    "language_label": {"en": "Language", "fr": "Langue"},
    "error_not_found": {"en": "Page not found", "fr": "Page introuvable"},
    "error_unavailable": {"en": "Page not available", "fr": "Page indisponible"},
    "error_go_chat": {"en": "Go to the chat", "fr": "Aller à la discussion"},
    "error_or": {"en": "or", "fr": "ou"},
    "error_see_topics": {"en": "see all topics", "fr": "voir tous les sujets"},
    "error_no_topic": {
        "en": "No published topic has this name.",
        "fr": "Aucun sujet publié ne porte ce nom.",
    },
    "error_no_page": {
        "en": "There is no page at this address.",
        "fr": "Il n'y a pas de page à cette adresse.",
    },
    "error_down": {
        "en": "This page is not available right now. Please try again later.",
        "fr": "Cette page n'est pas disponible pour le moment. Merci de réessayer plus tard.",
    },
    # --- the chat page (chat.html) ---
    "chat_title": {"en": "Chat", "fr": "Discussion"},
    "chat_heading": {
        "en": "Questions about immunotherapy",
        "fr": "Vos questions sur l'immunothérapie",
    },
    "disclaimer": {
        "en": "This assistant gives general information, not personal medical advice. "
        "Ask your care team about your own care.",
        "fr": "Cet assistant donne des informations générales. "
        "Ce ne sont pas des conseils médicaux personnels. "
        "Pour vos propres soins, demandez à votre équipe soignante.",
    },
    "emergency": {
        "en": "In an emergency, call 15 (SAMU) or 112. Deaf or hard of hearing: text 114.",
        "fr": "En cas d'urgence, appelez le 15 (SAMU) ou le 112. "
        "Personnes sourdes ou malentendantes : envoyez un SMS au 114.",
    },
    "tools_label": {"en": "Conversation tools", "fr": "Outils de la conversation"},
    "start_over": {"en": "Start over", "fr": "Recommencer"},
    "print_chat": {
        "en": "Save or print this conversation",
        "fr": "Enregistrer ou imprimer la conversation",
    },
    "reference_label": {"en": "Conversation reference:", "fr": "Référence de la conversation :"},
    "reference_note": {
        "en": "- quote it if you ask the hospital to see or delete this conversation.",
        "fr": "- donnez-la si vous demandez à l'hôpital de voir ou d'effacer cette conversation.",
    },
    "noscript": {
        "en": "This chat needs JavaScript. You can still",
        "fr": "Cette discussion a besoin de JavaScript. Vous pouvez quand même",
    },
    "noscript_link": {"en": "read every topic", "fr": "lire tous les sujets"},
    "log_label": {"en": "Conversation", "fr": "Conversation"},
    "typing": {"en": "The assistant is typing", "fr": "L'assistant écrit"},
    "message_label": {"en": "Type your question", "fr": "Écrivez votre question"},
    "message_help": {
        "en": "Press Enter to send. Shift + Enter starts a new line. "
        "Please do not type your name or other personal details.",
        "fr": "Appuyez sur Entrée pour envoyer. Maj + Entrée pour aller à la ligne. "
        "N'écrivez pas votre nom ni d'autres informations personnelles.",
    },
    "send": {"en": "Send", "fr": "Envoyer"},
    # --- the chat's scripts (chat.js, chat-render.js) ---
    "topic_not_found": {
        "en": "Sorry, we could not find that topic. Here is the start of the chat instead. "
        "You can type your question, or see all topics.",
        "fr": "Désolé, nous n'avons pas trouvé ce sujet. Voici le début de la discussion. "
        "Vous pouvez écrire votre question, ou voir tous les sujets.",
    },
    "you_said": {"en": "You said: ", "fr": "Vous avez écrit : "},
    "assistant_said": {"en": "Assistant: ", "fr": "Assistant : "},
    "urgent_flag": {"en": "Important", "fr": "Important"},
    "calls_label": {"en": "Call for help now", "fr": "Appelez à l'aide maintenant"},
    "related_label": {"en": "Related topics", "fr": "Sujets liés"},
    "new_tab": {"en": " (opens in a new tab)", "fr": " (s'ouvre dans un nouvel onglet)"},
    "trials_label": {"en": "Trials found", "fr": "Essais trouvés"},
    "trial_phase": {"en": "Phase", "fr": "Phase"},
    "trial_open": {"en": "Open to new patients", "fr": "Ouvert à de nouveaux patients"},
    "trial_where": {"en": "Where", "fr": "Où"},
    "trial_ages": {"en": "Ages", "fr": "Âges"},
    "trial_link": {"en": "See the trial", "fr": "Voir l'essai"},
    "trial_link_hint": {
        "en": " {nct_id} on ClinicalTrials.gov (opens in a new tab)",
        "fr": " {nct_id} sur ClinicalTrials.gov (s'ouvre dans un nouvel onglet)",
    },
    # --- the chat endpoint's errors (web/chat.py, web/body_limit.py) ---
    "too_long": {
        "en": "Your message is too long. Please keep it under {max_chars} characters, "
        "or split it into shorter questions.",
        "fr": "Votre message est trop long. Écrivez moins de {max_chars} caractères, "
        "ou posez plusieurs questions plus courtes.",
    },
    "too_many": {
        "en": "You are sending messages very fast. Please wait a minute, then try again.",
        "fr": "Vous envoyez des messages très vite. Attendez une minute, puis réessayez.",
    },
    "too_large": {
        "en": "That request is too large.",
        "fr": "Cette demande est trop grande.",
    },
    "bad_request": {
        "en": "Sorry, that message could not be read. Please type your question again.",
        "fr": "Désolé, ce message n'a pas pu être lu. Merci d'écrire à nouveau votre question.",
    },
    # --- the nurses' topic list (topics.html, topics.js) ---
    "topics_title": {"en": "All topics", "fr": "Tous les sujets"},
    "topics_intro": {
        "en": "Each topic opens the chat on its answer. Share the link, let someone scan "
        "the QR code, or print a one-page handout.",
        "fr": "Chaque sujet ouvre la discussion sur sa réponse. Partagez le lien, "
        "faites scanner le QR code, ou imprimez une fiche d'une page.",
    },
    "topic_groups_label": {"en": "Topic groups", "fr": "Groupes de sujets"},
    "topic_qr_alt": {
        "en": "QR code that opens the chat on: {title}",
        "fr": "QR code qui ouvre la discussion sur : {title}",
    },
    "topic_link": {"en": "Link", "fr": "Lien"},
    "copy_link": {"en": "Copy link", "fr": "Copier le lien"},
    "copy_link_label": {"en": "Copy link: {title}", "fr": "Copier le lien : {title}"},
    "handout_link": {"en": "Printable handout", "fr": "Fiche à imprimer"},
    "copied": {"en": "Link copied: ", "fr": "Lien copié : "},
    "copy_by_hand": {
        "en": "The link is selected: press Ctrl+C (or Cmd+C) to copy it.",
        "fr": "Le lien est sélectionné : appuyez sur Ctrl+C (ou Cmd+C) pour le copier.",
    },
    "group_about": {"en": "About immunotherapy", "fr": "Comprendre l'immunothérapie"},
    "group_types": {"en": "Types of immunotherapy", "fr": "Les types d'immunothérapie"},
    "group_side-effects": {"en": "Side effects", "fr": "Les effets secondaires"},
    "group_living": {"en": "Daily life", "fr": "La vie de tous les jours"},
    "group_trials": {"en": "Clinical trials", "fr": "Les essais cliniques"},
    "group_hospital": {
        "en": "The hospital and your care team",
        "fr": "L'hôpital et votre équipe soignante",
    },
    # --- a topic's handout (print.html, print.js) ---
    "handout_title": {"en": "{title} (handout)", "fr": "{title} (fiche)"},
    "handout_kicker": {
        "en": "Immunotherapy information - Institut Curie assistant",
        "fr": "Informations sur l'immunothérapie - assistant de l'Institut Curie",
    },
    "more_details": {"en": "More details", "fr": "Plus de détails"},
    "handout_qr_alt": {
        "en": "QR code that opens the chat on this topic",
        "fr": "QR code qui ouvre la discussion sur ce sujet",
    },
    "handout_continue": {
        "en": "Questions? Continue in the chat:",
        "fr": "Des questions ? Continuez dans la discussion :",
    },
    "handout_scan": {"en": "scan the code, or go to", "fr": "scannez le code, ou allez sur"},
    "sources": {"en": "Sources", "fr": "Sources"},
    "handout_disclaimer": {
        "en": "General information, not personal medical advice. "
        "Ask your care team about your own care.",
        "fr": "Informations générales, pas des conseils médicaux personnels. "
        "Pour vos propres soins, demandez à votre équipe soignante.",
    },
    "print_handout": {"en": "Print this page", "fr": "Imprimer cette page"},
}
# Each language named in its own words, as the switch shows it ("Français | English").
LANGUAGE_NAMES: dict[str, str] = {"fr": "Français", "en": "English"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def say(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (English if `language` is not one we speak).

    Args:
        key: the catalogue's key.
        language: "en" or "fr".
        **values: the text's `{placeholders}`.

    Returns:
        The text, placeholders filled.
    """
    text = TEXTS[key].get(language) or TEXTS[key][DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def texts(language: str) -> dict[str, str]:
    """Every text in `language`, by key, placeholders left in (the templates' `t`)."""
    return {key: say(key, language) for key in TEXTS}


def strings_json() -> str:
    """Both languages' texts as one JSON object, for the page's scripts (`data-strings`).

    The template's autoescape makes it safe inside an attribute.
    """
    return json.dumps({language: texts(language) for language in LANGUAGES}, ensure_ascii=False)


def placeholders(text: str) -> set[str]:
    """The `{names}` a text takes (a test checks both languages take the same)."""
    return set(_PLACEHOLDER.findall(text))


def preferred_language(accept_language: str | None) -> str | None:
    """The language we speak that an `Accept-Language` header likes most, or None.

    Args:
        accept_language: the header, e.g. "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7".

    Returns:
        "en" or "fr" (the highest weight wins; between equals, the first listed), or None
        when the header names neither, or refuses both (q=0).
    """
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        language = as_language(tag)
        if language is None:
            continue
        weight = _weight(params)
        if weight > 0 and (best is None or (weight, -position) > (best[0], best[1])):
            best = (weight, -position, language)
    return best[2] if best else None


def _weight(params: str) -> float:
    """The `q=` of an Accept-Language entry (1 when absent, 0 when unreadable)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                return 0.0
            return weight if 0 <= weight <= 1 else 0.0
    return 1.0


def header_language(headers: Mapping[str, str]) -> str:
    """The language of a request's `Accept-Language` header, else English."""
    return preferred_language(headers.get("accept-language")) or DEFAULT_LANGUAGE


def page_language(request: Request) -> str:
    """The language a page is shown in: `?lang=`, else `Accept-Language`, else English."""
    return as_language(request.query_params.get("lang")) or header_language(request.headers)
