#!/usr/bin/perl
# Many requests in flight from one address at once: opens CONNS connections
# to HOST:PORT first, then sends "GET PATH" on every one of them in one
# quick loop, and reads each answer's status line. Gives up on answers after
# TIMEOUT seconds. Touches MARK_FILE, when given, once every request is
# sent. Reports one line:
#   opened=N sent=N send_seconds=S statuses=<status>x<count>,... unanswered=N
# Runs in the tools image (perl-base only).
#
#   perl burst.pl HOST PORT CONNS PATH TIMEOUT [MARK_FILE]
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($host, $port, $conns, $path, $timeout, $mark) = @ARGV;
$SIG{PIPE} = 'IGNORE';
my @socks;
for (1 .. $conns) {
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 3) or next;
    binmode $sock;
    push @socks, $sock;
}
my $start = time;
my $sent = 0;
for my $sock (@socks) {
    my $written = syswrite($sock, "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    $sent++ if defined $written && $written > 0;
}
my $send_seconds = time - $start;
if (defined $mark) { open my $out, '>', $mark or die "$mark: $!"; close $out; }

my $select = IO::Select->new(@socks);
my (%status, %head);
while ($select->count && time - $start < $timeout) {
    for my $sock ($select->can_read($timeout - (time - $start))) {
        my $read = sysread($sock, my $chunk, 4096);
        $head{fileno $sock} .= $chunk if $read;
        my $line = $head{fileno $sock} // '';
        if ($line =~ m{^HTTP/\d\.\d (\d{3})}) {
            $status{$1}++;
        } elsif ($read) {
            next;
        } else {
            $status{'closed'}++;
        }
        $select->remove($sock);
        close $sock;
    }
}
my $unanswered = $select->count;
printf "opened=%d sent=%d send_seconds=%.2f statuses=%s unanswered=%d\n", scalar @socks, $sent, $send_seconds,
    join(',', map { "${_}x$status{$_}" } sort keys %status), $unanswered;
