An option the command does not take (exit 2).
  $ rdbdadm -c conf/web.conf --node corman up --force web
  rdbdadm: unrecognised option '--force'; see 'rdbdadm up --help'
  [2]
