"""The scoring loop, one for every generator: make candidates, judge each against the target,
keep the best; optionally calibrate the generator's strength until the reading's intensity is
within a tolerance of what was asked.

A generator is two callables: ``make(seed, strength) -> result`` and ``judge(result) ->
Judgement``. "Strength" is whatever turns the emotion up: guidance for speech, the intensity
factor for voice conversion and faces. Everything is deterministic for a seed: candidate i
has seed ``seed + i`` and a fixed strength factor; calibration's steps depend only on readings.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from conditioning.target import EmotionTarget
from synth.settings import SCORING_FIELDS

from .scores import CandidateScore, Judgement, ScoreWeights, score

Result = TypeVar("Result")
Progress = Callable[[float, str], None]

# Best-of-N candidates' strength factors (cycled): the plain output first, then a little more and
# less, then further out; the recognizer's reading decides which lands closest to the target.
STRENGTH_FACTORS = (1.0, 1.35, 0.75, 1.8, 0.55, 2.4)
# Every candidate's strength stays within this factor of the asked strength (either way), so that
# asks a factor 2 apart in intensity (0.4 and 0.8) are never displayed in reverse order: 1.41^2 = 2.
# Unbounded, the loop bought the asked category with stronger output, and weak and strong asks
# ended up alike (docs/scoring.md, "What it buys").
STRENGTH_BAND = math.sqrt(2.0)
# Without two readings at different strengths, calibration scales strength by
# exp(STEP_GAIN * (asked - read)): 0.2 too weak -> x1.49.
STEP_GAIN = 2.0
MAX_STEP_FACTOR = 3.0            # one calibration step changes strength at most 3x either way
MIN_SLOPE = 0.02                 # intensity per unit of log strength below which a fit is not trusted
# No candidate read confidently: the output is taken as not yet expressive enough, and strength
# rises by this factor per step (a clear reading then steers as usual).
UNCLEAR_STEP = 1.5


@dataclass(frozen=True)
class ScoringConfig:
    best_of: int = 1
    calibrate: bool = False
    tolerance: float = 0.1               # |read - asked| intensity within which calibration stops
    calibration_budget: int = 3          # at most this many extra outputs for calibration
    vary_strength: bool = True           # best-of-N candidates also vary strength, not only the seed
    strength_band: float | None = STRENGTH_BAND   # every strength within [s / band, s * band]; None: bounds only
    time_budget_s: float | None = None   # no new output is started after this (the first always is)
    new_seed_when_unclear: bool = True   # nothing trusted at the strength limit: calibration tries other seeds
    weights: ScoreWeights = field(default_factory=ScoreWeights)

    def __post_init__(self) -> None:
        low, high = SCORING_FIELDS["best_of"].limits
        if (isinstance(self.best_of, bool) or not isinstance(self.best_of, (int, np.integer))
                or not low <= self.best_of <= high):
            raise ValueError(f"best_of must be an integer in {low}..{high}; got {self.best_of!r}")
        if not 0.0 < self.tolerance <= 1.0:
            raise ValueError(f"tolerance must be in (0, 1]; got {self.tolerance}")
        if not 0 <= self.calibration_budget <= 10:
            raise ValueError(f"calibration_budget must be in 0..10; got {self.calibration_budget}")
        if self.strength_band is not None and not self.strength_band >= 1.0:
            raise ValueError(f"strength_band must be at least 1; got {self.strength_band}")
        if self.time_budget_s is not None and not self.time_budget_s > 0:
            raise ValueError(f"time_budget_s must be positive; got {self.time_budget_s}")

    @property
    def active(self) -> bool:
        return self.best_of > 1 or self.calibrate


@dataclass(frozen=True)
class Candidate(Generic[Result]):
    index: int
    seed: int
    strength: float
    stage: str                      # "best_of" or "calibration"
    result: Result
    judgement: Judgement
    score: CandidateScore
    seconds: float

    def to_dict(self) -> dict:
        return {"index": self.index, "seed": self.seed, "strength": round(self.strength, 4), "stage": self.stage,
                "seconds": round(self.seconds, 3), **self.score.to_dict()}


@dataclass(frozen=True)
class Scored(Generic[Result]):
    """Every candidate, in the order made, and which one was kept."""
    candidates: tuple[Candidate[Result], ...]
    kept: int
    asked: EmotionTarget
    stopped_by: str                 # "done", "within tolerance", "calibration budget", "time budget", ...
    seconds: float

    @property
    def best(self) -> Candidate[Result]:
        return self.candidates[self.kept]

    def to_dict(self) -> dict:
        return {"kept": self.kept, "asked_intensity": round(self.asked.intensity, 4),
                "asked_category": self.asked.category, "stopped_by": self.stopped_by,
                "seconds": round(self.seconds, 3), "candidates": [c.to_dict() for c in self.candidates]}


def best_trusted(candidates):
    """Among trusted candidates, the one read as the asked category most often, then the lowest
    total (ties: the earlier); None when nothing is trusted. What calibration steers from."""
    trusted = [c for c in candidates if c.score.trusted]
    return min(trusted, key=lambda c: (*c.score.rank, c.index)) if trusted else None


def best_index(candidates) -> int:
    """The candidate to keep: the best trusted one, unless the plain output (the first) could not
    be read and the best trusted one is read as another category (on some segment). A confident
    reading of another category is evidence against a candidate; an unreliable reading is no
    evidence against the plain output, so nothing honest says the other is better. (Measured: the
    loop kept confident angry readings over unreadable plain ones asked happy, docs/scoring.md.)"""
    best = best_trusted(candidates)
    if best is None or (best.score.category_miss and not candidates[0].score.trusted):
        return 0
    return best.index


def _on_target(candidate, tolerance: float) -> bool:
    """Read as the asked category (every segment, for a timeline) at an intensity within tolerance:
    the only reading that ends calibration early."""
    return (candidate.score.trusted and candidate.score.category_miss == 0
            and abs(candidate.score.intensity_error) <= tolerance)


def next_strength(tried: list[tuple[float, float]], current: float, asked: float, read: float,
                  bounds: tuple[float, float]) -> float:
    """The strength to try next so the read intensity moves from `read` to `asked`: a fit of read
    intensity against log strength over the tried (strength, read) pairs where it rises with
    strength, else a multiplicative step; always in the direction that closes the gap."""
    logs = np.log([s for s, _ in tried])
    reads = np.array([r for _, r in tried])
    proposal = current * math.exp(STEP_GAIN * (asked - read))
    if len(set(np.round(logs, 6))) >= 2:
        slope, intercept = np.polyfit(logs, reads, 1)
        if slope > MIN_SLOPE:
            proposal = math.exp((asked - intercept) / slope)
    proposal = float(np.clip(proposal, current / MAX_STEP_FACTOR, current * MAX_STEP_FACTOR))
    # The fit pools seeds; the direction must still follow this reading.
    if (asked > read) != (proposal > current):
        proposal = current * math.exp(STEP_GAIN * (asked - read))
    return float(np.clip(proposal, *bounds))


def strength_limits(strength: float, bounds: tuple[float, float], band: float | None) -> tuple[float, float]:
    """Where every candidate's strength lies: within `bounds` and, with a `band`, within that factor
    of the asked `strength` (ScoringConfig.strength_band)."""
    if band is None:
        return bounds
    return (max(bounds[0], min(strength, bounds[1]) / band), min(bounds[1], max(strength, bounds[0]) * band))


def run_scoring(make: Callable[[int, float], Result], judge: Callable[[Result], Judgement], asked: EmotionTarget,
                config: ScoringConfig = ScoringConfig(), seed: int = 0, strength: float = 1.0,
                bounds: tuple[float, float] = (0.25, 4.0), progress: Progress | None = None) -> Scored[Result]:
    """Best of `config.best_of` candidates, then (with `config.calibrate`) strength steps from the
    best until its intensity reading is within tolerance, the budget is spent or strength can
    move no further. `asked` is the target (a timeline's mean, when judged by segments). Every
    strength lies within `bounds` and, with `config.strength_band`, within that factor of `strength`."""
    report = progress or (lambda share, message: None)
    bounds = strength_limits(strength, bounds, config.strength_band)
    planned = config.best_of + (config.calibration_budget if config.calibrate else 0)
    started = time.perf_counter()
    candidates: list[Candidate[Result]] = []

    def out_of_time() -> bool:
        return config.time_budget_s is not None and time.perf_counter() - started > config.time_budget_s

    def add(candidate_seed: int, candidate_strength: float, stage: str) -> Candidate[Result]:
        made = time.perf_counter()
        result = make(candidate_seed, candidate_strength)
        judgement = judge(result)
        candidate = Candidate(len(candidates), candidate_seed, candidate_strength, stage, result, judgement,
                              score(asked, judgement, config.weights), time.perf_counter() - made)
        candidates.append(candidate)
        report(len(candidates) / planned, f"{stage} {len(candidates)}: {_describe(candidate.score)}")
        return candidate

    stopped_by = "done"
    for i in range(config.best_of):
        if i and out_of_time():
            stopped_by = "time budget"
            break
        factor = STRENGTH_FACTORS[i % len(STRENGTH_FACTORS)] if config.vary_strength else 1.0
        add(seed + i, float(np.clip(strength * factor, *bounds)), "best_of")
    if config.calibrate and stopped_by == "done":
        stopped_by = _calibrate(candidates, add, asked.intensity, config, bounds, out_of_time)
    report(1.0, "scored")
    return Scored(tuple(candidates), best_index(candidates), asked, stopped_by, time.perf_counter() - started)


def _calibrate(candidates, add, asked: float, config: ScoringConfig, bounds, out_of_time) -> str:
    for _ in range(config.calibration_budget):
        best = best_trusted(candidates)
        if best is None:
            if out_of_time():
                return "time budget"
            anchor = candidates[-1] if candidates[-1].stage == "calibration" else candidates[0]
            strength = float(np.clip(anchor.strength * UNCLEAR_STEP, *bounds))
            if strength > anchor.strength:
                add(anchor.seed, strength, "calibration")
            elif config.new_seed_when_unclear:
                # At the strength limit and still nothing trusted: another seed (another delivery,
                # where the generator varies it) may be read confidently.
                add(1 + max(c.seed for c in candidates), strength, "calibration")
            else:
                return "no trusted reading"
            continue
        if _on_target(best, config.tolerance):
            return "within tolerance"
        if out_of_time():
            return "time budget"
        if best.score.category_miss and abs(best.score.intensity_error) <= config.tolerance:
            # The strength is right but the category is not: another seed, a little stronger (a
            # clearer display is the likelier to be read as what it is), rather than a strength
            # step that has nothing to close.
            strength = float(np.clip(best.strength * UNCLEAR_STEP, *bounds))
            add(1 + max(c.seed for c in candidates), strength, "calibration")
            continue
        # Read as asked + error: for a timeline the error is the segments' mean, not the clip's.
        tried = [(c.strength, asked + c.score.intensity_error) for c in candidates if c.score.trusted]
        strength = next_strength(tried, best.strength, asked, asked + best.score.intensity_error, bounds)

        def tried_already(value: float) -> bool:
            return any(c.seed == best.seed and abs(math.log(c.strength / value)) < 0.01 for c in candidates)
        if tried_already(strength):
            # The fit points back at a strength already made: halve the step (in log strength).
            strength = math.sqrt(strength * best.strength)
            if tried_already(strength):
                return "strength at its limit"
        add(best.seed, strength, "calibration")
    best = best_trusted(candidates)
    if best is None:
        return "no trusted reading"
    return "within tolerance" if _on_target(best, config.tolerance) else "calibration budget"


def _describe(candidate_score: CandidateScore) -> str:
    if not math.isfinite(candidate_score.total):
        return "not judged"
    return (f"read {candidate_score.read_category} {candidate_score.read_intensity:.2f}, "
            f"score {candidate_score.total:.3f}" + ("" if candidate_score.reliable else " (unreliable)"))


def plain_judgement(reading: Any) -> tuple[EmotionTarget | None, bool]:
    """A recognizer's reading (an EmotionTarget, or an object with .target) and whether to trust
    it: readings that carry `reliable` (the SER's out-of-distribution flag) are trusted only when
    it is true."""
    if reading is None:
        return None, True
    target = reading if isinstance(reading, EmotionTarget) else reading.target
    return target, bool(getattr(reading, "reliable", True))
