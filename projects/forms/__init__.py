"""The projects' forms, one module per part (forms/<part>.py beside views/<part>.py)."""
