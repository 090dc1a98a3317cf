# Imports imp_circ_y, which looks at this module while it is only partly run.
import imp_circ_y
seen_from_y = imp_circ_y.message
late = 1
