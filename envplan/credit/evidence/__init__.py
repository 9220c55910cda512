"""The evidence sources registered by the credit app itself (see envplan.credit.registry): adapters for
apps on lower floors, which may not import envplan.credit, and the hand-entered evidence."""
