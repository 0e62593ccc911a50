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


def request(port, subject, payload, timeout=5.0, headers=None):
    """One request over the NATS text protocol to the node on @port (with
    @headers, a dict, when given): the reply's payload, or None when none
    came within @timeout seconds."""
    if headers:
        hdr = b"NATS/1.0\r\n" + b"".join(b"%s: %s\r\n" % (k.encode(), v.encode())
                                          for k, v in headers.items()) + b"\r\n"
        pub = b"HPUB %s _INBOX.t %d %d\r\n" % (subject.encode(), len(hdr),
                                                len(hdr) + len(payload)) + hdr
    else:
        pub = b"PUB %s _INBOX.t %d\r\n" % (subject.encode(), len(payload))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.recv(4096)  # INFO
        s.sendall(b"CONNECT {\"verbose\":false,\"headers\":true}\r\n"
                  b"SUB _INBOX.t 1\r\n" + pub + payload + b"\r\n")
        buf, end = b"", time.time() + timeout
        while time.time() < end:
            i = buf.find(b"MSG _INBOX.t")
            eol = buf.find(b"\r\n", i) if i >= 0 else -1
            if eol > 0:
                n = int(buf[i:eol].split()[-1])
                if len(buf) >= eol + 2 + n:
                    return buf[eol + 2:eol + 2 + n]
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                return None
            buf += chunk
    return None


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
            if all(self._meta_leader(i) for i, p in enumerate(self.procs) if p) \
                    and self._probe_stream():
                return
            time.sleep(0.2)
        raise RuntimeError("JetStream cluster has no leader after %ds" % timeout)

    def _meta_leader(self, i):
        """Whether node @i answers the JetStream API's account info request
        (over a raw NATS connection) without an error."""
        try:
            reply = request(self.client[i], "$JS.API.INFO", b"", timeout=1.0)
        except OSError:
            return False
        return reply is not None and b"\"error\"" not in reply

    def _probe_stream(self):
        """Whether a stream of every running node's replicas can be made
        now (the meta group knows its peers): one is made and deleted."""
        port = self.client[[i for i, p in enumerate(self.procs) if p][0]]
        n = sum(1 for p in self.procs if p)
        cfg = ('{"name":"PROBE","subjects":["probe.x"],"num_replicas":%d,'
               '"storage":"memory"}' % n).encode()
        try:
            made = request(port, "$JS.API.STREAM.CREATE.PROBE", cfg, 3.0)
            if made is None or b"\"error\"" in made:
                return False
            request(port, "$JS.API.STREAM.DELETE.PROBE", b"", 3.0)
        except OSError:
            return False
        return True

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
