"""Training the in-repo facial-expression recognizer on rendered faces (the command is
`python -m train.train_fer`)."""
