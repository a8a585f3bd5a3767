"""The "Best of N" and "Calibrate intensity" controls each generating tab carries, the table of
scored candidates, and the choice of another candidate than the one the loop kept."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from synth.settings import SCORING_FIELDS

CANDIDATE_COLUMNS = ["#", "kept", "seed", "strength", "made by", "read as", "read intensity", "intensity error",
                     "score (lower is closer)", "reliable"]
SCORING_TITLE = "Best of N and intensity calibration"


@dataclass
class ScoringControls:
    best_of: gr.Slider
    calibrate: gr.Checkbox
    table: gr.Dataframe
    pick: gr.Number
    use: gr.Button


def scoring_controls(prefix: str, judged_by: str) -> ScoringControls:
    """An accordion with the loop's two controls, its candidates and a "use this one" choice."""
    with gr.Accordion(SCORING_TITLE, open=False, elem_id=f"{prefix}-scoring"):
        gr.Markdown(f"Make several candidates (seeds and strengths), let {judged_by} score each against the "
                    "emotion, and keep the closest; *calibrate* then adjusts the strength until the read "
                    "intensity is within 0.1 of the asked one.")
        with gr.Row():
            best_of = gr.Slider(*SCORING_FIELDS["best_of"].limits, value=1, step=1, label="Best of N",
                                elem_id=f"{prefix}-best-of")
            calibrate = gr.Checkbox(False, label="Calibrate intensity", elem_id=f"{prefix}-calibrate")
        table = gr.Dataframe(headers=CANDIDATE_COLUMNS, label="Candidates and their scores", interactive=False,
                             wrap=True, elem_id=f"{prefix}-candidates")
        with gr.Row():
            pick = gr.Number(0, label="Candidate #", precision=0, minimum=0, elem_id=f"{prefix}-pick")
            use = gr.Button("Use this candidate instead", elem_id=f"{prefix}-use-candidate")
    return ScoringControls(best_of, calibrate, table, pick, use)


def candidate_rows(scoring: dict | None) -> list[list]:
    """One row per candidate of a recipe's "scoring" (empty without the loop)."""
    if not scoring:
        return []
    return [[c["index"], "✓" if c["index"] == scoring["kept"] else "", c["seed"], c["strength"], c["stage"],
             c["read_category"], c["read_intensity"], c["intensity_error"], c["total"], c["reliable"]]
            for c in scoring["candidates"]]


def checked_pick(scoring, index) -> int:
    """The candidate number a person typed, checked against what the last run made."""
    if scoring is None:
        raise gr.Error("Make speech or a video with Best of N above 1 (or Calibrate) first.")
    index = int(index or 0)
    if not 0 <= index < len(scoring.candidates):
        raise gr.Error(f"There are candidates 0 to {len(scoring.candidates) - 1}; got {index}.")
    return index
