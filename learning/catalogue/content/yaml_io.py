"""Reading and writing content files in one canonical YAML form, so an export is byte-for-byte stable."""

from pathlib import Path

import yaml


class _CanonicalDumper(yaml.SafeDumper):
    """Block scalars for multi-line text; no aliases; keys in the order given."""

    def ignore_aliases(self, data):
        return True


def _represent_str(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_CanonicalDumper.add_representer(str, _represent_str)


def dump(data) -> str:
    return yaml.dump(
        data,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data), encoding="utf-8", newline="\n")


def read(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
