"""Face expression recognition: a face image -> an EmotionTarget in the shared space."""
