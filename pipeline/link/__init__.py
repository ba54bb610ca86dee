"""Cross-document linking: what different plans say about the same thing."""
