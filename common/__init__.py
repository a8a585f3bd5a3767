"""Neutral utilities below every layer: conditioning, synth, ui and train may import from here,
and nothing here imports any of them (tests/test_layering.py checks)."""
