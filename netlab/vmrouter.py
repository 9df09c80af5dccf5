# SPDX-License-Identifier: BSD-2-Clause
"""Routers as QEMU guests for qtpm-netlab (docs/ROUTING.md, "Routers as VMs").

A VM router keeps its namespace slot qnl-<lab>-<node>: the veth ends of its links stay
there, each put in a bridge with a tap device whose other side is one virtio-net NIC of
the guest, so the neighbours see the same point-to-point links as between namespaces.
QEMU runs in the root namespace (its user-networking management NIC reaches the NMS on
127.0.0.1) and opens the taps there; once they exist they are moved into the router's
namespace and bridged. The taps die with QEMU; their names, qv<lab>_<n>, let `down` find
any left over.

The guest boots Debian's kernel (scripts/vm-kernel.sh unpacks it into BUILD/vm-cache) with
IMA on, its TPM a qtpm-server behind swtpm's control channel (-tpmdev emulator,
tpm-crb), and an initramfs made here: the router image (busybox, FRR's zebra and ospfd,
qtpm-agent, their shared libraries by ldd, the virtio modules, /init = netlab/vm-init.sh)
plus a per-router archive with its addresses, FRR and agent configuration. The vendor's
digest list for the VM image is built from the same tree, so every program the guest
runs is known, and a changed /usr/sbin/routerd is a digest mismatch.
"""
import os
import shutil
import socket
import subprocess
import time

MGMT_NET = "192.168.200.0/24"  # QEMU user networking: host 192.168.200.2, guest .15
GUEST_MGMT = "192.168.200.15/24"
MODULES = ("virtio_pci", "virtio_net")
ROUTERD = "#!/bin/sh\necho routerd 3.4.2\n"


class VmError(Exception):
    pass


def kernel(cache):
    boot = os.path.join(cache, "boot")
    ks = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-")) \
        if os.path.isdir(boot) else []
    if not ks:
        raise VmError(f"no kernel in {cache}/boot: run sh scripts/vm-kernel.sh {cache} "
                      "(make check and make check-vm do)")
    return os.path.join(boot, ks[-1]), ks[-1][len("vmlinuz-"):]


def check_tools(cache):
    for t, pkg in (("qemu-system-x86_64", "qemu-system-x86"), ("busybox", "busybox-static"),
                   ("cpio", "cpio")):
        if not shutil.which(t):
            raise VmError(f"a VM router needs {t} (apt-get install {pkg}, or scripts/deps.sh)")
    if not os.path.exists("/dev/net/tun"):
        raise VmError("a VM router needs /dev/net/tun (modprobe tun)")
    return kernel(cache)


