secondary -d.
  $ rdbdadm -c conf/web.conf --node corman secondary -d web
  secondary 0
