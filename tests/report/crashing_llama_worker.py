"""A stand-in llama.cpp worker that dies the way an AMX build does where the CPU's tile state is not granted.

It speaks `factdesk.models.llama_worker`'s protocol (JSON lines) and, on the request named by
``--die-on`` (``load`` or ``generate``), does what ``--how`` says: ``sigill`` kills itself with
SIGILL, ``exit`` prints a line on stderr and exits with status 3, ``hang`` stops answering.
With ``--once MARKER`` it dies only while the file MARKER does not exist (and creates it first),
so the next process answers: a test can show that a later call starts a fresh worker.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

ANSWER = "Russian warplanes began air strikes in Syria on 30 September 2015 [1]."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--die-on", choices=["load", "generate"], default="generate")
    ap.add_argument("--how", choices=["sigill", "exit", "hang"], default="sigill")
    ap.add_argument("--once")
    args = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == args.die_on and not (args.once and Path(args.once).exists()):
            if args.once:
                Path(args.once).touch()
            if args.how == "sigill":
                os.kill(os.getpid(), signal.SIGILL)
            elif args.how == "exit":
                print("ggml: fatal error: cannot allocate the KV cache", file=sys.stderr, flush=True)
                sys.exit(3)
            else:
                time.sleep(600)
        reply = {"ok": True, "text": ANSWER} if req["op"] == "generate" else {"ok": True}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
