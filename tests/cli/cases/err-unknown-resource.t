A resource the file does not have lists those it has (exit 3).
  $ rdbdadm -c conf/web.conf --node corman up www
  rdbdadm: no resource www in conf/web.conf (resources: web, logs)
  [3]
