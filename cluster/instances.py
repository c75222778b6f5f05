"""The service's processes: three instances of one binary on one database, and its commands."""
import os
import signal
import subprocess
import time
import urllib.request


class Instance:
    def __init__(self, name, binary, port, env, logdir):
        self.name, self.binary, self.port, self.env = name, binary, port, env
        self.log_path = os.path.join(logdir, f"{name}.log")
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        env = dict(self.env, PORT=str(self.port), HOST="127.0.0.1")
        self.proc = subprocess.Popen([self.binary, "serve"], env=env, stdout=log,
                                     stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n"
                                   + self.tail())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not healthy after {timeout} s:\n" + self.tail())

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.kill9()

    def tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""


def command(binary, env, *args, timeout=120):
    """Runs `aftersale <args>` on the cluster's settings; its standard output."""
    done = subprocess.run([binary, *args], env=env, capture_output=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"aftersale {' '.join(args)} failed: {done.stderr.decode()}")
    return done.stdout.decode()


def start_together(binary, env, ports, logdir):
    """Starts every instance at once (they migrate one database together) and waits for all."""
    instances = [Instance(f"instance-{i + 1}", binary, port, env, logdir)
                 for i, port in enumerate(ports)]
    for instance in instances:
        instance.start()
    for instance in instances:
        instance.wait_ready()
    return instances
