# Sourced by the shell tests of the CLI: counts checks and prints what failed.
#   expect NAME CODE PATTERN -- CMD...   CMD exits with CODE and its combined
#                                        output matches the extended regex PATTERN
#   sql DB QUERY                         the first column of the first row,
#                                        read by Python's own sqlite3 module
#                                        (not our code)
passed=0
failed=0

sql() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }

expect() {
  local name="$1" code="$2" pattern="$3"
  shift 4
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  if [[ $rc -eq $code ]] && grep -Eq -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc (want $code), output:"
    echo "$out" | head -20
  fi
}
