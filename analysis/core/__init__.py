"""The ground floor: errors, findings, warnings, the table model, terms, registries."""
