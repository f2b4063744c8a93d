"""The factor rotations: one registry that ``efa`` and the ``--rotation`` choices read.

``ROTATIONS`` maps the name users type to the rotation function, named as
``"module:function"`` text so that listing the names (``--help``) imports no numpy. Each
function takes unrotated loadings (p x k, k >= 2) and returns ``(loadings, Phi or None,
converged)``; ``efa`` then reflects and orders the factors as psych::fa does. Meta:

* ``oblique``: True when the factors may correlate (Phi is returned);
* ``r_name``: the name of the same rotation in R (``psych::fa(rotate = ...)``).

Adding a rotation (say bentlerQ):

1. write ``bentler_rotation(lam)`` in :mod:`.rotation_algorithms` (or any module),
   checked against R in tests/test_efa.py;
2. add one line below:
   ``ROTATIONS.register("bentler", _A + "bentler_rotation", oblique=True, r_name="bentlerQ")``.

``avoid-survey efa --rotation bentler`` and ``efa(..., rotation="bentler")`` then accept it.
"""
from __future__ import annotations

from ..core.registry import Registry

__all__ = ["ROTATIONS"]

ROTATIONS = Registry("rotation")
_A = "avoid_survey.analysis.numerics.rotation_algorithms:"

ROTATIONS.register("oblimin", _A + "oblimin_rotation", oblique=True, r_name="oblimin")
ROTATIONS.register("promax", _A + "promax_rotation", oblique=True, r_name="promax")
ROTATIONS.register("varimax", _A + "varimax_rotation", oblique=False, r_name="varimax")
ROTATIONS.register("geomin", _A + "geomin_rotation", oblique=True, r_name="geominQ")
ROTATIONS.register("quartimax", _A + "quartimax_rotation", oblique=False, r_name="quartimax")
ROTATIONS.register("none", _A + "no_rotation", oblique=False, r_name="none")
