A resync floor above its ceiling: both values, in KiB/s, at the line of the one that is wrong (exit 3).
  $ rdbdadm -c conf/bad-rates.conf --node corman up web
  rdbdadm: conf/bad-rates.conf:4:41: 'c-min-rate' 4096 KiB/s is above 'c-max-rate' 1024 KiB/s (expected c-min-rate <= c-max-rate)
  [3]
