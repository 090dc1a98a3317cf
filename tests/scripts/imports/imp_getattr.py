# A module with PEP 562 hooks, for module_getattr.mini: __getattr__ answers for the names the
# module lacks, __dir__ decides what dir() lists.
present = "present"
calls = []


def __getattr__(name):
    calls.append(name)
    if name == "lazy":
        return "made lazily"
    if name == "Cached":
        global Cached
        Cached = "cached"
        return Cached
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return ["present", "lazy", "Cached"]
