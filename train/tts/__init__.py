"""Training the learned TTS: the corpus's WORLD features, phone alignment, batches and the
Lightning module (the commands are `python -m train.train_tts` and `train.evaluate_tts`)."""
