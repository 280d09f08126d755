"""``python -m eventapp.seating INSTANCE.json``: print the plan as JSON.

Exit status 0 with a plan (even one that breaks rules: they are listed), 2 when the instance
cannot be read.
"""

import argparse
import json
import sys

from eventapp.seating.solver import InstanceError, solve


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventapp.seating",
                                     description="Allocate tables for group-work rounds.")
    parser.add_argument("instance", help="instance JSON file, or - for standard input")
    parser.add_argument("--seed", type=int, help="overrides the instance's seed")
    parser.add_argument("--time-limit", type=float, help="seconds; overrides time_limit_s")
    parser.add_argument("--iterations", type=int,
                        help="search steps instead of the clock (one seed, one plan)")
    args = parser.parse_args(argv)
    try:
        if args.instance == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.instance, encoding="utf-8") as handle:
                data = json.load(handle)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read the instance: {exc}", file=sys.stderr)
        return 2
    if isinstance(data, dict):
        if args.seed is not None:
            data["seed"] = args.seed
        if args.time_limit is not None:
            data["time_limit_s"] = args.time_limit
        if args.iterations is not None:
            data["iterations"] = args.iterations
    try:
        plan = solve(data)
    except InstanceError as exc:
        print(f"invalid instance: {exc}", file=sys.stderr)
        return 2
    json.dump(plan, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
