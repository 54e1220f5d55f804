wait-connect waits for one resource, not all (exit 2).
  $ rdbdadm -c conf/web.conf --node corman wait-connect all
  rdbdadm: wait for one resource at a time (expected a resource name, not 'all')
  [2]
