attach -d and detach -d.
  $ rdbdadm -c conf/web.conf --node corman attach -d web
  attach 0 /dev/vdb
  $ rdbdadm -c conf/web.conf --node corman detach -d web
  detach 0
