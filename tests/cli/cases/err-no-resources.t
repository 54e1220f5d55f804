'all' in a file without resources (exit 3).
  $ rdbdadm -c conf/empty.conf --node corman up all
  rdbdadm: no resources in conf/empty.conf
  [3]
