# Helper for circular imports: imp_circ_a imports imp_circ_b, which imports imp_circ_a back
# and sees it partly initialised (only the names bound before the import).
before = "a: before"
import imp_circ_b
after = "a: after"


def from_b():
    return imp_circ_b.seen_in_b
