# Helper submodule of impkg.
print("impkg.sub: running, __package__ =", __package__)
sub_value = 10


def sub_func():
    return "sub_func"
