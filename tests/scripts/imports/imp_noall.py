# Helper module without __all__: `import *` takes every name not starting with '_'.
import imp_basic
alpha = 1
beta = 2
_hidden = 3
