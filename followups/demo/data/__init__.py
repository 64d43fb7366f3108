"""The demo's content as data: YAML files beside this module, each read once."""

from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict:
    """The YAML file `name`.yaml of this folder, parsed (safe_load: plain data only)."""
    with (HERE / f"{name}.yaml").open(encoding="utf-8") as file:
        return yaml.safe_load(file)
