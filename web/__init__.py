"""The web app: the patient chat page, nurse links (topic list, QR codes, handouts).

It runs beside Rasa and forwards chat messages to Rasa's REST channel, so the page
only ever talks to its own origin. See docs/web.md.
"""
