"""Field work (R11.1, R12.1, R23.1): instructions, patrols and visits will live here. The phone
app itself (``/m/``) stores nothing of its own: reports are cases (``cases.services``)."""
