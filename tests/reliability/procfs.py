"""Reading what the kernel says of a process (/proc/PID/status) for the
hardening rows: pure functions, unit-tested in test_procfs.py."""

# Capability names by bit, as in linux/capability.h (the ones Docker may grant and more).
CAPABILITIES = (
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE "
    "NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT "
    "SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
    "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE").split()


def cap_names(mask):
    """The names of the capabilities in a hexadecimal mask (CapBnd: ...)."""
    value = int(mask, 16)
    unknown = value >> len(CAPABILITIES)
    names = [name for bit, name in enumerate(CAPABILITIES) if value >> bit & 1]
    return names + ([f"unknown bits {unknown << len(CAPABILITIES):#x}"] if unknown else [])


def status_fields(text):
    """/proc/PID/status as a dict: {"CapBnd": "0000000000000000", ...}."""
    fields = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields
