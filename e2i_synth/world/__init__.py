"""The causal world: one vectorized draw per scenario, from which every table is cut."""

from e2i_synth.world.draw import World, cached_world, draw_world

__all__ = ["World", "cached_world", "draw_world"]
