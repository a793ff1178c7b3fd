"""The basic-information registry (人、地、事、物、组织): standard addresses, houses, residents,
special and vulnerable groups, organisations, places and things (R11.1 (二), R22.1)."""
