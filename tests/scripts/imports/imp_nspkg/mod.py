# A module of the namespace package imp_nspkg (a folder with no __init__ file).
X = 5
