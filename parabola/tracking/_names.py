"""Run ids (8 lowercase base-36 characters, as W&B) and generated names like ``calm-river-3``."""

from __future__ import annotations

import getpass
import os
import random
import string

__all__ = ["default_entity", "new_run_id", "new_run_name"]

_ALPHABET = string.ascii_lowercase + string.digits
_ADJECTIVES = [
    "amber",
    "autumn",
    "bold",
    "brave",
    "bright",
    "calm",
    "clear",
    "cool",
    "crimson",
    "dark",
    "dawn",
    "deep",
    "eager",
    "fancy",
    "fine",
    "fluent",
    "gentle",
    "glad",
    "golden",
    "grand",
    "green",
    "happy",
    "hardy",
    "honest",
    "icy",
    "jolly",
    "keen",
    "kind",
    "light",
    "lively",
    "lucky",
    "lunar",
    "misty",
    "noble",
    "pale",
    "peach",
    "polar",
    "proud",
    "quiet",
    "rapid",
    "royal",
    "rustic",
    "sandy",
    "sharp",
    "silent",
    "silver",
    "smooth",
    "snowy",
    "solar",
    "spring",
    "stellar",
    "still",
    "sunny",
    "swift",
    "tidy",
    "vivid",
    "warm",
    "wild",
    "wise",
    "young",
]
_NOUNS = [
    "bird",
    "breeze",
    "brook",
    "butterfly",
    "cloud",
    "dawn",
    "dew",
    "dream",
    "dust",
    "field",
    "fire",
    "firefly",
    "flower",
    "fog",
    "forest",
    "frog",
    "glade",
    "grass",
    "haze",
    "hill",
    "lake",
    "leaf",
    "meadow",
    "moon",
    "morning",
    "mountain",
    "night",
    "ocean",
    "paper",
    "pine",
    "planet",
    "pond",
    "rain",
    "resonance",
    "river",
    "salad",
    "sea",
    "shadow",
    "shape",
    "sky",
    "smoke",
    "snow",
    "sound",
    "spaceship",
    "star",
    "sun",
    "sunset",
    "surf",
    "thunder",
    "tree",
    "violet",
    "water",
    "wave",
    "wildflower",
    "wind",
    "wood",
]


def new_run_id() -> str:
    """A random 8-character id; unique enough within a project (36**8 possibilities)."""
    # One os.urandom call (fork-safe: no generator state is inherited by a child).
    return "".join(_ALPHABET[b % 36] for b in os.urandom(8))


def new_run_name(number: int) -> str:
    """``adjective-noun-N`` where ``N`` is the run's position in its project."""
    rng = random.SystemRandom()
    return f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}-{number}"


def default_entity() -> str:
    """``$PARABOLA_ENTITY``, ``$WANDB_ENTITY``, the OS user name, else ``"local"``."""
    for var in ("PARABOLA_ENTITY", "WANDB_ENTITY"):
        value = os.environ.get(var, "").strip()
        if value:
            return value
    try:
        user = getpass.getuser()
    except Exception:  # no user database entry (containers): fall back quietly
        user = ""
    return user or "local"
