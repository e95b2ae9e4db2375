"""The trial finder: trial records from ClinicalTrials.gov, their tags, the search and its form."""
