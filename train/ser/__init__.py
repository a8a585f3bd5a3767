"""Training the speech emotion recognizer: corpus audio, crops and augmentation, and the
Lightning module (the commands are `python -m train.train_ser`, `train.calibrate_ser` and
`train.evaluate_ser*`)."""
