"""What the network-namespace tests share (import with tests/server/web on sys.path): running
commands and servers inside the test's namespace, their logs, and waiting for them. A test class
mixes it in and sets self.ns (the namespace), self.dir (where logs go) and self.procs (a list)."""
import subprocess
import time


class NetnsHarness:
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
