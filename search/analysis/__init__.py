"""Analysis: the one Indonesian token pass (tokenise, lowercase, reduplication, stopwords, Sastrawi stem) and its word lists."""
