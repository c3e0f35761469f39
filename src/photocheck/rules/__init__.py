"""Rules and results: the check registry, profiles, judging and verdict types. No pixels, no HTML."""
