"""Sampling loops shared by every generator: flow-matching integration with diffusers'
Euler scheduler (mouth motion, the TTS flow decoder)."""

from __future__ import annotations

import torch
from diffusers import FlowMatchEulerDiscreteScheduler


def sample_flow(velocity, shape: tuple[int, ...], steps: int, generator: torch.Generator,
                device: torch.device | str | None = None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Integrates a flow-matching velocity (noise -> data as sigma goes 1 -> 0) with
    diffusers' FlowMatchEulerDiscreteScheduler; velocity(sample, sigma (B,)) -> noise - data.
    Shared by every flow-matching generator (mouth motion, TTS decoder). The starting noise
    is drawn on the generator's device and then moved to `device` (default: the generator's),
    so a CPU generator gives the same sample wherever the network runs."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}")
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0)
    scheduler.set_timesteps(steps)
    sample = torch.randn(shape, generator=generator, device=generator.device, dtype=dtype)
    sample = sample.to(device if device is not None else generator.device)
    for timestep in scheduler.timesteps:
        sigma = torch.full((shape[0],), float(timestep) / scheduler.config.num_train_timesteps,
                           dtype=dtype, device=sample.device)
        sample = scheduler.step(velocity(sample, sigma), timestep, sample).prev_sample
    return sample
