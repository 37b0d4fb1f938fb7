"""Rendering: text formatting within Discord's limits, and chart images."""
