# Helper module with __all__: `from imp_star import *` takes only the names listed.
__all__ = ["public_a", "_listed_private"]
public_a = "a"
public_b = "b"
_listed_private = "listed"
