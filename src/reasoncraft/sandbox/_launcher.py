"""Root-side launcher of one sandboxed program (a script, run as `python3 -I -S _launcher.py CONFIG`).

It is started once per sandbox by `reasoncraft.sandbox.core` as a fork server (`serve`) and never
imported. Standard library only, because it runs under the system interpreter. Per run, three
processes:

- L (a fork of the server, root, host namespaces): joins the run's cgroups, unshares the mount, PID,
  network, IPC, UTS and cgroup namespaces, forks C and waits for it.
- C (root, PID 1 of the new PID namespace): builds a fresh root on a size-limited tmpfs (system
  directories bound read-only, the run's files copied in, a new /proc, a minimal /dev), pivots
  into it, forks T, waits for T and writes T's wait status and CPU time to the status file. When C
  exits the kernel kills everything left in the namespace (daemonised children included).
- T: drops to an unprivileged uid/gid with no capabilities and `no_new_privs`, applies rlimits,
  closes every other descriptor and execs the program with an empty environment.

If the caller dies, L dies (parent-death signal), C dies with L, and the namespace dies with C.
"""

import ctypes
import marshal
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38

SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217, "riscv64": 41}

# seccomp: system calls a sandboxed program never needs and that widen the kernel's attack surface
# (new namespaces, mounts, tracing other processes, keyrings, BPF, io_uring, module loading).
# x86_64 numbers; elsewhere the filter is not installed (docs/sandbox.md).
AUDIT_ARCH_X86_64 = 0xC000003E
X86_64_DENIED = (
    272,
    308,
    165,
    166,
    155,
    161,
    101,
    250,
    248,
    249,
    321,
    298,
    323,
    246,
    320,
    175,
    313,
    176,
    304,
    303,
    425,
    426,
    427,
    428,
    429,
    430,
    431,
    432,
    442,
    310,
    311,
    163,
    167,
    168,
    169,
    103,
    179,
    153,
)
X86_64_CLONE, X86_64_CLONE3 = 56, 435
NAMESPACE_FLAGS = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def bind_readonly(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def pivot_into(new_root: str) -> None:
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:  # unknown architecture: chroot is enough once we have no capabilities
        os.chroot(new_root)
        os.chdir("/")
        return
    old = os.path.join(new_root, ".old_root")
    os.mkdir(old)
    _check(libc.syscall(number, new_root.encode(), old.encode()), "pivot_root")
    os.chdir("/")
    _check(libc.umount2(b"/.old_root", MNT_DETACH), "umount old root")
    os.rmdir("/.old_root")


def build_root(cfg: dict) -> None:
    root = cfg["root"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={cfg['disk_mb']}m,mode=755")
    for path in cfg["ro_binds"]:
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
        elif os.path.exists(path):
            bind_readonly(path, root + path)
    os.makedirs(root + "/etc", exist_ok=True)
    uid, gid = cfg["uid"], cfg["gid"]
    with open(root + "/etc/passwd", "w") as f:
        f.write(f"root:x:0:0::/:/bin/false\nsandbox:x:{uid}:{gid}::{cfg['workdir']}:/bin/false\n")
    with open(root + "/etc/group", "w") as f:
        f.write(f"root:x:0:\nsandbox:x:{gid}:\n")
    dev = root + "/dev"
    os.makedirs(dev)
    mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    for name in ("null", "zero", "full", "random", "urandom"):
        open(f"{dev}/{name}", "w").close()
        mount(f"/dev/{name}", f"{dev}/{name}", None, MS_BIND)
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{i}", f"{dev}/{name}")
    os.symlink("/proc/self/fd", f"{dev}/fd")
    os.makedirs(root + "/proc")
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for d in ("/tmp", cfg["workdir"]):
        os.makedirs(root + d, exist_ok=True)
        os.chown(root + d, uid, gid)
        os.chmod(root + d, 0o1777 if d == "/tmp" else 0o755)
    for rel, text in cfg["files"].items():
        dest = os.path.join(root + cfg["workdir"], rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
        os.chown(dest, uid, gid)
    pivot_into(root)
    os.chdir(cfg["workdir"])


def seccomp_program() -> list[tuple[int, int, int, int]]:
    """The BPF filter: (code, jt, jf, k) instructions; deny by EPERM, clone3 by ENOSYS (glibc then
    falls back to clone, whose flags a filter can read), foreign ABIs (i386, x32) are killed."""
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    eperm, enosys = 0x00050000 | 1, 0x00050000 | 38
    n = len(X86_64_DENIED)
    # indices: 0 ld arch, 1 jeq arch, 2 ld nr, 3 jge x32, 4 jeq clone, 5 jeq clone3,
    # 6..6+n-1 denied, A=6+n allow, A+1 ld flags, A+2 jset, A+3 allow, A+4 enosys, A+5 eperm, A+6 kill
    a = 6 + n
    to = lambda target, at: target - at - 1  # noqa: E731
    prog = [
        (ld, 0, 0, 4),
        (jeq, 0, to(a + 6, 1), AUDIT_ARCH_X86_64),
        (ld, 0, 0, 0),
        (jge, to(a + 6, 3), 0, 0x40000000),
        (jeq, to(a + 1, 4), 0, X86_64_CLONE),
        (jeq, to(a + 4, 5), 0, X86_64_CLONE3),
    ]
    prog += [(jeq, to(a + 5, 6 + i), 0, nr) for i, nr in enumerate(X86_64_DENIED)]
    prog += [
        (ret, 0, 0, allow),
        (ld, 0, 0, 16),
        (jset, to(a + 5, a + 2), 0, NAMESPACE_FLAGS),
        (ret, 0, 0, allow),
        (ret, 0, 0, enosys),
        (ret, 0, 0, eperm),
        (ret, 0, 0, kill),
    ]
    return prog


def install_seccomp() -> None:
    if os.uname().machine != "x86_64":
        return

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    prog = seccomp_program()
    filters = (SockFilter * len(prog))(*[SockFilter(*ins) for ins in prog])
    fprog = SockFprog(len(prog), filters)
    PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
    libc.prctl.argtypes = None
    _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), "seccomp")


def drop_and_exec(cfg: dict) -> None:
    os.setsid()
    for name, value in cfg["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break
    if os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(cfg["gid"], cfg["gid"], cfg["gid"])
        os.setresuid(cfg["uid"], cfg["uid"], cfg["uid"])  # uid 0 -> non-zero clears every capability
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if cfg["isolated"]:
        install_seccomp()
    os.closerange(3, 65536)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])


