"""What the network-namespace tests share (import with tests/server/web on sys.path): a namespace
made for the test (skipped without the rights) and removed after it, commands and servers run
inside it with their logs, and waiting for them. A unittest.TestCase mixes it in and calls
start_namespace() in setUp."""
import os
import shutil
import subprocess
import tempfile
import time


class NetnsHarness:
    def start_namespace(self, name, resolv_options="timeout:2 attempts:2"):
        """The namespace NAME-PID with its loopback up and a resolv.conf pointing at 127.0.0.2."""
        self.ns = f"{name}-{os.getpid()}"
        self.dir = tempfile.mkdtemp(prefix=name + "-")
        self.procs = []
        self.netns_etc = f"/etc/netns/{self.ns}"
        r = subprocess.run(["ip", "netns", "add", self.ns], capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.skipTest(f"cannot create a network namespace ({r.stderr.strip()}); needs root and CAP_SYS_ADMIN")
        self.addCleanup(self.remove_namespace)
        self.in_ns("ip", "link", "set", "lo", "up")
        os.makedirs(self.netns_etc, exist_ok=True)
        with open(f"{self.netns_etc}/resolv.conf", "w") as f:
            f.write(f"nameserver 127.0.0.2\noptions {resolv_options}\n")

    def remove_namespace(self):
        for p, log in reversed(self.procs):
            self.stop(p)
            log.close()
        subprocess.run(["ip", "netns", "delete", self.ns], capture_output=True)
        shutil.rmtree(self.netns_etc, ignore_errors=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def stop(p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    def in_ns(self, *cmd, env=None, check=True, timeout=60):
        return subprocess.run(["ip", "netns", "exec", self.ns, *cmd], capture_output=True, text=True, env=env,
                              check=check, timeout=timeout)

    def spawn(self, name, *cmd):
        log = open(f"{self.dir}/{name}.log", "a")
        # ip netns exec execs the command: the process is the server itself.
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, *cmd], stdout=log, stderr=log)
        self.procs.append((p, log))
        return p

    def log_of(self, name):
        with open(f"{self.dir}/{name}.log") as f:
            return f.read()

    def wait_for(self, what, check, logs):
        """Until check() holds (30 s at most); fails at once when a spawned process exits."""
        deadline = time.time() + 30
        while time.time() < deadline:
            for p, _ in self.procs:
                if p.poll() is not None:
                    self.fail(f"a process exited ({p.args}) while waiting for {what}:\n" +
                              "\n".join(self.log_of(n) for n in logs))
            if check():
                return
            time.sleep(0.2)
        self.fail(f"timed out waiting for {what}:\n" + "\n".join(self.log_of(n) for n in logs))

    def dig(self, *args):
        """dig against the validating resolver of the namespace (127.0.0.2)."""
        return self.in_ns("dig", "@127.0.0.2", "+time=2", "+tries=1", *args, check=False).stdout
