"""The evaluations' judges and measures, none trained by this project on its own output: the
outside face and speech judges (a FER2013 network, an ASR, F0 and loudness), the speaker
encoder, the independent cues of the scoring evaluation, and the emotion metrics (UAR, CCC)."""
