"""`DiffusionDecoder`: acoustic frames by denoising diffusion (epsilon prediction) on a
1000-step schedule (`TTSConfig.diffusion_*`), sampled with diffusers' schedulers built from
that same training config (`synth.sampling`): DPM-Solver++ (multistep, few steps) or ancestral
DDPM.
"""

from __future__ import annotations

import torch
from diffusers import DDPMScheduler, DPMSolverMultistepScheduler
from torch import nn

from synth.sampling import DIFFUSION_SCHEDULERS, diffusion_sampler, diffusion_training_scheduler, sample_diffusion

from .config import TTSConfig
from .decoder_net import DenoiserNet, guided_prediction, masked_mse, normal_noise, sampling_generator

SCHEDULERS = DIFFUSION_SCHEDULERS


class DiffusionDecoder(nn.Module):
    default_steps = 20
    default_scheduler = "dpm"

    def __init__(self, config: TTSConfig):
        super().__init__()
        self.config = config
        self.net = DenoiserNet.from_config(config)
        self.training_scheduler = diffusion_training_scheduler(
            config.diffusion_train_steps, config.diffusion_beta_schedule, config.diffusion_beta_start,
            config.diffusion_beta_end)

    def _time(self, timesteps: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return timesteps.to(like) / self.config.diffusion_train_steps

    def loss(self, x0: torch.Tensor, condition: torch.Tensor, mask: torch.Tensor,
             generator: torch.Generator | None = None) -> torch.Tensor:
        """x0 (B, A, F) normalised targets, condition (B, C, F), mask (B, F) -> scalar."""
        noise = normal_noise(x0, generator)
        device = generator.device if generator is not None else x0.device
        timesteps = torch.randint(0, self.config.diffusion_train_steps, (x0.shape[0],),
                                  generator=generator, device=device).to(x0.device)
        noisy = self.training_scheduler.add_noise(x0, noise, timesteps)
        return masked_mse(self.net(noisy, self._time(timesteps, x0), condition, mask), noise, mask)

    def make_scheduler(self, kind: str) -> DDPMScheduler | DPMSolverMultistepScheduler:
        return diffusion_sampler(self.training_scheduler, kind)

    def sample(self, condition: torch.Tensor, mask: torch.Tensor, steps: int | None = None,
               generator: torch.Generator | None = None, guidance: float = 1.0,
               null_condition: torch.Tensor | None = None, scheduler: str | None = None) -> torch.Tensor:
        """condition (B, C, F), mask (B, F) -> normalised acoustic frames (B, A, F)."""
        steps = steps if steps is not None else self.default_steps
        generator = sampling_generator(generator)
        sampler = self.make_scheduler(scheduler or self.default_scheduler)
        template = condition.new_empty(condition.shape[0], self.config.acoustic_dims, condition.shape[-1])

        def epsilon(model_input: torch.Tensor, time: torch.Tensor) -> torch.Tensor:
            return guided_prediction(self.net, model_input, time, condition, null_condition, mask, guidance)

        sample = sample_diffusion(epsilon, normal_noise(template, generator), sampler, steps,
                                  self.config.diffusion_train_steps, generator)
        return sample * mask[:, None, :].to(sample.dtype)
