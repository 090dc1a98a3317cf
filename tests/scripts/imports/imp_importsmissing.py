# Helper module that imports a module that does not exist.
import imp_no_such_thing_here
