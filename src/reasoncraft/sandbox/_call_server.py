# The candidate side of a function-call judgement (runs inside the sandbox, standard library only;
# `wire.py` is prepended to this source). It loads solution.py and answers call requests from the
# judge. Everything here runs in the candidate's process, so nothing here is trusted: the judge
# decides pass or fail from the plain values it receives.
import os
import sys
import traceback

handles = {}


def make_ref(obj):
    handles[len(handles) + 1] = obj
    return len(handles)


def send(message):
    chan_out.write(dumps(message) + "\n")  # noqa: F821 - wire.py is prepended to this file
    chan_out.flush()


def error_message(exc):
    return {
        "ok": False,
        "error": type(exc).__name__,
        "message": str(exc)[:500],
        "trace": traceback.format_exc()[-1500:],
    }


def main():
    global chan_in, chan_out
    chan_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    chan_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)  # the candidate reads EOF from stdin
    os.dup2(2, 1)  # and its prints go to stderr, not into the protocol
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)

    ns = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        if os.path.exists("candidate_setup.py"):
            exec(compile(open("candidate_setup.py", encoding="utf-8").read(), "setup.py", "exec"), ns)
        exec(compile(open("solution.py", encoding="utf-8").read(), "solution.py", "exec"), ns)
        names = sorted(k for k, v in ns.items() if not k.startswith("__") and type(v) is not type(os))
        send({"ok": True, "names": names})
    except BaseException as exc:  # noqa: BLE001 - any failure to load is reported to the judge
        send(error_message(exc))
        sys.exit(0)

    for line in chan_in:
        try:
            req = loads(line)
            deref = lambda n, _t: handles[n]  # noqa: E731
            args = [decode(a, deref) for a in req["args"]]
            kwargs = {k: decode(v, deref) for k, v in req["kwargs"].items()}
            if req["op"] == "call":
                target = ns[req["name"]] if "name" in req else handles[req["ref"]]
                value = target(*args, **kwargs)
            elif req["op"] == "getattr":
                value = getattr(handles[req["ref"]], req["attr"])
            else:
                raise ValueError(f"unknown op {req['op']!r}")
            after = []
            for a in args:
                try:
                    after.append(encode(a, make_ref))
                except Exception:  # noqa: BLE001
                    after.append(None)
            send({"ok": True, "value": encode(value, make_ref), "args_after": after})
        except BaseException as exc:  # noqa: BLE001 - candidate errors are answers, not crashes
            send(error_message(exc))


if __name__ == "__main__":
    main()
