"""The enforcement pages: one module per concept, plus the public pages that need no login."""
