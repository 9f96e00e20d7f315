"""``patrolsim validate DIR`` and ``patrolsim schema``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from patrolsim.outputs import write_text
from patrolsim.scenario import load_scenario
from patrolsim.scenario.schema import ScenarioIn
from patrolsim.scenario.summary import summarise


def register(sub: Any) -> None:
    """Add the ``validate`` and ``schema`` subcommands."""
    p = sub.add_parser(
        "validate",
        help="check a scenario folder and summarise it",
        description="Read every file of a scenario folder and report all "
        "problems at once as FILE:ROW: FIELD: message (exit 2), or print a "
        "summary (exit 0).",
    )
    p.add_argument("scenario", metavar="DIR", help="scenario folder")
    p.set_defaults(func=_validate)

    s = sub.add_parser(
        "schema",
        help="write the JSON Schema of scenario.toml",
        description="Write the JSON Schema of scenario.toml (for editors).",
    )
    s.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    s.set_defaults(func=_schema)


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    print(summarise(scenario))
    print("OK: no problems found.")
    return 0


def _schema(args: argparse.Namespace) -> int:
    schema = ScenarioIn.model_json_schema()
    schema["title"] = "patrolsim scenario.toml"
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        write_text(args.out, text)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
