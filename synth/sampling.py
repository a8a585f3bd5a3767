"""What every generator samples and trains with, written once: classifier-free guidance, the
flow-matching path and its training target, flow-matching integration with diffusers'
Euler scheduler (mouth motion, the TTS flow decoder, the conversion planner), and denoising
diffusion with diffusers' DDPM or DPM-Solver++ schedulers (the TTS and conversion planner's
diffusion decoders)."""

from __future__ import annotations

import torch
from diffusers import DDPMScheduler, DPMSolverMultistepScheduler, FlowMatchEulerDiscreteScheduler


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


def classifier_free_guidance(conditional: torch.Tensor, unconditional: torch.Tensor,
                             guidance: float) -> torch.Tensor:
    """unconditional + guidance * (conditional - unconditional) (Ho & Salimans 2022).
    guidance 1 is the conditional prediction; above 1 it exaggerates what the emotion
    changes, which gives intensities beyond those seen in training."""
    return unconditional + guidance * (conditional - unconditional)


def flow_matching_pair(data: torch.Tensor, noise: torch.Tensor,
                       sigma: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The optimal-transport flow-matching path (Lipman et al. 2023) in diffusers' sigma
    convention, for a batch with one sigma (B,) per item: the noisy input
    x_sigma = sigma * noise + (1 - sigma) * data, and the velocity noise - data a network
    learns to predict there (what `sample_flow` integrates)."""
    sigma = sigma.reshape(-1, *([1] * (data.dim() - 1)))
    return sigma * noise + (1 - sigma) * data, noise - data


DIFFUSION_SCHEDULERS = ("dpm", "ddpm")


def diffusion_training_scheduler(train_steps: int, beta_schedule: str, beta_start: float = 1e-4,
                                 beta_end: float = 0.02) -> DDPMScheduler:
    """The noise schedule a diffusion decoder trains on (epsilon prediction). "trailing"
    spacing makes few-step sampling start at the last training step (the noisiest), as Lin et
    al. 2024 recommend; the default "leading" spacing would start short of it."""
    return DDPMScheduler(num_train_timesteps=train_steps, beta_schedule=beta_schedule, beta_start=beta_start,
                         beta_end=beta_end, prediction_type="epsilon", clip_sample=False,
                         timestep_spacing="trailing")


def diffusion_sampler(training_scheduler: DDPMScheduler, kind: str) -> DDPMScheduler | DPMSolverMultistepScheduler:
    """A sampler built from the training schedule: "dpm" (DPM-Solver++, few steps) or "ddpm"
    (ancestral)."""
    if kind == "dpm":
        return DPMSolverMultistepScheduler.from_config(training_scheduler.config)
    if kind == "ddpm":
        return DDPMScheduler.from_config(training_scheduler.config)
    raise ValueError(f"scheduler must be one of {DIFFUSION_SCHEDULERS}; got {kind!r}")


def sample_diffusion(epsilon, noise: torch.Tensor, sampler, steps: int, train_steps: int,
                     generator: torch.Generator) -> torch.Tensor:
    """Denoises ``noise`` (unit Gaussian) in ``steps`` of ``sampler``; epsilon(model_input,
    time (B,) in [0, 1]) -> the predicted noise."""
    if not 1 <= steps <= train_steps:
        raise ValueError(f"steps must be in 1..{train_steps}; got {steps}")
    sampler.set_timesteps(steps)
    sample = noise * sampler.init_noise_sigma
    for timestep in sampler.timesteps:
        model_input = sampler.scale_model_input(sample, timestep)
        time = timestep.expand(len(sample)).to(sample) / train_steps
        sample = sampler.step(epsilon(model_input, time), timestep, sample, generator=generator).prev_sample
    return sample
