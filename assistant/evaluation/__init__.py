"""How well the answers are ranked: dev sets, BEIR benchmarks, the tutorial pipeline as a baseline."""
