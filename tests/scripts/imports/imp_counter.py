# Helper module: prints once when its code runs, to show that a module runs only once.
print("imp_counter: running")
loads = 1
