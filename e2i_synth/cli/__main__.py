"""`python -m e2i_synth.cli`, as the installed `e2i-synth` script runs it."""

from e2i_synth.cli import main

main()
