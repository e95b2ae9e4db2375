"""`python -m bot nlu build|examples`: what Rasa trains on, from the knowledge base and staff."""

from __future__ import annotations

import argparse

from bot.cli.common import migrated_sessions, read_checked
from bot.settings import PROJECT_ROOT, Settings
from bot.training.examples import write_examples_file

NLU_TERMS_FILE = PROJECT_ROOT / "data" / "nlu" / "kb_terms.yml"


def cmd_nlu_build(settings: Settings, args: argparse.Namespace) -> int:
    from bot.kb.nlu_terms import build_pipeline, nlu_terms_yaml  # spaCy loads slowly: only here

    kb = read_checked(settings, None)
    if kb is None:
        return 1
    count = build_pipeline(kb.articles, settings.spacy_dir)
    NLU_TERMS_FILE.write_text(nlu_terms_yaml(kb.articles), encoding="utf-8")
    print(
        f"spaCy pipeline with {count} term patterns saved to {settings.spacy_dir}; "
        f"synonyms and lookup tables written to {NLU_TERMS_FILE.relative_to(PROJECT_ROOT)}."
    )
    return 0


def cmd_nlu_examples(settings: Settings, args: argparse.Namespace) -> int:
    with migrated_sessions(settings)() as session:
        count = write_examples_file(session, settings.staff_examples_file)
    print(f"Wrote {count} staff example(s) to {settings.staff_examples_file}.")
    return 0


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `nlu` commands."""
    nlu = groups.add_parser("nlu", help="NLU data").add_subparsers(dest="cmd", required=True)
    nlu.add_parser(
        "build", help="spaCy pipeline, synonyms and lookups from the KB terms"
    ).set_defaults(run=cmd_nlu_build)
    nlu.add_parser(
        "examples", help="write the examples staff added to STAFF_EXAMPLES_FILE"
    ).set_defaults(run=cmd_nlu_examples)
