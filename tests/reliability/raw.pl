#!/usr/bin/perl
# Sends each FILE's bytes, exactly as stored, over its own TCP connection to
# HOST:PORT and reports how the server answered, one line per file:
#   <file name> status=<first status code, or -> statuses=<all, comma-separated>
#   closed=<1: the server closed the connection> seconds=<time taken>
#   views=<numbers in data-views="N", comma-separated> first=<first line, escaped>
#   body=<first 160 bytes after the first header block, escaped>
# Never waits longer than TIMEOUT seconds per file: bounded by construction.
# Runs in the tools image (perl-base only).
#
#   perl raw.pl HOST PORT TIMEOUT FILE...
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($host, $port, $timeout, @files) = @ARGV;
$SIG{PIPE} = 'IGNORE';

sub escape {
    my $text = shift;
    $text =~ s/([^\x21-\x7e])/sprintf('\\x%02x', ord $1)/ge;
    return $text;
}

for my $file (@files) {
    open my $in, '<:raw', $file or die "$file: $!";
    my $request = do { local $/; <$in> } // '';
    close $in;
    (my $name = $file) =~ s{.*/}{};

    my $start = time;
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 3);
    if (!$sock) {
        printf "%s status=- statuses= closed=1 seconds=0 views= first=connect-failed body=\n", $name;
        next;
    }
    binmode $sock;
    # The server may close early (a 400 on a huge header): that is an answer.
    my $offset = 0;
    while ($offset < length $request) {
        my $written = syswrite($sock, $request, 16384, $offset);
        last unless defined $written && $written > 0;
        $offset += $written;
    }
    my $select = IO::Select->new($sock);
    my ($response, $closed) = ('', 0);
    while (1) {
        my $left = $timeout - (time - $start);
        last if $left <= 0;
        last unless $select->can_read($left);
        my $read = sysread($sock, my $chunk, 65536);
        if (!$read) { $closed = 1; last; }
        $response .= $chunk;
        last if length $response > 4 * 1024 * 1024;
    }
    my $seconds = time - $start;
    close $sock;

    my @statuses = $response =~ m{(?:^|\n)HTTP/\d\.\d (\d{3})}g;
    my @views = $response =~ m{data-views="(\d+)"}g;
    my ($first) = split /\r?\n/, $response, 2;
    my $body = '';
    if (@statuses && $response =~ /\r?\n\r?\n(.*)/s) { $body = substr($1, 0, 160); }
    elsif (!@statuses) { $body = substr($response, 0, 160); }
    printf "%s status=%s statuses=%s closed=%d seconds=%.2f views=%s first=%s body=%s\n",
        $name, $statuses[0] // '-', join(',', @statuses), $closed, $seconds, join(',', @views),
        escape($first // ''), escape($body);
}
