"""Speed and memory benchmark of the generator: run it with `python -m bench`."""
