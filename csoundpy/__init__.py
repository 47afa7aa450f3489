"""csoundpy: a Csound-compatible sound synthesis system written in Python."""

__version__ = "0.1.0"
VERSION = 7000
APIVERSION = 7000
