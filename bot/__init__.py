"""The immunotherapy patient assistant's domain: knowledge base, triage and rendering.

Nothing in this package imports Rasa, so it can be used and tested on its own.
"""
