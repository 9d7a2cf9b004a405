"""The sandbox's self-test: a probe program run inside it, and the check of what it saw."""

from __future__ import annotations

import json

__all__ = ["PROBE_SOURCE", "verify_probe"]

# Runs under `python3 -I -S` inside the sandbox and prints one JSON object.
PROBE_SOURCE = r"""
import json, os, socket
status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
try:
    interfaces = sorted(name for _, name in socket.if_nameindex())
except OSError:
    interfaces = []
host_paths = [p for p in ('/root', '/home', '/work', '/var', '/etc/shadow') if os.path.exists(p)]
try:
    with open('/usr/probe-write-test', 'w'):
        usr_writable = True
except OSError:
    usr_writable = False
print(json.dumps({
    'uid': os.getuid(), 'euid': os.geteuid(), 'gid': os.getgid(),
    'cap_eff': status['CapEff'].strip(), 'cap_prm': status['CapPrm'].strip(),
    'no_new_privs': status.get('NoNewPrivs', '').strip(), 'seccomp': status.get('Seccomp', '').strip(),
    'machine': os.uname().machine,
    'interfaces': interfaces, 'ppid': os.getppid(),
    'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
    'host_paths': host_paths, 'usr_writable': usr_writable, 'env': sorted(os.environ),
}))
"""


def verify_probe(result, uid: int) -> str:
    """Return "" when the probe saw a properly isolated world, else what is wrong.

    >>> class R: ok = False; stop_reason = "sandbox_error"; detail = "unshare: EPERM"; stdout = ""
    >>> verify_probe(R(), 65534)
    'probe did not run (sandbox_error): unshare: EPERM'
    """
    if not result.ok:
        return f"probe did not run ({result.stop_reason}): {result.detail or result.stderr[-300:]}"
    try:
        seen = json.loads(result.stdout)
    except ValueError:
        return f"probe printed no report: {result.stdout[-200:]!r}"
    checks = [
        (seen["uid"] == uid and seen["euid"] == uid, f"runs as uid {seen['euid']}, expected {uid}"),
        (int(seen["cap_eff"], 16) == 0 and int(seen["cap_prm"], 16) == 0, "has capabilities"),
        (seen["no_new_privs"] == "1", "no_new_privs is not set"),
        (seen["seccomp"] == "2" or seen["machine"] != "x86_64", "has no seccomp filter"),
        (set(seen["interfaces"]) <= {"lo"}, f"sees network interfaces {seen['interfaces']}"),
        (seen["ppid"] == 1 and max(seen["pids"]) < 10, "is not in its own PID namespace"),
        (not seen["host_paths"], f"sees host paths {seen['host_paths']}"),
        (not seen["usr_writable"], "can write to /usr"),
    ]
    for passed, problem in checks:
        if not passed:
            return "probe " + problem
    return ""
