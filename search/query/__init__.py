"""Query: the user's text checked and parsed into one :class:`ParsedQuery` (operators, phrases, expansions, spelling)."""
