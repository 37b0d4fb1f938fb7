"""Adapters translate between the outside world (Discord, console) and the engine."""