def write_files_unisolated(cfg: dict) -> None:
    """Without namespaces (allow_unsafe): the run folder is a plain host folder."""
    os.makedirs(cfg["workdir"], exist_ok=True)
    for rel, text in cfg["files"].items():
        dest = os.path.join(cfg["workdir"], rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    if os.geteuid() == 0:
        for dirpath, _, names in os.walk(cfg["workdir"]):
            for p in [dirpath] + [os.path.join(dirpath, n) for n in names]:
                os.chown(p, cfg["uid"], cfg["gid"])
    os.chdir(cfg["workdir"])


def supervise_program(cfg: dict, status_fd: int) -> int:
    """Fork T, wait for it, record its wait status and CPU time."""
    pid = os.fork()
    if pid == 0:
        os.close(status_fd)
        try:
            drop_and_exec(cfg)
        except BaseException as exc:  # noqa: BLE001 - report any setup failure, then die
            os.write(2, f"sandbox: cannot start program: {exc}\n".encode())
        os._exit(126)
    for fd in (0, 1, 2):
        os.close(fd)
    while True:
        _, status, usage = os.wait4(pid, 0)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            break
    os.write(status_fd, f"{status} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
    return 0


def init_process(cfg: dict, status_fd: int) -> int:
    """Body of C, PID 1 of the new namespace."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    build_root(cfg)
    _check(libc.sethostname(b"sandbox", 7), "sethostname")
    return supervise_program(cfg, status_fd)


def launch(config_path: str) -> None:
    """Body of L: runs in a fresh child of the server with the run's pipes on fds 0, 1, 2."""
    with open(config_path, "rb") as f:  # marshal: json would cost 20 ms of imports per server start
        cfg = marshal.load(f)
    for procs in cfg["cgroup_procs"]:
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    status_fd = os.open(cfg["status_path"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if not cfg["isolated"]:
        write_files_unisolated(cfg)
        os._exit(supervise_program(cfg, status_fd))
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP
    _check(libc.unshare(flags), "unshare")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = init_process(cfg, status_fd)
        except BaseException as exc:  # noqa: BLE001
            os.write(2, f"sandbox: setup failed: {exc}\n".encode())
            code = 125
        os._exit(code)
    for fd in (0, 1, 2):
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 125)


def serve(socket_path: str, caller_pid: int) -> None:
    """The fork server: started once per sandbox, it forks one L per request.

    Starting an interpreter and importing ctypes for every run would cost about 25 ms of CPU;
    forking this warm, single-threaded process costs about 1 ms. A request is one connection on a
    Unix socket carrying the config path and the run's three pipe ends; the server answers
    "pid N" at once and "exit STATUS" when L ends. It dies with its caller (parent-death signal).
    """
    import select  # lazy: only the fork server uses it; a direct launch starts with the least
    import socket  # lazy: as above

    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != caller_pid:  # the caller died before the death signal was set
        os._exit(125)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(128)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    os.write(1, b"ready\n")
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    waiting: dict = {}
    while True:
        try:
            ready, _, _ = select.select([server, wake_r], [], [])
        except InterruptedError:
            continue
        if wake_r in ready:
            os.read(wake_r, 4096)
        while waiting:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = waiting.pop(pid, None)
            if conn is not None:
                try:
                    conn.sendall(f"exit {status}\n".encode())
                except OSError:
                    pass
                conn.close()
        if server in ready:
            conn, _ = server.accept()
            try:
                message, fds, _, _ = socket.recv_fds(conn, 4096, 3)
            except OSError:
                conn.close()
                continue
            if len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                    server.close()
                    conn.close()
                    for other in waiting.values():  # other runs' report channels are not ours
                        other.close()
                    for fd in (wake_r, wake_w, devnull):
                        os.close(fd)
                    for i, fd in enumerate(fds):
                        os.dup2(fd, i)
                        os.close(fd)
                    os.setsid()  # the caller kills the run's tree by this process group
                    launch(message.decode())
                except BaseException as exc:  # noqa: BLE001
                    os.write(2, f"sandbox: setup failed: {exc}\n".encode())
                os._exit(125)
            for fd in fds:
                os.close(fd)
            waiting[pid] = conn
            try:
                conn.sendall(f"pid {pid}\n".encode())
            except OSError:
                pass


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
