A command without its resource (exit 2).
  $ rdbdadm -c conf/web.conf --node corman up
  rdbdadm: missing resource name (expected RES or 'all')
  [2]
