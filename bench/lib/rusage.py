#!/usr/bin/env python3
"""Run a command and report its wall time, CPU time and peak RSS (wait4 rusage, which
includes every descendant the command waited for) as JSON into a stats file.

usage: rusage.py STATS_FILE CMD [ARGS...]   (stdin/stdout/stderr are inherited)
"""
import json
import os
import sys
import time


def main() -> int:
    stats, argv = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    with open(stats, "w") as f:
        json.dump({"wall": wall, "user": ru.ru_utime * 1000, "sys": ru.ru_stime * 1000, "maxrss": ru.ru_maxrss}, f)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


sys.exit(main())
