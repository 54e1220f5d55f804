A value out of range, with the range and unit (exit 3).
  $ rdbdadm -c conf/bad-out-of-range.conf dump
  rdbdadm: conf/bad-out-of-range.conf:4:21: value 500 for 'ping-timeout' is out of range (expected 1..300 tenths of a second)
  [3]
