"""Training the talking head's mouth-motion model: speech-to-landmark pairs and the Lightning
module (the command is `python -m train.train_mouth`)."""
