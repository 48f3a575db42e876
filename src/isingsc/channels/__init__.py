"""Which pairing channel wins: the linearised gap equation per channel and pair momentum.

:class:`PairingChannels` (model -> solver -> Dataset) evaluates the pair susceptibility chi_c(Q, T) of each
pairing channel c (:mod:`isingsc.models.channels`) at each pair momentum Q from the normal-state spectrum,
the critical temperature of each from v_c chi_c(Q, Tc) = 1, the leading channel and its Chern number
(:class:`isingsc.topology.chern.Chern`).  Layer: after ``topology``.
"""

from isingsc.channels.susceptibility import PairingChannels, leading_channel_map

__all__ = ["PairingChannels", "leading_channel_map"]
