"""The immunotherapy patient assistant's domain, with no Rasa import.

Feature subpackages: `kb` (the knowledge base and how answers are rendered), `nlu` (the
sentence encoder and the answer / "did you mean" decision), `trials` (the clinical-trial
finder), `safety` (the warning-sign and personal-advice nets, redaction), `staff` (the
staff workspace: accounts, revisions, audit, inbox) and `training` (staff examples, model
runs, train-test-deploy); `cli` is `python -m bot`. Shared: `settings`, `db`, `text`, `errors`.
"""
