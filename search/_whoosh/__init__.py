"""The only place that touches Whoosh's private names: codec, segment writer, posting, length and column readers."""