def _ldd(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
    libs = []
    for line in out.splitlines():
        w = line.split()
        if "=>" in w and len(w) >= 3 and w[2].startswith("/"):
            libs.append(w[2])
        elif w and w[0].startswith("/"):
            libs.append(w[0])
    return libs


def _copy(src, root, dst, mode=None):
    full = os.path.join(root, dst.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    shutil.copy2(src, full)
    if mode is not None:
        os.chmod(full, mode)


def _depends(path):
    """The module's dependencies: its .modinfo "depends=" string (what modinfo prints);
    Debian's package has no modules.dep (depmod makes it at install time)."""
    with open(path, "rb") as f:
        data = f.read()
    i = data.find(b"\0depends=")
    if i < 0:
        return []
    v = data[i + 9:data.index(b"\0", i + 9)].decode()
    return [x for x in v.split(",") if x]


def _modules(cache, kver):
    """virtio_pci and virtio_net with their dependencies, in load order."""
    base = os.path.join(cache, "lib", "modules", kver)
    byname = {}
    for d, _, fs in os.walk(os.path.join(base, "kernel")):
        for f in fs:
            if f.endswith(".ko"):
                byname[f[:-3].replace("-", "_")] = os.path.relpath(os.path.join(d, f), base)
            elif ".ko." in f:
                byname.setdefault(f.split(".ko.")[0].replace("-", "_"), None)
    if not byname:
        raise VmError(f"no modules in {base}: the kernel in {cache} is incomplete (remove "
                      "it and run scripts/vm-kernel.sh again)")
    order = []

    def add(name, depth=0):
        if depth > 20:
            raise VmError(f"module dependencies of {name} nest too deep")
        rel = byname.get(name.replace("-", "_"), "missing")
        if rel == "missing":
            raise VmError(f"the kernel in {cache} has no {name} module")
        if rel is None:
            raise VmError(f"{name}: compressed modules are not supported (busybox insmod)")
        if rel in order:
            return
        for d in _depends(os.path.join(base, rel)):
            add(d, depth + 1)
        order.append(rel)
    for name in MODULES:
        add(name)
    return base, order


def build_image(root, out_cpio, build_bins, frr_bin, cache, kver, init_script):
    """The VM router image in root and as a newc archive in out_cpio; returns the list of
    modules (paths under /lib/modules) in load order."""
    if os.path.exists(root):
        shutil.rmtree(root)
    for d in ("bin", "proc", "sys", "dev", "etc", "tmp", "var/run", "var/log", "var/lib", "var/tmp/frr",
              "usr/bin", "usr/sbin", "netlab"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    _copy(shutil.which("busybox"), root, "/bin/busybox", 0o755)
    _copy(init_script, root, "/init", 0o755)
    progs = [(os.path.join(frr_bin, "zebra"), "/usr/lib/frr/zebra"),
             (os.path.join(frr_bin, "ospfd"), "/usr/lib/frr/ospfd"),
             (build_bins["agent"], "/usr/bin/qtpm-agent")]
    libs = set()
    for src, dst in progs:
        _copy(src, root, dst, 0o755)
        libs.update(_ldd(src))
    for lib in sorted(libs):
        _copy(os.path.realpath(lib), root, lib, 0o755)
    with open(os.path.join(root, "usr/sbin/routerd"), "w") as f:
        f.write(ROUTERD)
    os.chmod(os.path.join(root, "usr/sbin/routerd"), 0o755)
    with open(os.path.join(root, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/:/bin/sh\nfrr:x:100:101:frr:/var/run/frr:/bin/false\n")
    with open(os.path.join(root, "etc/group"), "w") as f:
        f.write("root:x:0:\nfrr:x:101:\nfrrvty:x:102:frr,root\n")
    base, mods = _modules(cache, kver)
    names = []
    for m in mods:
        _copy(os.path.join(base, m), root, f"/lib/modules/{kver}/{m}", 0o644)
        names.append(f"{kver}/{m}")
    with open(out_cpio, "wb") as f:
        _cpio(root, f)
    return names


def _cpio(root, f):
    files = subprocess.run(["find", "."], cwd=root, capture_output=True, text=True,
                           check=True).stdout
    r = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet", "-R", "0:0"], cwd=root,
                       input=files.encode(), stdout=f, stderr=subprocess.PIPE, timeout=120)
    if r.returncode != 0:
        raise VmError(f"cpio failed: {r.stderr.decode(errors='replace').strip()}")


def tap_name(lab, n):
    return f"qv{lab}_{n}"


def mac(vm, n):
    return f"52:54:00:{vm & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}"


def router_archive(rd, base_cpio, conf, frr_conf, agent_conf, ca):
    """base_cpio + /netlab/{conf,frr.conf[,agent.conf,ca.crt]} -> rd/initrd.cpio"""
    d = os.path.join(rd, "vmconf")
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "netlab"))
    for name, text in (("conf", conf), ("frr.conf", frr_conf), ("agent.conf", agent_conf)):
        if text is not None:
            with open(os.path.join(d, "netlab", name), "w") as f:
                f.write(text)
    if ca:
        shutil.copy(ca, os.path.join(d, "netlab", "ca.crt"))
    out = os.path.join(rd, "initrd.cpio")
    with open(out, "wb") as f:
        with open(base_cpio, "rb") as b:
            shutil.copyfileobj(b, f)
        _cpio(d, f)  # the kernel unpacks concatenated archives in order
    return out


def qemu_args(kern, initrd, rd, nics, accel):
    """nics: [(tap, mac)]; the last NIC is the management one (user networking)."""
    a = ["qemu-system-x86_64", "-M", "q35", "-m", "512", "-display", "none",
         "-no-reboot", "-nodefaults", "-monitor", "none"]
    for x in accel:
        a += ["-accel", x]
    a += ["-kernel", kern, "-initrd", initrd, "-append",
          "console=ttyS0 panic=-1 quiet ima_policy=tcb ima_hash=sha256 rdinit=/init",
          "-chardev", f"socket,id=chrtpm,path={rd}/tpm.sock",
          "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-crb,tpmdev=tpm0",
          "-chardev", f"file,id=con0,path={rd}/console.log", "-serial", "chardev:con0",
          "-chardev", f"socket,id=sh0,path={rd}/shell.sock,server=on,wait=off",
          "-serial", "chardev:sh0"]
    for i, (tap, m) in enumerate(nics[:-1]):
        a += ["-netdev", f"tap,id=n{i},ifname={tap},script=no,downscript=no",
              "-device", f"virtio-net-pci,netdev=n{i},mac={m}"]
    a += ["-netdev", f"user,id=mgmt,net={MGMT_NET}",
          "-device", f"virtio-net-pci,netdev=mgmt,mac={nics[-1][1]}"]
    return a


def accel():
    """TCG unless QTPM_NETLAB_ACCEL says otherwise (e.g. "kvm": where /dev/kvm works;
    the tests use TCG, as tests/vm does)."""
    want = os.environ.get("QTPM_NETLAB_ACCEL", "tcg")
    if want != "auto":
        return want.split(",")
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return ["kvm", "tcg"]
    except OSError:
        return ["tcg"]


def console_events(rd):
    """{event: (uptime s, rest)} from the guest's "=== NETLAB" lines."""
    ev = {}
    try:
        with open(os.path.join(rd, "console.log"), "rb") as f:
            text = f.read().decode("utf-8", "replace").replace("\r", "")
    except OSError:
        return ev
    for line in text.splitlines():
        if line.startswith("=== NETLAB "):
            w = line.split()
            if len(w) >= 4:
                try:
                    ev.setdefault(w[2], (float(w[3]), " ".join(w[4:])))
                except ValueError:
                    pass
    return ev


def wait_event(rd, name, timeout, alive):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ev = console_events(rd)
        if name in ev:
            return ev[name]
        if "enrol-failed" in ev and name == "enrolled":
            with open(os.path.join(rd, "console.log"), "rb") as f:
                lines = [x for x in f.read().decode("utf-8", "replace").splitlines()
                         if x.startswith("=== AGENT ")]
            raise VmError("the guest's agent did not enrol:\n  " +
                          "\n  ".join(x[10:].rstrip("\r") for x in lines[-8:]))
        if not alive():
            raise VmError(f"QEMU exited (see {rd}/console.log and {rd}/qemu.log)")
        time.sleep(0.1)
    raise VmError(f"the guest did not reach '{name}' in {timeout:.0f} s (see "
                  f"{rd}/console.log)")


def exec_in(rd, cmd, timeout=30.0):
    """Runs cmd (a shell line) in the guest over ttyS1; returns (status, output)."""
    marker = f"__qnl_{os.getpid()}_{time.monotonic_ns()}"
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(os.path.join(rd, "shell.sock"))
    except OSError as e:
        raise VmError(f"the VM's shell socket {rd}/shell.sock: {e.strerror}")
    try:
        s.sendall(f"( {cmd} ) 2>&1; echo {marker} $?\n".encode())
        buf = b""
        end = time.monotonic() + timeout
        while marker.encode() + b" " not in buf or not buf.rstrip(b"\r").endswith(b"\n"):
            if time.monotonic() > end:
                raise VmError(f"no answer from the VM in {timeout:.0f} s to: {cmd}")
            try:
                d = s.recv(65536)
            except OSError as e:
                raise VmError(f"the VM's shell: {e}")
            if not d:
                raise VmError("the VM's shell closed")
            buf += d
            if marker.encode() + b" " in buf and b"\n" in buf.split(marker.encode() + b" ", 1)[1]:
                break
    finally:
        s.close()
    text = buf.decode("utf-8", "replace").replace("\r", "")
    out, _, rest = text.partition(marker + " ")
    try:
        rc = int(rest.split()[0])
    except (ValueError, IndexError):
        rc = 1
    return rc, out
