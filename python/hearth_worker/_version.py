__version__ = "0.1.0"

# Sent as runpod_version in heartbeats, and in error reports.
PROTOCOL_VERSION = "hearth-" + __version__
