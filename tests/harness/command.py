"""Running commands (docker, docker compose) with their output captured."""
import subprocess


class CommandFailed(AssertionError):
    pass


def run(*command, check=True, timeout=300, input=None, env=None):
    """Runs command; returns its CompletedProcess (text). With check, a
    non-zero exit raises CommandFailed with the end of its output."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, input=input, env=env)
    if check and done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise CommandFailed(f"{' '.join(command)} exited {done.returncode}:\n{tail}")
    return done


def output(*command, **options):
    """The command's stdout, stripped."""
    return run(*command, **options).stdout.strip()
