"""Rasa custom actions: thin adapters from Rasa's Tracker and Dispatcher to `bot/`."""
