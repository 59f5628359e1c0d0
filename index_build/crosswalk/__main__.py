"""`python -m index_build.crosswalk`: print, write or check `corpus/crosswalk.yaml`.

python -m index_build.crosswalk            # print what the generator proposes
python -m index_build.crosswalk --write    # rewrite corpus/crosswalk.yaml
python -m index_build.crosswalk --check    # exit 1 if the file is not what --write gives
"""

from __future__ import annotations

import argparse
import sys

from index_build.crosswalk.file import CROSSWALK_FILE
from index_build.crosswalk.propose import generate
from index_build.sources import MANIFEST_PATH, CorpusError
from index_contract.config import ConfigError, load_settings
from index_contract.models import ModelError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m index_build.crosswalk", description="The UNCC -> Budapest Convention crosswalk."
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"rewrite corpus/{CROSSWALK_FILE}")
    action.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    parser.add_argument("--corpus", help="corpus root (default: as for treatybot)")
    args = parser.parse_args(argv)
    path = MANIFEST_PATH.parent / CROSSWALK_FILE
    try:
        settings = load_settings(corpus=args.corpus)
        current, generated = generate(settings.corpus, path, settings.embedding_cache)
    except (ConfigError, CorpusError, ModelError) as exc:
        print(f"crosswalk: {exc}", file=sys.stderr)
        return 1
    if args.write:
        path.write_text(generated, encoding="utf-8")
        print(f"Wrote {path}")
    elif args.check:
        if current != generated:
            print(f"{path} is out of date: run python -m index_build.crosswalk --write", file=sys.stderr)
            return 1
        print(f"{path} is up to date.")
    else:
        print(generated, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
