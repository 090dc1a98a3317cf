import imp_circ_x
try:
    imp_circ_x.late
    message = "no error"
except AttributeError as e:
    message = str(e)
