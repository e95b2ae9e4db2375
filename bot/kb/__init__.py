"""The knowledge base: articles and their files, topics, answers, follow-ups, NLU terms."""
