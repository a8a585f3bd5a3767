"""Vocoders: acoustic parameters <-> waveform."""
