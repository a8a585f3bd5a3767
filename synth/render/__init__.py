"""Speech from the voices' own engines (Piper, festival, flite), with the emotion rendered
by the prosody prior: the engine's own controls for the coarse share, WORLD for the rest.

The corpus the learned TTS trains on is made this way, and the studio speaks this way by
default: it keeps every word the engine says."""
