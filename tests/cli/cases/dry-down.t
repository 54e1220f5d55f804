down -d: one del-minor per resource.
  $ rdbdadm -c conf/web.conf --node corman down -d all
  del-minor 0
  del-minor 1
