"""Errors a user can act on: each message names the problem and the fix."""


class E2IError(Exception):
    """Base of every error the command line reports as one clear line."""


class ConfigError(E2IError):
    """A configuration value (brand, dgp, scale, seed, home folder) is not usable."""


class Stopped(KeyboardInterrupt):
    """The user stopped the command (Ctrl-C or SIGTERM); `exit_code` is 130 or 143."""

    def __init__(self, exit_code: int) -> None:
        super().__init__()
        self.exit_code = exit_code
