# Helper package for the import tests.
print("impkg: init")
pkg_value = "from __init__"
from . import sub
from .sub import sub_func as reexported
