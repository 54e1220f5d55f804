Two resources where one is taken (exit 2).
  $ rdbdadm -c conf/web.conf --node corman up web logs
  rdbdadm: too many arguments (expected: rdbdadm up RES|all); see 'rdbdadm up --help'
  [2]
