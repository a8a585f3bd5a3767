"""Training the free-text emotion head: the generated description corpus and the Lightning
module (the command is `python -m train.train_text_head`)."""
