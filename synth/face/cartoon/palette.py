"""Every colour one cartoon identity is drawn with, derived once from its own colours."""

from __future__ import annotations

from dataclasses import dataclass

from .colours import RGB, contrasting_dark, mix, shade
from .identity import CartoonIdentity


@dataclass(frozen=True)
class Palette:
    """Every colour one identity is drawn with, derived once."""

    background: RGB
    skin: RGB
    skin_shadow: RGB
    line: RGB
    hair: RGB
    hair_line: RGB
    hair_shine: RGB
    brow: RGB
    sclera: RGB
    iris: RGB
    pupil: RGB
    lip: RGB
    lip_line: RGB
    cavity: RGB
    teeth: RGB
    tongue: RGB
    blush: RGB
    shirt: RGB
    shirt_line: RGB

    @classmethod
    def of(cls, identity: CartoonIdentity) -> "Palette":
        skin, hair = identity.skin_colour, identity.hair_colour
        line = mix(shade(skin, 0.42), (60, 30, 24), 0.3)
        return cls(
            background=identity.background_colour,
            skin=skin,
            skin_shadow=mix(shade(skin, 0.84), (150, 60, 60), 0.08),
            line=line,
            hair=hair,
            hair_line=shade(hair, 0.6),
            hair_shine=mix(hair, (255, 255, 255), 0.3),
            brow=contrasting_dark(shade(hair, 0.85), skin, 70.0),
            sclera=(250, 250, 247),
            iris=identity.iris_colour,
            pupil=(24, 18, 20),
            lip=identity.lip_colour,
            lip_line=shade(identity.lip_colour, 0.6),
            cavity=(70, 22, 34),
            teeth=(248, 246, 238),
            tongue=(214, 96, 110),
            blush=(240, 110, 120),
            shirt=identity.shirt_colour,
            shirt_line=shade(identity.shirt_colour, 0.6),
        )
