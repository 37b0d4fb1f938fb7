"""AI Race Bot: answers questions about the AI race from a sourced dataset."""
__version__ = "0.1.0"
