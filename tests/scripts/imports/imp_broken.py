# Helper module whose code fails halfway: the import fails and leaves nothing in sys.modules.
first = 1
raise ValueError("imp_broken fails on purpose")
