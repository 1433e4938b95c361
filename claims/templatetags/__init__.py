"""Template tags of the claims app (Django finds them here): part of the web layer."""
