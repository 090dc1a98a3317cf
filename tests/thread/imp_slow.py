# A module that takes a while to run its body (used by import_race.mini): a thread that
# imports it while another is still running it must wait, never see it half-made.
total = 0
for i in range(200000):
    total += i
first = "defined"
for i in range(200000):
    total -= i
last = "defined too"
