"""The installed package version (``0+unknown`` when run from a source tree without installation)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("isingsc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
