"""The maintainers' corpus tools, behind `treatybot corpus ...`.

- `add_page` (add.py): one commentary page, fetched (fetch.py) or read from a saved copy,
  its text and metadata extracted with trafilatura (extract.py), written as
  `analysis/DATE-PUBLISHER-TITLE.md` after the duplicate check (writer.py).
- `refresh_excerpts` (refresh.py): files marked `excerpt: true` get the full piece when the
  page begins with the stored opening.
- `import_pdf` (import_pdf.py): an official PDF converted by `index_build.pdf_import`,
  checked against the manifest, written atomically.
- `fetch_corpus` (fetch_corpus.py): a whole corpus from the official PDF and the pages in
  the commentary manifest (manifest.py).

Addresses, time and size limits are settings (settings.py). Every failure is a
`CorpusToolError` (errors.py) whose message is one line fit for the user. Import from the
modules themselves: this package imports nothing, so that loading one tool stays light.
"""
