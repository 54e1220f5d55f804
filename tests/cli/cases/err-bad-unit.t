A rate with a unit DRBD does not know: file, line, column, what was expected (exit 3).
  $ rdbdadm -c conf/bad-unit.conf --node corman up web
  rdbdadm: conf/bad-unit.conf:4:21: bad value '40Mb' for 'resync-rate' (expected a number of KiB/s, 1..4194304, with an optional suffix k, M or G)
  [3]
