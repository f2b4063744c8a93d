"""Terms of `avoid-survey instruments`. key: (en, zh)."""

TERMS = {
}
