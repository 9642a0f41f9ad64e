#!/usr/bin/env bash
# Builds and tests examples/beam, a module of its own on Apache Beam. Its
# first build compiles Beam and its gRPC stack (minutes); later runs reuse
# the Go build and module caches ($(go env GOCACHE), $(go env GOMODCACHE)).
set -euo pipefail
cd "$(dirname "$0")/../examples/beam"
echo "== examples/beam: gofmt, vet, test (prism)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted"
	exit 1
fi
go vet ./...
go test -count=1 ./... 2>&1 | grep -v 'level=INFO' || { echo "examples/beam tests failed"; exit 1; }
