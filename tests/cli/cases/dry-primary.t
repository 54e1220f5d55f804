primary -d, with and without --force.
  $ rdbdadm -c conf/web.conf --node corman primary -d web
  primary 0
  $ rdbdadm -c conf/web.conf --node corman primary -d --force logs
  primary 1 --force
