# Helper submodule listed in impkg.inner's __all__ test (plain module).
x = 1
