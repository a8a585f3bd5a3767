"""Emotional text-to-speech: text encoder, variance adaptor, flow-matching and diffusion
decoders over WORLD acoustic features."""
