"""Terms of the structural equation model tables. key: (en, zh)."""

TERMS = {
}
