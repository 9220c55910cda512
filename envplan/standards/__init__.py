"""Pure, standard-exact evaluation functions (no Django, no clock, no database)."""
