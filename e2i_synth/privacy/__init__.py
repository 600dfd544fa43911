"""Privacy and utility of learned synthesizers: metrics (one formula each), the scorecard,
failure classes, the retry optimizer, synthesizers and the secure query sampler."""
