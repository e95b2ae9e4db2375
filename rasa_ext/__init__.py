"""Rasa-side extensions: the urgent-symptom NLU component and the guarded channels.

This package imports Rasa and runs inside the Rasa server; the action server never
imports it. The logic itself lives in `bot/`.
"""
