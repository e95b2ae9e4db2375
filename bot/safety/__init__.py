"""Safety nets: warning signs that always reach the urgent answer; redaction of personal data."""
