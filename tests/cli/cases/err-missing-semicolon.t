A statement without its ';': where it ends and what came instead (exit 3).
  $ rdbdadm -c conf/bad-missing-semicolon.conf --node corman up web
  rdbdadm: conf/bad-missing-semicolon.conf:2:19: missing ';' after 'device /dev/rdbd0' (expected ';' before 'disk')
  [3]
