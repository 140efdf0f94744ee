"""Index: the schema, building and updating in worker processes, generations on disk and the rebuild lock."""
