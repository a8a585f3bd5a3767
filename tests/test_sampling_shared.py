"""The guidance formula and the flow-matching path every generator shares (synth/sampling.py)."""

from __future__ import annotations

import torch

from synth.sampling import classifier_free_guidance, flow_matching_pair


def test_guidance_one_is_the_conditional_prediction_and_two_doubles_the_emotion_change():
    generator = torch.Generator().manual_seed(0)
    conditional, unconditional = torch.randn(2, 3, 5, generator=generator)
    torch.testing.assert_close(classifier_free_guidance(conditional, unconditional, 1.0), conditional)
    assert torch.equal(classifier_free_guidance(conditional, unconditional, 0.0), unconditional)
    doubled = classifier_free_guidance(conditional, unconditional, 2.0)
    torch.testing.assert_close(doubled - unconditional, 2 * (conditional - unconditional))


def test_flow_path_runs_from_data_at_sigma_0_to_noise_at_sigma_1_at_constant_velocity():
    generator = torch.Generator().manual_seed(1)
    data, noise = torch.randn(2, 3, 4, 6, generator=generator)
    noisy, velocity = flow_matching_pair(data, noise, torch.tensor([0.0, 1.0, 0.25]))
    assert torch.equal(noisy[0], data[0]) and torch.equal(noisy[1], noise[1])
    torch.testing.assert_close(noisy[2], data[2] + 0.25 * velocity[2])
    assert torch.equal(velocity, noise - data)
