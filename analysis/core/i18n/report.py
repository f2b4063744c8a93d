"""Terms of `avoid-survey report`. key: (en, zh)."""

TERMS = {
}
