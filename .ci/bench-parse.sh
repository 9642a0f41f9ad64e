#!/bin/sh
# bench-parse.sh: whole-process `bouncekit parse` over the 623 message files of
# ../shared/corpus, side by side with Sisimai on the same files, in one
# hyperfine run (docs/benchmarks.md, "The binary, whole process"). Sisimai is
# Debian's libsisimai-perl (the Perl original; its Go port go-sisimai is not
# served by the module proxy here). Not part of .ci/run: timings are not tests.
#
#   .ci/bench-parse.sh [CORPUS_DIR]     RUNS=60 sets the runs per command
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(cd "${1:-$root/../shared/corpus}" && pwd)
missing=""
command -v hyperfine >/dev/null 2>&1 || missing="$missing hyperfine"
perl -MSisimai -e1 2>/dev/null || missing="$missing libsisimai-perl"
if [ -n "$missing" ]; then
	apt-get install -y $missing >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/bouncekit" ./examples/bouncekit)
# What the Sisimai side does for each file: parse it and write its records
# as JSON (Sisimai->dump), as bouncekit parse writes JSON lines.
cat > "$tmp/sisimai.pl" <<'PERL'
use strict; use warnings; use Sisimai;
binmode STDOUT;
for my $f (@ARGV) { my $j = Sisimai->dump($f); print $j, "\n" if defined $j; }
PERL
cd "$corpus"
files=$(ls maildir/*/*)
echo "files: $(echo "$files" | wc -l), $(cat $files | wc -c) bytes; $(nproc) CPUs"
echo "Sisimai $(perl -MSisimai -e 'print $Sisimai::VERSION'), $(go version)"
"$tmp/bouncekit" parse $files | wc -l | sed 's/^/bouncekit records: /'
perl "$tmp/sisimai.pl" $files | perl -MJSON::PP -ne '$n += @{decode_json($_)}; END { print "Sisimai records: $n\n" }'
hyperfine -N -w 3 -r "${RUNS:-30}" --export-markdown "$tmp/md" \
	-n "bouncekit parse" "$tmp/bouncekit parse $files" \
	-n "bouncekit parse --jobs 1" "$tmp/bouncekit parse --jobs 1 $files" \
	-n "bouncekit parse, one file" "$tmp/bouncekit parse maildir/bsd/rfc3464-01.eml" \
	-n "bouncekit reply (start-up)" "$tmp/bouncekit reply 550" \
	-n "Sisimai (Perl)" "perl $tmp/sisimai.pl $files" >/dev/null
cat "$tmp/md"
