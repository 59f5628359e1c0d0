"""Reads the corpus, cuts it into citable passages and writes the search index."""
