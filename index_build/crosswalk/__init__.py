"""The UNCC → Budapest Convention crosswalk: `file` (the reviewable YAML file, read and checked
against the texts), `propose` (pairs proposed from the texts) and `__main__` (the command line)."""
