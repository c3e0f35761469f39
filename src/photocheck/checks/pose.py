"""``pose.yaw``, ``pose.pitch`` and ``pose.roll``: the head faces the camera squarely."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from ..analysis import Analysis
from ..errors import NotAssessed
from ..rules.registry import Outcome, Range, register_check
from ..rules.verdict import Scalar


def _angle(name: str) -> Callable[[Analysis], Mapping[str, Scalar]]:
    def measure(analysis: Analysis) -> Mapping[str, Scalar]:
        degrees = float(analysis.geometry[name])
        if not math.isfinite(degrees):
            raise NotAssessed("the head pose could not be estimated")
        return {"degrees": degrees, "abs_degrees": abs(degrees)}

    measure.__doc__ = (
        f"Head {name} in degrees, fitted from the face mesh (signed; see vision.pose)."
    )
    return measure


register_check(
    "pose.yaw",
    summary="Head turned left/right (degrees; > 0 towards the image's right; face mesh fitted to a 3D face model)",
    passed="You are facing the camera.",
    retake="facing the camera squarely",
    limits=[Range("abs_degrees", None, "max_abs_degrees", noise=0.62, plausible=(0, 20), too_high=Outcome("pose.yaw.turned", "Turn your head {degrees:to your left|to your right} to face the camera straight on: it is turned {value:.0f}° {degrees:to your right|to your left}; at most {max:g}° is allowed."))],
)(_angle("yaw"))  # fmt: skip
register_check(
    "pose.pitch",
    summary="Head tilted up/down (degrees; > 0 chin up; face mesh fitted to a 3D face model)",
    passed="Your head is level.",
    retake="with your chin level",
    limits=[
        Range("abs_degrees", None, "max_abs_degrees", noise=0.74, plausible=(0, 25), too_high=Outcome("pose.pitch.tilted", "{degrees:Raise|Lower} your chin a little to keep it level: your head is tilted {value:.0f}° {degrees:down|up}; at most {max:g}° is allowed.")),
        Range("degrees", "min_degrees", "max_degrees", noise=0.75, plausible=(-30, 25),
              too_low=Outcome("pose.pitch.chin_down", "Raise your chin a little and look straight at the camera: your head is tilted down."),
              too_high=Outcome("pose.pitch.chin_up", "Lower your chin a little and look straight at the camera: your head is tilted up.")),
    ],
)(_angle("pitch"))  # fmt: skip
register_check(
    "pose.roll",
    summary="Head tilted towards a shoulder (degrees; > 0 clockwise on screen; face mesh fitted to a 3D face model)",
    passed="Your head is upright.",
    retake="with your head upright",
    limits=[Range("abs_degrees", None, "max_abs_degrees", noise=0.33, plausible=(0, 15), too_high=Outcome("pose.roll.tilted", "Hold your head straight: it leans {value:.0f}° towards your {degrees:right|left} shoulder; at most {max:g}° is allowed."))],
)(_angle("roll"))  # fmt: skip
