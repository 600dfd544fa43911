"""e2i_synth: a synthetic pharma-commercial data warehouse with known causal truth."""
