"""What the benchmarks that serve the app with gunicorn share."""

import os
import signal
import subprocess


def stop(proc: subprocess.Popen, log_file) -> None:
    """End a gunicorn started in its own process group: politely, then its whole group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    log_file.close()
