"""Three nats-server nodes with clustered JetStream on 127.0.0.1, for the
replication tests (tests/repl) and the benchmark (bench/repl_bench.py).

Free ports, a temporary directory, bounded waits; stop() (also called at
exit) kills what start() started, so a failed run leaves no server behind.
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

NATS_SERVER = shutil.which("nats-server")


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Cluster:
    def __init__(self, n=3, max_payload="8MB"):
        self.n = n
        self.dir = tempfile.mkdtemp(prefix="tix-nats-")
        ports = free_ports(2 * n)
        self.client = ports[:n]
        self.route = ports[n:]
        self.procs = [None] * n
        self.max_payload = max_payload
        atexit.register(self.stop)

    @property
    def urls(self):
        return ",".join("nats://127.0.0.1:%d" % p for p in self.client)

    def url(self, i):
        return "nats://127.0.0.1:%d" % self.client[i]

    def _conf(self, i):
        routes = ", ".join("nats-route://127.0.0.1:%d" % p
                           for j, p in enumerate(self.route) if j != i)
        path = os.path.join(self.dir, "n%d.conf" % i)
        with open(path, "w") as f:
            f.write("server_name: n%d\nlisten: 127.0.0.1:%d\n"
                    "max_payload: %s\n"
                    "jetstream { store_dir: \"%s\", max_memory_store: 64MB, "
                    "max_file_store: 2GB }\n"
                    "cluster { name: tixtest, listen: 127.0.0.1:%d, "
                    "routes: [%s] }\n"
                    % (i, self.client[i], self.max_payload,
                       os.path.join(self.dir, "js%d" % i), self.route[i],
                       routes))
        return path

    def start_node(self, i):
        log = open(os.path.join(self.dir, "n%d.log" % i), "a")
        self.procs[i] = subprocess.Popen(
            [NATS_SERVER, "-c", self._conf(i)], stdout=log, stderr=log,
            start_new_session=True)

    def start(self, timeout=30):
        for i in range(self.n):
            self.start_node(i)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30):
        """Until every running node answers and JetStream has a meta
        leader (a stream can be created)."""
        deadline = time.time() + timeout
        for i, p in enumerate(self.procs):
            while p and not port_open(self.client[i]):
                if p.poll() is not None:
                    raise RuntimeError("nats-server n%d exited: see %s" %
                                       (i, self.dir))
                if time.time() > deadline:
                    raise RuntimeError("nats-server n%d did not listen" % i)
                time.sleep(0.05)
        while time.time() < deadline:
            if self._meta_leader():
                return
            time.sleep(0.2)
        raise RuntimeError("JetStream cluster has no leader after %ds" % timeout)

    def _meta_leader(self):
        """Asks a running node's monitoring-free way: the JetStream API
        account info request over a raw NATS connection."""
        for i, p in enumerate(self.procs):
            if not p:
                continue
            try:
                with socket.create_connection(("127.0.0.1", self.client[i]),
                                              timeout=1) as s:
                    s.recv(4096)  # INFO
                    s.sendall(b"CONNECT {\"verbose\":false}\r\n"
                              b"SUB _INBOX.x 1\r\n"
                              b"PUB $JS.API.INFO _INBOX.x 0\r\n\r\n")
                    data = b""
                    end = time.time() + 1
                    while time.time() < end and b"MSG _INBOX.x" not in data:
                        data += s.recv(4096)
                    if b"MSG _INBOX.x" in data:
                        more = time.time() + 0.5
                        while time.time() < more and b"}" not in data.split(b"MSG _INBOX.x", 1)[1]:
                            data += s.recv(4096)
                        body = data.split(b"MSG _INBOX.x", 1)[1]
                        return b"\"error\"" not in body
            except OSError:
                continue
        return False

    def kill_node(self, i, sig=signal.SIGKILL):
        p = self.procs[i]
        if p and p.poll() is None:
            os.killpg(p.pid, sig)
            p.wait(10)
        self.procs[i] = None

    def stop(self):
        for i in range(self.n):
            try:
                self.kill_node(i)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if os.environ.get("TIX_KEEP_NATS"):
            return
        shutil.rmtree(self.dir, ignore_errors=True)
