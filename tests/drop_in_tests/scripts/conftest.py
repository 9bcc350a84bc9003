"""The scripts here are programs run in subprocesses under the switch, never imported by
pytest (``--doctest-modules`` would import, and so run, them)."""

collect_ignore_glob = ["*.py"]
