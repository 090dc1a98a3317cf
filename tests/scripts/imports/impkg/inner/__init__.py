# Helper subpackage: its __all__ names a submodule, which `from impkg.inner import *` imports.
__all__ = ["deep", "inner_value"]
inner_value = "inner"
