"""`FlowMatchingDecoder`: acoustic frames by optimal-transport conditional flow matching
(Lipman et al. 2023; as in Matcha-TTS), in diffusers' sigma convention:

    x_sigma = sigma * noise + (1 - sigma) * data,   the network predicts noise - data,

sampled from sigma = 1 to 0 with the flow-matching Euler scheduler shared with the mouth
model (`sample_flow`). Straight paths make a handful of steps enough.
"""

from __future__ import annotations

import torch
from torch import nn

from synth.sampling import flow_matching_pair, sample_flow

from .config import TTSConfig
from .decoder_net import DenoiserNet, guided_prediction, masked_mse, normal_noise, sampling_generator


class FlowMatchingDecoder(nn.Module):
    default_steps = 10

    def __init__(self, config: TTSConfig):
        super().__init__()
        self.config = config
        self.net = DenoiserNet.from_config(config)

    def loss(self, x0: torch.Tensor, condition: torch.Tensor, mask: torch.Tensor,
             generator: torch.Generator | None = None) -> torch.Tensor:
        """x0 (B, A, F) normalised targets, condition (B, C, F), mask (B, F) -> scalar."""
        noise = normal_noise(x0, generator)
        device = generator.device if generator is not None else x0.device
        sigma = torch.rand(x0.shape[0], generator=generator, device=device).to(x0)
        noisy, velocity = flow_matching_pair(x0, noise, sigma)
        return masked_mse(self.net(noisy, sigma, condition, mask), velocity, mask)

    def sample(self, condition: torch.Tensor, mask: torch.Tensor, steps: int | None = None,
               generator: torch.Generator | None = None, guidance: float = 1.0,
               null_condition: torch.Tensor | None = None) -> torch.Tensor:
        """condition (B, C, F), mask (B, F) -> normalised acoustic frames (B, A, F)."""
        generator = sampling_generator(generator)
        shape = (condition.shape[0], self.config.acoustic_dims, condition.shape[-1])

        def velocity(sample: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
            return guided_prediction(self.net, sample, sigma, condition, null_condition, mask, guidance)

        sample = sample_flow(velocity, shape, steps if steps is not None else self.default_steps, generator,
                             device=condition.device, dtype=condition.dtype)
        return sample * mask[:, None, :].to(sample.dtype)
