"""The hardening rows' reading of /proc (no Docker)."""
from reliability.procfs import cap_names, status_fields


def test_cap_names_of_an_empty_mask_is_empty():
    assert cap_names("0000000000000000") == []


def test_cap_names_names_each_set_bit():
    # nginx's stand-in: CHOWN (0), SETGID (6), SETUID (7), NET_BIND_SERVICE (10).
    assert cap_names("00000000000004c1") == ["CHOWN", "SETGID", "SETUID", "NET_BIND_SERVICE"]


def test_cap_names_reports_bits_beyond_the_known_ones():
    assert cap_names("0000020000000001") == ["CHOWN", "unknown bits 0x20000000000"]


def test_status_fields_reads_name_and_value():
    text = "Name:\tnginx\nUid:\t0\t0\t0\t0\nCapBnd:\t00000000000004c1\nNoNewPrivs:\t1\n"
    fields = status_fields(text)
    assert (fields["CapBnd"], fields["NoNewPrivs"], fields["Uid"]) == ("00000000000004c1", "1", "0\t0\t0\t0")
