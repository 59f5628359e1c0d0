"""The index contract: what a built index folder holds and how serving reads it.

The records (`schema`), the folder with its manifest, lock and verification (`folder`), the dense
search (`dense`), the BM25 tokenizer (`tokenize`), the query encoder's runtime (`query_encoder`),
the models (`models`), where things live (`config`) and whether an index is up to date
(`freshness`). The engine and the Discord app depend on this package and on nothing of the build
pipeline (`index_build`), which writes what this package reads.
"""
