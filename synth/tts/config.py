"""`TTSConfig`: every size and constant of an `EmotionalTTS`, saved inside its checkpoint.

One config describes both model variants; `decoder` picks the flow-matching or the diffusion
decoder, everything else (text encoder, variance adaptor, conditioning) is shared. The
normalisation statistics are filled in from the training corpus by the training script
(identity by default), so a checkpoint carries them and inference needs no side files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conditioning.encoder import EmotionEncoderConfig
from synth.text.frontend import PHONE_SYMBOLS
from synth.tts.acoustic import AcousticConfig

DECODERS = ("flow", "diffusion")
ACOUSTIC_DIMS = AcousticConfig().decoder_dims  # 60 coded envelope + 2 aperiodicity bands at 22.05 kHz

@dataclass(frozen=True)
class TTSConfig:
    decoder: str = "flow"
    # Text side
    vocab_size: int = len(PHONE_SYMBOLS)
    stress_levels: int = 3
    voices: int = 7
    voice_dim: int = 64
    # Sized so a full-corpus epoch takes ~13 min on 2 CPU cores (2.4 M parameters); the
    # 192-channel, 10-block variant learns no faster per minute there (7 M, 31 min/epoch).
    hidden: int = 128
    encoder_layers: int = 3
    heads: int = 2
    ffn_channels: int = 512
    conv_kernel: int = 3
    dropout: float = 0.1
    # Variance adaptor
    duration_layers: int = 2
    frame_predictor_dilations: tuple[int, ...] = (1, 2, 4, 8)
    # Decoder (shared by flow and diffusion); dilations 1..16 at kernel 3 see 63 frames =
    # 0.63 s, a syllable's coarticulation on either side; prosody comes in as condition.
    decoder_channels: int = 128
    decoder_dilations: tuple[int, ...] = (1, 2, 4, 8, 16)
    decoder_kernel: int = 3
    # Stable Diffusion's scaled-linear betas: the last step keeps a little signal
    # (alpha_bar = 0.0047), which epsilon prediction needs; the cosine schedule ends at
    # alpha_bar = 2e-9, where turning a predicted epsilon into data divides by 5e-5.
    diffusion_train_steps: int = 1000
    diffusion_beta_schedule: str = "scaled_linear"
    diffusion_beta_start: float = 0.00085
    diffusion_beta_end: float = 0.012
    # Acoustic features and their normalisation (set from the training corpus)
    acoustic_dims: int = ACOUSTIC_DIMS
    acoustic_mean: tuple[float, ...] = (0.0,) * ACOUSTIC_DIMS
    acoustic_std: tuple[float, ...] = (1.0,) * ACOUSTIC_DIMS
    log_f0_mean: float = 0.0
    log_f0_std: float = 1.0
    energy_mean: float = 0.0
    energy_std: float = 1.0
    emotion: EmotionEncoderConfig = field(default_factory=EmotionEncoderConfig)

    def __post_init__(self):
        if self.decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {DECODERS}; got {self.decoder!r}")
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be divisible by heads ({self.heads})")
        for name in ("acoustic_mean", "acoustic_std"):
            if len(getattr(self, name)) != self.acoustic_dims:
                raise ValueError(f"{name} has {len(getattr(self, name))} values; acoustic_dims is {self.acoustic_dims}")
        if min(self.acoustic_std) <= 0 or self.log_f0_std <= 0 or self.energy_std <= 0:
            raise ValueError("normalisation standard deviations must be positive")

    @property
    def decoder_receptive_field_frames(self) -> int:
        return 1 + (self.decoder_kernel - 1) * sum(self.decoder_dilations)
