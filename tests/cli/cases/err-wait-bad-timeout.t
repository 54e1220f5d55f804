A timeout that is not a number (exit 2).
  $ rdbdadm -c conf/web.conf --node corman wait-connect web --timeout soon
  rdbdadm: the argument ('soon') for option '--timeout' is invalid; see 'rdbdadm wait-connect --help'
  [2]
