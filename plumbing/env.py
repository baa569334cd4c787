"""Strict readers for settings that come from the environment.

A setting that is present but malformed stops the process with a message that names the variable,
instead of silently falling back to a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            with open(file_name, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {error}") from error
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _number(name: str, parse, kind: str):
    """The variable read by `parse` (int, float); None when it is unset or blank."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}, not {raw!r}") from None


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    value = _number(name, int, "a whole number")
    if value is None:
        return default
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_seconds(name: str, default: float, *, allow_zero: bool = False) -> float:
    """A duration in seconds (decimals allowed): positive, or also 0 when `allow_zero` (meaning "off")."""
    value = _number(name, float, "a number of seconds")
    if value is None:
        return default
    if value < 0 or (value == 0 and not allow_zero) or value != value or value == float("inf"):
        raise ImproperlyConfigured(
            f"{name} must be {'0 or ' if allow_zero else ''}a positive number of seconds, "
            f"not {os.environ[name]!r}"
        )
    return value
