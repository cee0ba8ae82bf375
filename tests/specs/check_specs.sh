#!/bin/sh
# The spec corpus check (ctest spec_corpus_bad / spec_corpus_good).
#   check_specs.sh EFFNETC DIR bad   every DIR/*.json must make `effnetc inspect` exit 2 and print
#                                    exactly the one line in its sibling .expect file on stderr;
#                                    a .json without .expect (or an .expect without .json) fails
#   check_specs.sh EFFNETC DIR good  every DIR/*.json must inspect with exit 0 and nothing on stderr
# Files are run from inside DIR, so messages name them without a directory.
set -u
[ $# -eq 3 ] || { echo "usage: check_specs.sh EFFNETC DIR bad|good" >&2; exit 2; }
effnetc=$1 mode=$3
cd "$2" || exit 1
count=0 failures=0
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}
for json in *.json; do
  [ -f "$json" ] || { echo "FAIL no .json files in $2"; exit 1; }
  count=$((count + 1))
  stderr=$("$effnetc" inspect "$json" 2>&1 >/dev/null)
  rc=$?
  if [ "$mode" = good ]; then
    [ $rc -eq 0 ] && [ -z "$stderr" ] || fail "$json: exit code $rc, stderr: $stderr"
    continue
  fi
  expect=${json%.json}.expect
  if [ ! -f "$expect" ]; then
    fail "$json: no $expect beside it"
  elif [ $rc -ne 2 ]; then
    fail "$json: exit code $rc, expected 2; stderr: $stderr"
  elif [ "$stderr" != "$(cat "$expect")" ]; then
    fail "$json: wrong message"
    echo "  expected: $(cat "$expect")"
    echo "  got:      $stderr"
  fi
done
if [ "$mode" = bad ]; then
  for expect in *.expect; do
    [ ! -f "$expect" ] || [ -f "${expect%.expect}.json" ] || fail "$expect: no ${expect%.expect}.json beside it"
  done
fi
echo "$count $mode specs checked, $failures failed"
[ $failures -eq 0 ]
