# Helper for circular imports: the other half of imp_circ_a.
import imp_circ_a
seen_in_b = (hasattr(imp_circ_a, "before"), hasattr(imp_circ_a, "after"))


def late():
    return imp_circ_a.after
