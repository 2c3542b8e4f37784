#!/usr/bin/perl
# A client that pipelines and never reads: writes COUNT "GET /" requests on
# one connection to HOST:PORT as fast as the server takes them, reads no
# answer, keeps the connection open until HOLD seconds have passed since it
# connected, then closes it. Bounded by HOLD however the server behaves
# (writes wait only while time is left). Touches MARK_FILE, when given, as
# soon as the writing has ended, so a caller can watch the server while the
# connection is still held. Reports one line:
#   requests=N written=<requests fully written> write_error=<why writing stopped early, or -> write_seconds=S
# Runs in the tools image (perl-base only).
#
#   perl pipeline.pl HOST PORT COUNT HOLD [MARK_FILE]
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);

my ($host, $port, $count, $hold, $mark) = @ARGV;
$SIG{PIPE} = 'IGNORE';
my $request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
my $all = $request x $count;
my $start = time;
my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 3)
    or die "connect $host:$port: $!\n";
binmode $sock;
$sock->blocking(0);
my $select = IO::Select->new($sock);
my ($offset, $error) = (0, '-');
while ($offset < length $all) {
    my $left = $hold - (time - $start);
    if ($left <= 0) { $error = 'server-stopped-reading'; last; }
    next unless $select->can_write($left);
    my $written = syswrite($sock, $all, 65536, $offset);
    if (!defined $written) {
        next if $!{EAGAIN} || $!{EWOULDBLOCK};
        ($error = "$!") =~ s/\s+/-/g;
        last;
    }
    $offset += $written;
}
my $write_seconds = time - $start;
if (defined $mark) { open my $out, '>', $mark or die "$mark: $!"; close $out; }
my $rest = $hold - (time - $start);
sleep $rest if $rest > 0;
close $sock;
printf "requests=%d written=%d write_error=%s write_seconds=%.2f\n",
    $count, int($offset / length $request), $error, $write_seconds;
