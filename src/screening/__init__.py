"""screening: trauma-informed trafficking screening for immigration counters."""

__version__ = "0.1.0"
