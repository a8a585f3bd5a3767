"""The scoring loop: generate candidates, judge them with recognizers validated on data they never
saw, keep the best, calibrate intensity (see docs/scoring.md)."""

from .judges import asked_target, landmark_drift, outside_face_judgement, speech_judgement
from .loop import Candidate, Scored, ScoringConfig, best_index, next_strength, run_scoring, strength_limits
from .scores import CandidateScore, Judgement, ScoreWeights, Segment, score, timeline_segments

__all__ = ["Candidate", "CandidateScore", "Judgement", "ScoreWeights", "Scored", "ScoringConfig", "Segment",
           "asked_target", "best_index", "landmark_drift", "next_strength", "outside_face_judgement",
           "run_scoring", "score", "speech_judgement", "strength_limits", "timeline_segments"]
