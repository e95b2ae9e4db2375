"""Language understanding that needs no Rasa: the sentence encoder."""
