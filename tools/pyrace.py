#!/usr/bin/env python3
"""pyrace — does an unlocked `counter += 1` lose updates on this CPython?

Threads increment a shared counter without a lock, in three forms, and the
final count is compared with the number of increments made:
  global_iadd   `counter += 1` on a module global
  attr_iadd     `obj.n += 1` on an object's attribute
  read_call_write  `x = counter; f(); counter = x + 1` — a Python call between
                 the read and the write, where the GIL can be handed over
Each form runs --trials times at the default switch interval and at a 1 µs
one (sys.setswitchinterval(1e-6)), which makes hand-overs far more frequent.
Prints one JSON object: per form and interval, trials that lost updates and
the updates lost in all.
"""
import json
import platform
import sys
import sysconfig
import threading

counter = 0


class Box:
    n = 0


def nothing():
    pass


def global_iadd(k):
    global counter
    for _ in range(k):
        counter += 1


def attr_iadd(k, box):
    for _ in range(k):
        box.n += 1


def read_call_write(k):
    global counter
    for _ in range(k):
        x = counter
        nothing()
        counter = x + 1


def trial(form, threads, k):
    global counter
    counter = 0
    box = Box()
    target = {"global_iadd": (global_iadd, (k,)), "attr_iadd": (attr_iadd, (k, box)),
              "read_call_write": (read_call_write, (k,))}[form]
    ts = [threading.Thread(target=target[0], args=target[1]) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    got = box.n if form == "attr_iadd" else counter
    return threads * k - got


def main():
    trials, threads, k = 5, 4, 200_000
    out = {"python": platform.python_version(), "implementation": platform.python_implementation(),
           "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
           "threads": threads, "increments_per_thread": k, "trials": trials, "results": []}
    default = sys.getswitchinterval()
    for interval in (default, 1e-6):
        sys.setswitchinterval(interval)
        for form in ("global_iadd", "attr_iadd", "read_call_write"):
            lost = [trial(form, threads, k) for _ in range(trials)]
            out["results"].append({"form": form, "switch_interval_s": interval,
                                   "trials_losing": sum(1 for x in lost if x > 0), "lost": sum(lost)})
    sys.setswitchinterval(default)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
