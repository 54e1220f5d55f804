verify -d: one request per resource.
  $ rdbdadm -c conf/web.conf --node corman verify -d web
  verify 0
  $ rdbdadm -c conf/web.conf --node corman verify -d all
  verify 0
  verify 1
